"""Garbage collection is off while plugins and conftests load, and back as it was afterwards."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CONFTEST = "import gc\nCOLLECTING_AT_IMPORT = gc.isenabled()\n"
TEST = textwrap.dedent(
    """
    import gc
    import conftest

    def test_states():
        print(f"conftest-import={conftest.COLLECTING_AT_IMPORT} test={gc.isenabled()}")
    """
)


def run(tmp_path: Path, program: str) -> str:
    """``program`` (calling pytest.main in tmp_path) run in a fresh interpreter; its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_off_while_conftests_load_and_on_for_the_tests(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_gc.py").write_text(TEST)
    out = run(tmp_path, "import pytest; pytest.main(['-q', '-s', '-p', 'no:cacheprovider'])")
    assert "conftest-import=False test=True" in out


def test_a_caller_that_turned_it_off_keeps_it_off(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_gc.py").write_text(TEST)
    out = run(
        tmp_path,
        "import gc, pytest; gc.disable(); pytest.main(['-q', '-s', '-p', 'no:cacheprovider'])",
    )
    assert "conftest-import=False test=False" in out


def test_a_conftest_that_fails_to_load_leaves_it_on(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("raise ImportError('broken conftest')\n")
    out = run(
        tmp_path,
        """
        import gc, pytest
        code = pytest.main(['-q', '-p', 'no:cacheprovider'])
        print(f"code={int(code)} after={gc.isenabled()}")
        """,
    )
    assert "after=True" in out
    assert "code=0" not in out
