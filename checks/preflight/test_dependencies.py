"""Seed 2.1 Dependencies: audit reports hold no unwaived finding at or above the threshold."""

from __future__ import annotations

from fixtures.checkmark import After, check
from readiness.model.manifest import AuditReport, Manifest
from readiness.parsers import audits as audit


@check("DEP-01")
def test_audit_has_no_finding_at_threshold(audit_report: AuditReport, manifest: Manifest) -> None:
    """Dependency audit report has no finding at or above the manifest's severity threshold."""
    where = audit_report.path.name
    try:
        findings = audit.read_report(audit_report)
    except FileNotFoundError:
        raise AssertionError(
            f"audit {audit_report.name}: report {where}: expected an {audit_report.kind} audit "
            "JSON report, got missing"
        ) from None
    except (OSError, ValueError) as exc:
        raise AssertionError(
            f"audit {audit_report.name}: report {where}: expected {audit_report.kind} audit "
            f"JSON, got unreadable ({str(exc)[:200]})"
        ) from None
    threshold = manifest.dependencies.severity_threshold
    bad = audit.at_or_above(findings, threshold)
    listed = ", ".join(f.describe() for f in bad[:10]) + (" ..." if len(bad) > 10 else "")
    assert not bad, (
        f"audit {audit_report.name}: findings >= {threshold}: expected none, "
        f"got {len(bad)}: {listed}"
    )


@check("DEP-02")
def test_audit_covered_every_package(audit_report: AuditReport, after: After) -> None:
    """Dependency audit covered every package (none skipped as not auditable)."""
    try:
        skipped = audit.unaudited(audit_report)
    except (OSError, ValueError):
        after.require(False, "the report is missing or unreadable")
        raise
    listed = ", ".join(skipped[:8]) + (" ..." if len(skipped) > 8 else "")
    assert not skipped, (
        f"audit {audit_report.name}: coverage: expected every package audited, "
        f"got {len(skipped)} not audited: {listed}"
    )
