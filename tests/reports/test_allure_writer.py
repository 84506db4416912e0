"""The lean Allure writer on a real run (two xdist workers): one masked result file per check,
its evidence attached, allure-pytest's statuses, no fixture container files, and the Allure CLI
reads the results (the failed check shows with its evidence in the generated report)."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

import pytest

from fixtures import evidence
from fixtures.reports.allure_writer import EVIDENCE_PRINT
from readiness.model.masking import Masker
from readiness.reports.allure_tool import generate
from tests.harness import Run, copy_stack, run_suite

WRITER_CHECKS = '''
"""Checks of the Allure writer test: a failure naming a secret, a broken, a skipped, a waived
failure and a step with an attachment (report test only)."""

import allure
import pytest

from fixtures.checkmark import check
from fixtures.evidence import attach
from readiness.model.errors import ProbeError
from readiness.model.masking import Masker


@check("SEC-03")
def test_writer_fails_naming_a_secret(env_values: dict[str, str]) -> None:
    """Writer check: fails, and its message and output hold the JWT secret."""
    print(f"stdout {env_values['JWT_SECRET']}")
    assert False, f"writer: JWT_SECRET: expected nothing, got {env_values['JWT_SECRET']}"


@check("SEC-03")
def test_writer_could_not_look() -> None:
    """Writer check: the suite could not look."""
    raise ProbeError("Could not check writer: refused on purpose")


@check("SEC-03")
def test_writer_skipped() -> None:
    """Writer check: skipped."""
    pytest.skip("writer: skipped on purpose")


@check("DEP-01")
@pytest.mark.parametrize("component", ["frontend"])
def test_writer_waived(component: str) -> None:
    """Writer check: fails, and the manifest's npm-audit-frontend waiver accepts it."""
    assert False, f"writer: {component}: expected no finding, got 1 high"


@check("SEC-03")
def test_writer_step(env_values: dict[str, str]) -> None:
    """Writer check: passes, attaching inside a step."""
    with allure.step("look at the secret"):
        allure.attach(f"step evidence {env_values['JWT_SECRET']}", name="in the step")


@check("SEC-03")
def test_writer_evidence_only(masker: Masker) -> None:
    """Writer check: passes, with evidence (printed too) and nothing else on stdout."""
    attach("writer evidence", "seen twice", masker)
'''


@pytest.fixture(scope="module")
def writer_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Path, str]:
    """One readiness run of the writer checks (-n 2) with a canary JWT secret in the .env."""
    tmp = tmp_path_factory.mktemp("writer")
    canary = f"CanaryWriter{secrets.token_hex(10)}"
    stack = copy_stack(tmp, git=False)
    env = stack / ".env"
    env.write_text(re.sub(r"(?m)^JWT_SECRET=.*$", f"JWT_SECRET={canary}", env.read_text()))
    checks = tmp / "writer" / "test_writer_checks.py"
    checks.parent.mkdir()
    checks.write_text(WRITER_CHECKS)
    run = run_suite(
        tmp, "-m", "preflight", "-k", "test_writer_", f"--project-dir={stack}", "-n", "2",
        str(checks),
    )  # fmt: skip
    assert run.verdict == "NOT READY", run.output[-3000:]
    return run, tmp / "reports" / "allure-results", canary


def _results(directory: Path) -> dict[str, dict[str, Any]]:
    found = [json.loads(p.read_text()) for p in directory.glob("*-result.json")]
    return {str(r["name"]).split("[", 1)[0]: r for r in found}


def _attachment(directory: Path, result: dict[str, Any], name: str) -> str:
    entries = [a for a in result.get("attachments") or [] if a["name"].startswith(name)]
    assert entries, f"no attachment {name!r} on {result['name']}: {result.get('attachments')}"
    return (directory / str(entries[0]["source"])).read_text(encoding="utf-8")


def test_one_masked_result_per_check_and_no_container_files(
    writer_run: tuple[Run, Path, str],
) -> None:
    """Six checks, six result files (written by the workers), no ``-container.json`` at all;
    the canary secret is in no file, masked where it was."""
    run, directory, canary = writer_run
    assert {r["outcome"] for r in run.results} == {
        "failed",
        "broken",
        "skipped",
        "waived",
        "passed",
    }
    results = _results(directory)
    assert len(results) == len(run.results) == 6, sorted(results)
    assert not list(directory.glob("*-container.json"))
    threads = {v for r in results.values() for n, v in _labels(r) if n == "thread"}
    assert len(threads) == 2, f"expected results from both xdist workers, got {threads}"
    leaked = [p.name for p in directory.iterdir() if canary.encode() in p.read_bytes()]
    assert not leaked, f"canary secret in {leaked}"


def _labels(result: dict[str, Any]) -> set[tuple[str, str]]:
    return {(label["name"], label.get("value", "")) for label in result["labels"]}


def test_failed_check_carries_masked_message_and_evidence(
    writer_run: tuple[Run, Path, str],
) -> None:
    """The failed check: status failed, the message masked, the readiness evidence (with the
    fix) and the captured stdout attached, masked; the labels and ids of allure-pytest."""
    _, directory, _ = writer_run
    result = _results(directory)["test_writer_fails_naming_a_secret"]
    assert result["status"] == "failed"
    message = result["statusDetails"]["message"]
    assert "writer: JWT_SECRET: expected nothing, got ********" in message
    assert "got ********" in result["statusDetails"]["trace"]
    evidence = _attachment(directory, result, "readiness SEC-03 [-]")
    assert "outcome: failed" in evidence
    assert "got ********" in evidence
    assert "fix: " in evidence
    assert "stdout ********" in _attachment(directory, result, "stdout")
    labels = _labels(result)
    for expected in (
        ("epic", "Pre-flight"),
        ("tag", "SEC-03"),
        ("severity", "blocker"),
        ("framework", "pytest"),
    ):
        assert expected in labels, f"{expected} missing from {sorted(labels)}"
    assert result["fullName"].endswith("#test_writer_fails_naming_a_secret")
    assert result["description"].startswith("Writer check: fails")
    assert result["stage"] == "finished"
    assert result["start"] <= result["stop"]
    assert re.fullmatch(r"[0-9a-f]{32}", result["historyId"])


def test_statuses_follow_allure_pytest(writer_run: tuple[Run, Path, str]) -> None:
    """Could not look: broken; skipped and waived: skipped (the waiver named); a step keeps its
    attachment; the parameter of a parametrized check is listed."""
    _, directory, _ = writer_run
    results = _results(directory)
    broken = results["test_writer_could_not_look"]
    assert broken["status"] == "broken"
    assert "Could not check writer: refused on purpose" in broken["statusDetails"]["message"]
    assert results["test_writer_skipped"]["status"] == "skipped"
    waived = results["test_writer_waived"]
    assert waived["status"] == "skipped"
    assert "waived by" in waived["statusDetails"]["message"]
    assert waived["parameters"] == [{"name": "component", "value": "'frontend'"}]
    step = results["test_writer_step"]
    assert step["status"] == "passed"
    assert [s["name"] for s in step["steps"]] == ["look at the secret"]
    in_step = step["steps"][0]["attachments"][0]
    assert (directory / in_step["source"]).read_text() == "step evidence ********"
    evidence_only = results["test_writer_evidence_only"]
    assert [a["name"] for a in evidence_only["attachments"]] == ["writer evidence"]
    assert _attachment(directory, evidence_only, "writer evidence") == "seen twice"


def test_printed_evidence_is_not_attached_twice(capsys: pytest.CaptureFixture[str]) -> None:
    """The writer knows how ``fixtures.evidence.attach`` prints: a stdout holding only that is
    not attached again (one file less per check), anything more is attached whole."""
    evidence.attach("svc time to healthy", "svc-1: 2.0 s", Masker())
    printed = capsys.readouterr().out
    assert printed == EVIDENCE_PRINT.format(name="svc time to healthy", body="svc-1: 2.0 s")


def test_allure_cli_reads_the_results(writer_run: tuple[Run, Path, str]) -> None:
    """``allure generate`` turns the results into a report: the failed check with its evidence,
    the waived one in the waiver category."""
    _, directory, _ = writer_run
    output = directory.parent / "allure-report"
    generate(directory, output)
    cases = [json.loads(p.read_text()) for p in (output / "data" / "test-cases").glob("*.json")]
    by_name = {str(c["name"]).split("[", 1)[0]: c for c in cases}
    failed = by_name["test_writer_fails_naming_a_secret"]
    assert failed["status"] == "failed"
    shown = json.dumps(failed)
    assert "readiness SEC-03 [-]" in shown
    categories = json.loads((output / "data" / "categories.json").read_text())
    names = {child["name"] for child in categories["children"]}
    assert "Waived (accepted risk)" in names
    assert "Suite could not look (broken)" in names
