"""Commands started from worker threads survive pytest changing the environment meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

from readiness.backends.commands import environment_with

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


def copy_errors(copy: Callable[[], dict[str, str]], seconds: float = 1.0) -> list[str]:
    """Errors from copying the environment on a thread while the main thread does what pytest
    does around every check phase."""
    errors: list[str] = []
    done = threading.Event()

    def keep_copying() -> None:
        while not done.is_set():
            try:
                copy()
            except Exception as exc:  # counted: the point of the test
                errors.append(type(exc).__name__)

    ours = os.environ.get("PYTEST_CURRENT_TEST")
    thread = threading.Thread(target=keep_copying)
    thread.start()
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            os.environ["PYTEST_CURRENT_TEST"] = "checks/x.py::test (call)"
            del os.environ["PYTEST_CURRENT_TEST"]
    finally:
        done.set()
        thread.join()
        if ours is not None:
            os.environ["PYTEST_CURRENT_TEST"] = ours
    return errors


def test_the_environment_copy_for_a_command_survives_pytest_changing_it() -> None:
    """TST-01 once said "could not check: KeyError: 'PYTEST_CURRENT_TEST'" in CI."""
    assert copy_errors(lambda: environment_with({"EXTRA": "1"})) == []


def test_a_plain_copy_of_the_environment_races() -> None:
    """The premise: ``{**os.environ}`` on a thread raises KeyError while pytest changes it."""
    assert "KeyError" in copy_errors(lambda: {**os.environ})
