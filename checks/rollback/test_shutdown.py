"""Seed section 6: the emergency shutdown a security breach triggers works, and can be undone."""

from __future__ import annotations

import pytest

from fixtures.checkmark import check
from readiness.operations.shutdown_drill import ShutdownDrill


@check("SHD-01")
def test_emergency_shutdown_cuts_ingress_and_keeps_data(
    shutdown_drill: ShutdownDrill, request: pytest.FixtureRequest
) -> None:
    """The shutdown cuts every public port first, keeps volumes and data, and the stack returns."""
    d = shutdown_drill
    r = d.result
    where = f"(incident folder {r.incident_dir})"
    if r.cut_seconds is not None:
        request.node.user_properties.append(("shutdown_cut_seconds", round(r.cut_seconds, 3)))
    request.node.user_properties.append(("shutdown_comeback_seconds", round(d.comeback_seconds, 3)))
    public = ", ".join(r.plan.stages[0][1]) or "none"
    assert r.cuts, (
        f"project {r.plan.project}: public ports: expected at least one published port to cut, "
        f"got none (public services: {public})"
    )
    late = [
        f"{c.port.address} ({c.port.service}) "
        + (f"refused only in the {c.stage} stage" if c.stage else "never refused")
        for c in r.late()
    ]
    assert not late, (
        f"emergency shutdown: public ports: expected refused once the public services "
        f"({public}) stop, got still answering: {'; '.join(late)}; list the publishing service in "
        f"network.public_services or stop publishing the port {where}"
    )
    assert not d.volumes_lost, (
        f"emergency shutdown: volumes: expected kept, got missing: "
        f"{', '.join(d.volumes_lost)} {where}"
    )
    if d.marker_written:
        hint = (
            f"; the database service has data on a non-persistent mount "
            f"({', '.join(d.volatile_mounts)}): put the data directory on a named volume"
            if d.volatile_mounts
            else "; put the data directory on a named volume"
        )
        assert not d.marker_problem, (
            f"emergency shutdown: database: marker row written before the shutdown: expected "
            f"present after coming back, got {d.marker_problem}{hint}"
        )
    assert not d.unhealthy, (
        f"emergency shutdown: coming back (the stack's `up`): expected healthy, got not "
        f"healthy: {', '.join(d.unhealthy)} {where}"
    )
    services = sum(len(names) for _, names in r.plan.stages)
    assert len(r.logs) >= services, (
        f"emergency shutdown: evidence: expected the logs of {services} services captured, got "
        f"{len(r.logs)} {where}"
    )
    assert not r.problems, f"emergency shutdown: {'; '.join(r.problems)} {where}"
    assert not d.cleanup_problems, "emergency shutdown: clean-up: " + "; ".join(d.cleanup_problems)
