"""Seed phase 2 step 6: every container of the project is running and (healthy)."""

from __future__ import annotations

from typing import Any

import allure
import pytest

from fixtures.checkmark import check
from fixtures.evidence import attach, attach_container
from fixtures.live_report import TTH_PROPERTY, time_to_healthy
from readiness.model.masking import Masker
from readiness.operations.health import Settled, container_state

HEALTHY = (("running", "healthy"), ("running", "none"))
"""Container state and health that pass (a container without a healthcheck: running)."""


@check("HLT-01")
def test_service_running_and_healthy(
    service: str,
    settled_stack: Settled,
    masker: Masker,
    docker_client: Any,
    request: pytest.FixtureRequest,
) -> None:
    """Service container is running and healthy (after a bounded wait); reports time to healthy."""
    containers = settled_stack.live.of(service)
    assert containers, f"service {service}: container: expected running, got none (not deployed)"
    times = "; ".join(f"{a.get('Name', '?').lstrip('/')}: {time_to_healthy(a)}" for a in containers)
    request.node.user_properties.append((TTH_PROPERTY, f"{service}={times}"))
    allure.dynamic.parameter("time to healthy", times, excluded=True)  # no file per service
    if not all(container_state(a) in HEALTHY for a in containers):
        attach(f"{service} time to healthy", times, masker)
    for attrs in containers:
        status, health = container_state(attrs)
        name = attrs.get("Name", "?").lstrip("/")
        last = ((attrs.get("State", {}).get("Health") or {}).get("Log") or [{}])[-1]
        detail = str(last.get("Output", "")).strip().splitlines()[-1:] if last else []
        healthy = (status, health) in HEALTHY
        if not healthy:
            attach_container(docker_client, attrs, masker)
        assert healthy, masker.mask(
            f"service {service}: container {name}: expected running/healthy, got {status}/{health}"
            + (f" after waiting {settled_stack.waited:.0f} s" if settled_stack.waited else "")
            + (f"; last health output: {detail[0][:200]}" if detail else "")
        )
