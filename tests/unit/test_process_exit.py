"""The fast exit ends with the session's status, and never hides an uncaught error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from fixtures.process import started_as_pytest

REPO = Path(__file__).resolve().parents[2]


def exit_of(body: str) -> subprocess.CompletedProcess[str]:
    program = textwrap.dedent(
        """
        import atexit, sys, types
        from fixtures.process import FastExit
        session = types.SimpleNamespace(exitstatus=3)
        exit_now = FastExit(session)
        sys.excepthook = exit_now.excepthook(sys.excepthook)
        atexit.register(lambda: print("earlier handler ran"))
        atexit.register(exit_now)
        print("output before the exit", flush=False)
        """
    )
    return subprocess.run(
        [sys.executable, "-c", program + body],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_exit_status_is_the_sessions_and_output_is_flushed() -> None:
    proc = exit_of("")
    assert proc.returncode == 3
    assert proc.stdout == "output before the exit\n"  # flushed; later teardown skipped


def test_an_uncaught_error_keeps_pythons_exit() -> None:
    proc = exit_of("raise RuntimeError('boom')")
    assert proc.returncode == 1
    assert "RuntimeError: boom" in proc.stderr
    assert "earlier handler ran" in proc.stdout


def test_only_pytest_itself_exits_early() -> None:
    assert started_as_pytest("/venv/bin/pytest", "")
    assert started_as_pytest("/venv/lib/pytest/__main__.py", "pytest.__main__")
    assert not started_as_pytest("/usr/local/bin/my-wrapper", "")
    assert not started_as_pytest("-c", "")
