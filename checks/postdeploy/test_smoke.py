"""Seed phase 2 step 7: the target's smoke test passes against the live stack."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.fix_postdeploy import SmokeRun
from readiness.model.masking import Masker


@check("SMK-01")
def test_smoke_test_passes(smoke_run: SmokeRun, masker: Masker) -> None:
    """The smoke test declared in the manifest (tests.smoke) passes against the live stack."""
    assert smoke_run.command, (
        "smoke test: command: expected one in the manifest (tests.smoke), got none"
    )
    if smoke_run.code != 0:
        attach("smoke test output", smoke_run.output[-4000:], masker)
    tail = smoke_run.output.strip().splitlines()[-3:]
    assert smoke_run.code == 0, (
        f"smoke test `{smoke_run.command}`: exit code: expected 0, got {smoke_run.code}"
        + (f"; last lines: {' | '.join(tail)}" if tail else "")
    )
