"""The end of a run fits on one screen: verdict block capped, long lines cut, rest counted."""

from __future__ import annotations

from fixtures.terminal import SCREEN_LINES, verdict_lines
from readiness.model.catalogue import Severity
from readiness.model.verdict import CheckResult, Decision, Outcome, Verdict


def _results(prefix: str, n: int, severity: Severity, outcome: Outcome) -> tuple[CheckResult, ...]:
    return tuple(
        CheckResult(f"{prefix}-{i:02d}", f"svc{i}", severity, outcome, "x" * 300 + "\nsecond")
        for i in range(n)
    )


def _decision(blockers: int, warnings: int) -> Decision:
    return Decision(
        Verdict.NOT_READY if blockers else Verdict.READY_WITH_WARNINGS,
        _results("RES", blockers, Severity.BLOCKER, Outcome.FAILED),
        _results("TLS", warnings, Severity.WARNING, Outcome.FAILED),
        passed=10,
        total=10 + blockers + warnings,
    )


def test_many_findings_fit_one_screen_with_the_rest_counted() -> None:
    lines = verdict_lines(_decision(40, 25), 80, str)
    assert len(lines) + 3 <= SCREEN_LINES  # + separator, reports, comparison
    assert lines[0] == "10/75 checks passed; 40 blocking, 25 warnings"
    assert "Blockers:" in lines
    assert "Warnings:" in lines
    more = [line for line in lines if line.startswith("  ... and ")]
    assert len(more) == 2
    shown_blockers = sum(line.startswith("  RES-") for line in lines)
    shown_warnings = sum(line.startswith("  TLS-") for line in lines)
    assert more[0] == f"  ... and {40 - shown_blockers} more (see the report)"
    assert more[1] == f"  ... and {25 - shown_warnings} more (see the report)"
    assert shown_warnings >= 2
    assert all(len(line) <= 80 for line in lines)
    assert not any("second" in line for line in lines)


def test_few_findings_are_all_listed() -> None:
    lines = verdict_lines(_decision(2, 1), 200, lambda text: text.replace("x", "*"))
    assert [line.split(" [")[0] for line in lines[1:]] == [
        "Blockers:",
        "  RES-00",
        "  RES-01",
        "Warnings:",
        "  TLS-00",
    ]
    assert "****" in lines[2]  # masked


def test_only_warnings_get_the_room() -> None:
    lines = verdict_lines(_decision(0, 30), 100, str)
    assert "Blockers:" not in lines
    assert len(lines) + 3 <= SCREEN_LINES
    assert lines[-1].startswith("  ... and ")
