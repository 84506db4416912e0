"""Fixtures of the report tests: one signed-off pre-flight run of a stack copy, under xdist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import Run, copy_stack, run_suite


@dataclass(frozen=True)
class SignedRun:
    """A readiness run and the reports directory it wrote."""

    run: Run
    reports: Path


@pytest.fixture(scope="session")
def signed_preflight(tmp_path_factory: pytest.TempPathFactory, live_stack_up: str) -> SignedRun:
    """Pre-flight on an untouched copy with two xdist workers; reports in ``<tmp>/reports``.

    ``live_stack_up`` builds the stack's images (nginx -t and promtool run in them).
    """
    tmp = tmp_path_factory.mktemp("signed")
    stack = copy_stack(tmp)
    run = run_suite(tmp, "-m", "preflight", f"--project-dir={stack}", "-n", "2")
    assert run.verdict, f"the run wrote no results:\n{run.output[-3000:]}"
    return SignedRun(run, tmp / "reports")
