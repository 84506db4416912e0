"""Commands started from worker threads survive pytest changing the environment meanwhile."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

RACE = textwrap.dedent(
    """
    import os, subprocess, sys, threading, time
    from fixtures.process import spawn_with_fork
    if sys.argv[1] == "fork":
        spawn_with_fork()
    errors, done = [], threading.Event()
    def spawn():
        while not done.is_set():
            try:
                subprocess.run(["true"], capture_output=True, check=False)
            except OSError as exc:
                errors.append(exc.errno)
    threads = [threading.Thread(target=spawn) for _ in range(3)]
    for thread in threads:
        thread.start()
    end = time.monotonic() + 2.5
    while time.monotonic() < end:  # what pytest does around every check phase
        os.environ["PYTEST_CURRENT_TEST"] = "checks/x.py::test (call)"
        del os.environ["PYTEST_CURRENT_TEST"]
    done.set()
    for thread in threads:
        thread.join()
    print(len(errors))
    """
)


def failed_spawns(mode: str) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", RACE, mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(proc.stdout.strip())


def test_spawning_with_fork_never_fails_while_the_environment_changes() -> None:
    assert failed_spawns("fork") == 0


def test_the_race_is_real_with_vfork() -> None:
    """The premise: without the setting, spawns fail with EFAULT on this machine."""
    assert failed_spawns("vfork") > 0
