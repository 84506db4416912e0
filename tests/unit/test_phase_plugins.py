"""A phase's fixture module is loaded only when the run may select that phase."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROGRAM = """
import json, sys, pytest
code = pytest.main(sys.argv[1:] + ["--collect-only", "-q", "-p", "no:randomly"])
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith("fixtures.fix_"))]))
"""


def loaded_fixture_modules(*args: str) -> tuple[int, set[str]]:
    """How many checks a collect-only run of ``checks`` collects, and the ``fixtures.fix_*``
    modules it imports."""
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM, "checks", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _, modules = json.loads(proc.stdout.strip().splitlines()[-1])
    collected = re.search(r"(\d+) tests? collected", proc.stdout)
    return int(collected.group(1)) if collected else 0, set(modules)


@pytest.mark.parametrize(
    ("args", "loaded", "not_loaded"),
    [
        (("-m", "postdeploy"), set(), {"fixtures.fix_preflight", "fixtures.fix_rollback"}),
        (("-m", "preflight"), {"fixtures.fix_preflight"}, {"fixtures.fix_rollback"}),
        (("-m", "rollback"), {"fixtures.fix_rollback"}, {"fixtures.fix_preflight"}),
        ((), {"fixtures.fix_preflight", "fixtures.fix_rollback"}, set()),
    ],
    ids=["postdeploy", "preflight", "rollback", "all"],
)
def test_only_the_selected_phases_fixture_modules_load(
    args: tuple[str, ...], loaded: set[str], not_loaded: set[str]
) -> None:
    collected, modules = loaded_fixture_modules(*args)
    assert collected > 0
    assert loaded <= modules
    assert not (not_loaded & modules)
    assert {"fixtures.fix_session", "fixtures.fix_postdeploy"} <= modules
