"""No secret reaches any report: a canary in .env, leaked on purpose, is masked everywhere."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from readiness.reports.allure_tool import generate
from tests.harness import copy_stack, run_suite

LEAKY_CHECKS = '''
"""Checks that leak on purpose (report test only): stdout, log, assertion and probe error."""

import logging

from fixtures.checkmark import check
from readiness.model.errors import ProbeError


@check("SEC-03")
def test_leaks_in_assertion(env_values: dict[str, str]) -> None:
    """Leaky check: prints, logs and asserts with the JWT secret."""
    value = env_values["JWT_SECRET"]
    print(f"stdout {value}")
    logging.getLogger("leak").warning("log %s", value)
    assert value == "nothing", f"leak: JWT_SECRET: expected nothing, got {value}"


@check("SEC-03")
def test_leaks_in_probe_error(env_values: dict[str, str]) -> None:
    """Leaky check: the suite could not look, and says the secret while failing."""
    raise ProbeError(f"Could not check leak: {env_values['JWT_SECRET']}")
'''


def _plant_canary(stack: Path, canary: str) -> None:
    env = stack / ".env"
    env.write_text(re.sub(r"(?m)^JWT_SECRET=.*$", f"JWT_SECRET={canary}", env.read_text()))
    compose = stack / "docker-compose.agents.yml"
    text = compose.read_text()
    hard_coded = re.sub(
        r"(?m)^(  crew-orchestrator:\n)", rf"\1    labels:\n      leaked.secret: {canary}\n", text
    )
    assert hard_coded != text, "could not plant the hard-coded secret"
    compose.write_text(hard_coded)


def test_canary_secret_never_reaches_any_report(tmp_path: Path, live_stack_up: str) -> None:
    """SEC-03 fails on a hard-coded canary, leaky checks print it: no file in reports/ holds it."""
    canary = f"CanaryJwt{secrets.token_hex(12)}"
    stack = copy_stack(tmp_path)
    _plant_canary(stack, canary)
    leaky = tmp_path / "leaky" / "test_leaky_checks.py"
    leaky.parent.mkdir()
    leaky.write_text(LEAKY_CHECKS)
    run = run_suite(tmp_path, "-m", "preflight", f"--project-dir={stack}", "-n", "2", str(leaky))
    assert run.verdict == "NOT READY", run.output[-3000:]
    outcomes = {r["nodeid"].rsplit("::", 1)[-1]: r["outcome"] for r in run.results}
    assert outcomes["test_leaks_in_assertion"] == "failed"
    assert outcomes["test_leaks_in_probe_error"] == "broken"
    sec03 = {s: o for s, o in run.outcomes("SEC-03").items() if s != "-"}
    assert "failed" in sec03.values(), f"SEC-03 did not fail on the hard-coded canary: {sec03}"
    reports = tmp_path / "reports"
    generate(reports / "allure-results", reports / "allure-report")
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len(files) > 20
    leaked = [str(p) for p in files if canary.encode() in p.read_bytes()]
    assert not leaked, f"canary secret found in {leaked}"
    assert canary not in run.output
    allure_text = "".join(p.read_text() for p in (reports / "allure-results").glob("*.json"))
    assert "********" in allure_text  # the secret was there, and masked
    assert "got ********" in (reports / "signoff.md").read_text()
