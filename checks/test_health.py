"""Seed phase 2 step 6: every container of the project is running and (healthy)."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.health import Settled, container_state


@check("HLT-01")
def test_service_running_and_healthy(service: str, settled_stack: Settled) -> None:
    """Service container is running and healthy (after a bounded wait)."""
    containers = settled_stack.live.of(service)
    assert containers, f"service {service}: container: expected running, got none (not deployed)"
    for attrs in containers:
        status, health = container_state(attrs)
        name = attrs.get("Name", "?").lstrip("/")
        last = ((attrs.get("State", {}).get("Health") or {}).get("Log") or [{}])[-1]
        detail = str(last.get("Output", "")).strip().splitlines()[-1:] if last else []
        assert (status, health) in (("running", "healthy"), ("running", "none")), (
            f"service {service}: container {name}: expected running/healthy, got {status}/{health}"
            + (f" after waiting {settled_stack.waited:.0f} s" if settled_stack.waited else "")
            + (f"; last health output: {detail[0][:200]}" if detail else "")
        )
