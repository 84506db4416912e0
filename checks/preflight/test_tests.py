"""Seed 2.1 Tests: the target's own test command and smoke test pass, with TLS verified."""

from __future__ import annotations

import pytest

from fixtures.checkmark import After, check
from fixtures.fix_preflight import TEST_COMMAND, Preflight
from readiness.backends.commands import CommandRun
from readiness.model.manifest import Manifest
from readiness.model.masking import Masker


def _smoke_runs(preflight: Preflight) -> tuple[CommandRun | None, CommandRun | None]:
    trusted, untrusted = preflight.smoke()
    if trusted is None:
        pytest.skip(
            f"the stack does not answer at {preflight.smoke_url()} (not deployed yet): "
            "the smoke test runs after deploy (SMK-01)"
        )
    return trusted, untrusted


@check("TST-01")
def test_target_tests_pass(
    target_test: str, preflight: Preflight, manifest: Manifest, masker: Masker
) -> None:
    """The target's own test command (and its smoke test) passes."""
    run = preflight.test_command() if target_test == TEST_COMMAND else _smoke_runs(preflight)[0]
    assert run is not None
    assert run.ok, (
        f"tests {target_test}: exit code: expected 0 from `{run.command}`, got {run.returncode}; "
        f"last output:\n{masker.mask(run.tail())}"
    )


@check("TST-02")
def test_smoke_test_verifies_tls(smoke_test: str, preflight: Preflight, after: After) -> None:
    """The smoke test verifies TLS: it must fail against a CA that did not sign the certificate."""
    trusted, untrusted = _smoke_runs(preflight)
    assert trusted is not None
    after.require(untrusted is not None, "the smoke test does not pass with the stack's CA")
    assert untrusted is not None
    assert not untrusted.ok, (
        f"tests {smoke_test}: TLS verification: expected failure when only an unrelated CA is "
        f"trusted, got exit 0 (`{untrusted.command}` passes only because it does not verify "
        "TLS: make it trust SMOKE_CA_FILE instead of turning verification off)"
    )
