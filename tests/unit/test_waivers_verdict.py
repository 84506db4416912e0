"""Waivers and the verdict: pure logic, plain data."""

from __future__ import annotations

import datetime as dt

from readiness.model.catalogue import Severity
from readiness.model.manifest import Waiver
from readiness.model.verdict import CheckResult, Outcome, Verdict, decide
from readiness.model.waivers import WaiverState, find_waiver

TODAY = dt.date(2026, 6, 1)


def waiver(subject: str = "frontend", expires: dt.date = dt.date(2027, 3, 31)) -> Waiver:
    return Waiver(
        check="DEP-01",
        subject=subject,
        justification="monitor",
        owner="frontend-team",
        expires=expires,
        id="npm-audit-frontend",
    )


def result(check: str, outcome: Outcome, severity: Severity = Severity.BLOCKER) -> CheckResult:
    return CheckResult(check, "-", severity, outcome)


def test_waiver_matches_check_and_subject_only() -> None:
    waivers = [waiver()]
    assert find_waiver(waivers, "DEP-01", "frontend", TODAY) is not None
    assert find_waiver(waivers, "DEP-01", "core", TODAY) is None
    assert find_waiver(waivers, "SEC-01", "frontend", TODAY) is None


def test_exact_subject_wins_over_wildcard() -> None:
    exact, star = waiver(), waiver("*", dt.date(2020, 1, 1))
    match = find_waiver([star, exact], "DEP-01", "frontend", TODAY)
    assert match is not None
    assert match.waiver is exact


def test_waiver_is_active_through_its_expiry_day_then_expired() -> None:
    last_day = find_waiver([waiver(expires=TODAY)], "DEP-01", "frontend", TODAY)
    day_after = find_waiver(
        [waiver(expires=TODAY)], "DEP-01", "frontend", TODAY + dt.timedelta(days=1)
    )
    assert last_day is not None
    assert day_after is not None
    assert (last_day.state, last_day.days_left) == (WaiverState.ACTIVE, 0)
    assert day_after.state is WaiverState.EXPIRED
    assert "EXPIRED on 2026-06-01" in day_after.describe()
    assert "owner frontend-team" in last_day.describe()


def test_all_passed_is_ready() -> None:
    assert decide([result("CFG-01", Outcome.PASSED)]).verdict is Verdict.READY


def test_waived_failure_and_failed_warning_are_warnings() -> None:
    decision = decide(
        [
            result("CFG-01", Outcome.PASSED),
            result("DEP-01", Outcome.WAIVED),
            result("TLS-06", Outcome.FAILED, Severity.WARNING),
        ]
    )
    assert decision.verdict is Verdict.READY_WITH_WARNINGS
    assert [r.check_id for r in decision.warnings] == ["DEP-01", "TLS-06"]
    assert decision.exit_code() == 0
    assert decision.exit_code(strict_warnings=True) == 2


def test_failed_blocker_or_broken_probe_is_not_ready() -> None:
    for outcome in (Outcome.FAILED, Outcome.BROKEN):
        decision = decide(
            [result("TLS-06", Outcome.FAILED, Severity.WARNING), result("SEC-01", outcome)]
        )
        assert decision.verdict is Verdict.NOT_READY
        assert [r.check_id for r in decision.blockers] == ["SEC-01"]
        assert decision.exit_code() == 1


def test_broken_warning_check_still_blocks() -> None:
    decision = decide([result("TLS-06", Outcome.BROKEN, Severity.WARNING)])
    assert decision.verdict is Verdict.NOT_READY


def test_no_results_or_unreachable_target_is_not_ready() -> None:
    assert decide([]).verdict is Verdict.NOT_READY
    assert decide([result("CFG-01", Outcome.PASSED)], target_reached=False).verdict is (
        Verdict.NOT_READY
    )


def test_skipped_checks_do_not_change_the_verdict() -> None:
    decision = decide([result("CFG-01", Outcome.PASSED), result("BAK-03", Outcome.SKIPPED)])
    assert decision.verdict is Verdict.READY
