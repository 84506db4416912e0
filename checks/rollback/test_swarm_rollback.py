"""Seed 3.3 on Swarm: the application rollback with ``docker service rollback`` (disruptive)."""

from __future__ import annotations

import pytest

from fixtures.checkmark import check
from readiness.operations.swarm_rollback import SwarmRollback


@check("SWM-07")
def test_service_rollback_and_forward(
    rollback_service: str, swarm_rollback: SwarmRollback, request: pytest.FixtureRequest
) -> None:
    """The service rolls back to its previous spec healthy, then forward again, both timed."""
    r = swarm_rollback
    request.node.user_properties.append(("rollback_seconds", round(r.rollback_seconds, 3)))
    request.node.user_properties.append(("forward_seconds", round(r.forward_seconds, 3)))
    assert not r.problems, f"service {rollback_service}: rollback drill: {'; '.join(r.problems)}"
    assert r.rolled_back_image == r.previous_image, (
        f"service {rollback_service}: image after rollback: expected {r.previous_image}, "
        f"got {r.rolled_back_image}"
    )
    assert r.forward_again_image == r.forward_image, (
        f"service {rollback_service}: image after rolling forward: expected {r.forward_image}, "
        f"got {r.forward_again_image}"
    )
