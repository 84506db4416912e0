"""Seed section 3: the backup and rollback procedures of the runbook actually work."""

from __future__ import annotations

import pytest

from fixtures.checkmark import check
from fixtures.fix_rollback import AppRollback, FreshBackup
from readiness.model.manifest import Manifest
from readiness.operations.drill import DrillResult, RoundTrip


def _measure(request: pytest.FixtureRequest, name: str, seconds: float) -> None:
    """Keep a measured duration with the result (JUnit properties, results file)."""
    request.node.user_properties.append((name, round(seconds, 3)))


@check("BAK-04")
def test_backup_script_writes_valid_dump(
    fresh_backup: FreshBackup, manifest: Manifest, request: pytest.FixtureRequest
) -> None:
    """The backup procedure (the project's own command, or ours) writes a fresh, valid dump."""
    procedure = f"`{manifest.backup.command}`" if manifest.backup.command else "backup runbook"
    assert fresh_backup.report is not None, f"{procedure}: {fresh_backup.error}"
    report = fresh_backup.report
    _measure(request, "backup_seconds", fresh_backup.seconds)
    problems = "; ".join(report.problems)
    made = "given" if fresh_backup.given else f"written by {procedure}"
    assert report.ok, f"backup {made}: {problems}"


@check("RBK-01")
def test_restore_round_trip_is_identical(
    restore_round_trip: RoundTrip, request: pytest.FixtureRequest
) -> None:
    """A backup restored into a scratch database has the same schema, rows, data and sequences."""
    rt = restore_round_trip
    _measure(request, "round_trip_seconds", rt.seconds)
    _measure(request, "raw_dump_restore_seconds", rt.raw_seconds)
    shown = rt.problems[:10]
    if len(rt.problems) > 10:
        shown.append(f"... {len(rt.problems) - 10} more")
    assert not rt.problems, (
        f"dump {rt.dump.name}: restored into {rt.scratch} by {rt.procedure}: expected identical "
        "to the source, got "
        f"{len(rt.problems)} differences: " + "; ".join(shown)
    )
    assert not rt.scratch_left, (
        f"scratch database {rt.scratch}: expected dropped after the round trip, got still present"
    )


@check("RBK-02")
def test_database_rollback_drill(
    database_drill: DrillResult, manifest: Manifest, request: pytest.FixtureRequest
) -> None:
    """The 3.2 drill restores the damaged data (the project's restore command, or the runbook),
    healthy, within RTO and RPO."""
    d = database_drill
    _measure(request, "recovery_seconds", d.recovery_seconds)
    assert not d.problems, "database drill: " + "; ".join(d.problems[:10])
    assert d.damaged, "database drill: damage: expected the data changed, got unchanged"
    assert not d.unhealthy, (
        f"database drill: services: expected healthy after the restore, got not healthy: "
        f"{', '.join(d.unhealthy)}"
    )
    rto = manifest.backup.rto_seconds
    assert d.recovery_seconds <= rto, (
        f"database drill: recovery time: expected at most {rto:g} s (RTO), got "
        f"{d.recovery_seconds:.1f} s"
    )
    assert d.backup_age_hours <= manifest.backup.rpo_hours, (
        f"database drill: backup age: expected at most {manifest.backup.rpo_hours:g} h (RPO), got "
        f"{d.backup_age_hours:.2f} h"
    )
    assert not d.cleanup_problems, "database drill: clean-up: " + "; ".join(d.cleanup_problems)


@check("RBK-03")
def test_application_rollback_to_previous_release(
    app_rollback: AppRollback, request: pytest.FixtureRequest
) -> None:
    """The stack rolls back to the previous release's images, healthy, and forward again."""
    r = app_rollback
    assert r.previous is not None, (
        f"release {r.current}: previous release: expected an image tag below {r.current} for every "
        f"service, got none (images: {', '.join(sorted({i.repo for i in r.images}))})"
    )
    assert not r.missing, (
        f"release {r.previous}: images: expected present, got missing: {', '.join(r.missing)}"
    )
    assert r.back is not None
    assert r.forward is not None
    _measure(request, "rollback_seconds", r.back.seconds)
    _measure(request, "rollforward_seconds", r.forward.seconds)
    assert not r.back.problems, f"rollback to {r.previous}: " + "; ".join(r.back.problems)
    assert not r.forward.problems, f"roll forward to {r.current}: " + "; ".join(r.forward.problems)
