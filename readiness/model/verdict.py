"""Turn check results into the launch verdict and the exit code a pipeline gates on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from readiness.model.catalogue import Severity


class Outcome(StrEnum):
    """What happened to one check for one subject."""

    PASSED = "passed"
    FAILED = "failed"  # the target is not as declared (AssertionError)
    BROKEN = "broken"  # the suite could not look (any other exception)
    WAIVED = "waived"  # failed, but an active waiver accepts the risk
    SKIPPED = "skipped"
    NOT_APPLICABLE = "n/a"  # the manifest does not declare what the check needs


NOT_APPLICABLE_PREFIX = "not applicable: "
"""Skip reasons that mean N/A (never counted as passed, nor in the pass ratio)."""


class Verdict(StrEnum):
    """The answer to "can we launch?"."""

    READY = "READY"
    READY_WITH_WARNINGS = "READY WITH WARNINGS"
    NOT_READY = "NOT READY"


EXIT_CODES: dict[Verdict, int] = {
    Verdict.READY: 0,
    Verdict.READY_WITH_WARNINGS: 0,
    Verdict.NOT_READY: 1,
}
"""READY and READY WITH WARNINGS exit 0 (``--strict-warnings`` makes warnings exit 2)."""


@dataclass(frozen=True)
class CheckResult:
    """One check ID for one subject, as the verdict sees it."""

    check_id: str
    subject: str
    severity: Severity
    outcome: Outcome
    message: str = ""
    nodeid: str = ""
    waiver: str = ""
    duration: float = 0.0

    @property
    def blocking(self) -> bool:
        """A failure that stops the launch: a failed blocker or any broken probe."""
        if self.outcome is Outcome.BROKEN:
            return True
        return self.outcome is Outcome.FAILED and self.severity is Severity.BLOCKER

    @property
    def warning(self) -> bool:
        """A finding that does not stop the launch: failed warning or waived failure."""
        if self.outcome is Outcome.WAIVED:
            return True
        return self.outcome is Outcome.FAILED and self.severity is Severity.WARNING


@dataclass(frozen=True)
class Decision:
    """The verdict with the results that led to it."""

    verdict: Verdict
    blockers: tuple[CheckResult, ...] = field(default=())
    warnings: tuple[CheckResult, ...] = field(default=())
    passed: int = 0
    total: int = 0

    def exit_code(self, *, strict_warnings: bool = False) -> int:
        """0 ready, 1 not ready; 2 for warnings when ``strict_warnings``."""
        if strict_warnings and self.verdict is Verdict.READY_WITH_WARNINGS:
            return 2
        return EXIT_CODES[self.verdict]


def decide(results: Iterable[CheckResult], *, target_reached: bool = True) -> Decision:
    """The verdict: NOT READY on any blocker or unreachable target, warnings next, else READY."""
    ordered = sorted(results, key=lambda r: (r.check_id, r.subject))
    blockers = tuple(r for r in ordered if r.blocking)
    warnings = tuple(r for r in ordered if r.warning)
    passed = sum(r.outcome is Outcome.PASSED for r in ordered)
    applicable = [r for r in ordered if r.outcome is not Outcome.NOT_APPLICABLE]
    if blockers or not target_reached or not applicable:
        verdict = Verdict.NOT_READY
    elif warnings:
        verdict = Verdict.READY_WITH_WARNINGS
    else:
        verdict = Verdict.READY
    return Decision(verdict, blockers, warnings, passed, len(applicable))
