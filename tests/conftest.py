"""Fixtures of the project's own tests: stack copies, baseline runs and the live reference stack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness import ROOT, Run, copy_stack, run_runbook, run_suite
from tests.preflight_support import plant_dump, scratch_dump

# The second project's own unit tests are the target's (TST-01 runs them), not ours.
collect_ignore = ["second_project"]

LIVE_PROJECT = os.environ.get("READINESS_TEST_PROJECT", "hypercode")
LIVE_ENV_FILE = os.environ.get("READINESS_TEST_ENV_FILE", str(ROOT / "stack" / ".env"))


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark every test that touches the live reference stack ``live`` (``python -m tests`` runs
    them in order in one lane, and everything else in a second lane beside it)."""
    if "live_stack_up" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("live"):
        item.add_marker(pytest.mark.live)


def live_args(project: str) -> list[str]:
    """Options that point the suite at the live test instance."""
    return [f"--project-name={project}", f"--env-file={LIVE_ENV_FILE}"]


@pytest.fixture(scope="session")
def live_stack_up() -> str:
    """The reference stack deployed and healthy (``runbook.stack up`` is idempotent)."""
    proc = run_runbook("stack", LIVE_PROJECT, LIVE_ENV_FILE, "up", timeout=1500)
    if proc.returncode != 0:
        pytest.fail(f"reference stack did not come up:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return LIVE_PROJECT


@pytest.fixture(scope="session")
def fresh_dump(live_stack_up: str) -> bytes:
    """A real pg_dump (custom format) of a scratch database, made once per session.

    It runs in the stack's postgres image, which ``live_stack_up`` builds on a new machine.
    """
    return scratch_dump()


@pytest.fixture(scope="session")
def preflight_baseline(
    tmp_path_factory: pytest.TempPathFactory, fresh_dump: bytes, live_stack_up: str
) -> Run:
    """The pre-flight suite on an untouched copy of the reference configuration (+ fresh backup).

    The live stack is this checkout's own first: the smoke test (TST-01/02) talks to it with the
    copy's CA, and a stack left by another checkout would serve another certificate.
    """
    tmp = tmp_path_factory.mktemp("baseline")
    stack = copy_stack(tmp)
    plant_dump(stack, fresh_dump)
    return run_suite(tmp, "-m", "preflight", f"--project-dir={stack}")


@pytest.fixture(scope="session")
def postdeploy_baseline(tmp_path_factory: pytest.TempPathFactory, live_stack_up: str) -> Run:
    """The post-deploy suite on the healthy live reference stack."""
    tmp = tmp_path_factory.mktemp("post-baseline")
    return run_suite(tmp, "-m", "postdeploy", *live_args(live_stack_up))


@pytest.fixture
def stack_copy(tmp_path: Path, fresh_dump: bytes, live_stack_up: str) -> Path:
    """A fresh git-committed copy of the reference configuration (+ fresh backup) for a fault."""
    stack = copy_stack(tmp_path)
    plant_dump(stack, fresh_dump)
    return stack
