"""Pure logic of the reports: item status, comparison, docker stats parsing, anchors, masking."""

from __future__ import annotations

import re

from fixtures.reports.allure_meta import CATEGORIES, anchor, mark_warning
from readiness.model.catalogue import CATALOGUE, Severity
from readiness.model.masking import Masker
from readiness.model.verdict import CheckResult, Outcome
from readiness.reports.compare import compare
from readiness.reports.redact import mask_tree
from readiness.reports.signoff import item_status, section_status, size_text


def _result(outcome: Outcome, severity: Severity = Severity.BLOCKER) -> CheckResult:
    return CheckResult("NET-01", "redis", severity, outcome)


def test_item_status_is_the_worst_subject() -> None:
    """not run < passed < waived < warning < failed < broken, over an item's subjects."""
    spec = CATALOGUE["NET-01"]
    assert item_status(spec, []) == "not run"
    assert item_status(spec, [_result(Outcome.PASSED)]) == "passed"
    assert item_status(spec, [_result(Outcome.PASSED), _result(Outcome.WAIVED)]) == "waived"
    assert item_status(spec, [_result(Outcome.FAILED, Severity.WARNING)]) == "warning"
    assert item_status(spec, [_result(Outcome.FAILED), _result(Outcome.BROKEN)]) == "broken"
    assert section_status(["passed", "not run"]) == "🟢 Ready"
    assert section_status(["passed", "waived"]) == "🟢 Ready with Warnings"
    assert section_status(["failed", "passed"]) == "🔴 Not Ready"
    assert section_status(["not run"]) == "⬜ Not checked"


def _doc(outcomes: dict[str, str], waivers: dict[str, str]) -> dict[str, object]:
    results = [{"subject": s, "outcome": o} for s, o in outcomes.items()]
    return {
        "generated_at": "t",
        "verdict": "NOT READY",
        "sections": [{"items": [{"check": "NET-01", "results": results}]}],
        "waivers": [{"id": wid, "state": state} for wid, state in waivers.items()],
    }


def test_compare_lists_new_failures_fixes_and_waiver_changes() -> None:
    """New failures, fixed items, waivers added, removed and newly expired."""
    before = _doc({"a": "passed", "b": "failed"}, {"old": "active", "kept": "active"})
    after = _doc({"a": "broken", "b": "passed"}, {"kept": "expired", "new": "active"})
    diff = compare(before, after)
    assert diff["new_failures"] == ["NET-01[a]"]
    assert diff["fixed"] == ["NET-01[b]"]
    assert diff["waivers_added"] == ["new"]
    assert diff["waivers_removed"] == ["old"]
    assert diff["waivers_expired"] == ["kept"]
    assert compare(None, after) == {"previous": None}


def test_sizes_read_as_operators_write_them() -> None:
    """Sizes in the 2.3 table: binary units, and an undefined limit said so."""
    assert size_text(805306368) == "768 MiB"
    assert size_text(None) == "*Undefined*"


def test_seed_anchor_and_masked_tree() -> None:
    """GitHub anchors of seed headings; every string of a JSON tree is masked, keys too."""
    assert anchor("2.3 Resource Allocation") == "23-resource-allocation"
    assert anchor("3 Backup & Rollback Strategy") == "3-backup--rollback-strategy"
    masker = Masker(["hunter2hunter2"])
    tree = {"a": ["x hunter2hunter2", 3], "hunter2hunter2": None}
    assert mask_tree(tree, masker) == {"a": ["x ********", 3], "********": None}


def test_failed_warning_checks_get_their_own_allure_category() -> None:
    """A failed warning-severity result is marked: Allure files it under Warnings, not Not ready."""
    warning = {
        "status": "failed",
        "labels": [{"name": "severity", "value": "minor"}],
        "statusDetails": {"message": "AssertionError: tls: issuer"},
    }
    blocker = {
        "status": "failed",
        "labels": [{"name": "severity", "value": "blocker"}],
        "statusDetails": {"message": "AssertionError: limits"},
    }
    mark_warning(warning)
    mark_warning(warning)
    mark_warning(blocker)
    assert warning["statusDetails"] == {"message": "[warning] AssertionError: tls: issuer"}
    assert blocker["statusDetails"] == {"message": "AssertionError: limits"}
    first = next(c for c in CATEGORIES if c["matchedStatuses"] == ["failed"])
    assert re.fullmatch(first["messageRegex"], "[warning] AssertionError: tls: issuer")
    assert not re.fullmatch(first["messageRegex"], "AssertionError: limits")
