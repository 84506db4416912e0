"""Issue 11: a stack deployed on Docker Swarm, read through one manager's listing."""

from __future__ import annotations

from fixtures.checkmark import check
from readiness.backends.compose import ComposeModel
from readiness.backends.swarm import SwarmService, SwarmStack, task_state
from readiness.model.errors import ProbeError
from readiness.model.manifest import Manifest
from readiness.parsers.drift import describe_limits
from readiness.parsers.swarm_spec import (
    declared_ports,
    spec_differences,
    spec_limits,
    spec_ports,
)


def _deployed(swarm_stack: SwarmStack, service: str) -> SwarmService:
    found = swarm_stack.services.get(service)
    assert found is not None, (
        f"service {service}: Swarm service {swarm_stack.stack}_{service}: "
        f"expected deployed, got none in stack {swarm_stack.stack}"
    )
    return found


@check("SWM-01")
def test_desired_replicas_running_healthy(service: str, swarm_stack: SwarmStack) -> None:
    """Every desired replica of the service runs, healthy (Swarm holds unhealthy ones starting)."""
    found = _deployed(swarm_stack, service)
    desired = found.replicas
    running = len(found.running)
    states = ", ".join(sorted(task_state(t) for t in found.current)) or "no task"
    want = desired if desired is not None else max(1, len(found.current))
    error = found.last_error()
    healthy = running >= want and running == len(found.current)
    assert healthy, (
        f"service {service}: tasks: expected {want} running and healthy, got {running} "
        f"({states})" + (f"; last task error: {error[:200]}" if error else "")
    )


@check("SWM-02")
def test_limits_in_service_spec(service: str, swarm_stack: SwarmStack, manifest: Manifest) -> None:
    """The service spec limits CPU and memory, to the manifest's values when it lists them."""
    found = _deployed(swarm_stack, service)
    nano, memory = spec_limits(found)
    got = describe_limits((nano, memory))
    assert nano > 0 < memory, (
        f"service {service}: spec limits: expected CPU and memory limits, got {got}"
    )
    declared = manifest.limits.get(service)
    if declared is not None:
        want = (round(declared.cpus * 1e9), int(declared.memory))
        assert (nano, memory) == want, (
            f"service {service}: spec limits: expected {describe_limits(want)}, got {got}"
        )


@check("SWM-03")
def test_published_ports_as_declared(
    service: str, swarm_stack: SwarmStack, rendered: ComposeModel, manifest: Manifest
) -> None:
    """The spec publishes exactly the declared ports, each in the declared mode."""
    found = _deployed(swarm_stack, service)
    want = declared_ports(rendered.service(service))
    live = spec_ports(found)
    assert set(live) == want, (
        f"service {service}: published ports: expected {sorted(want) or 'none'}, "
        f"got {sorted(live) or 'none'}"
    )
    mode = manifest.swarm.port_modes.get(service, "ingress")
    wrong = sorted(f"{port} ({got})" for port, got in live.items() if got != mode)
    assert not wrong, f"service {service}: publish mode: expected {mode}, got {', '.join(wrong)}"


@check("SWM-04")
def test_overlay_networks_as_declared(
    service: str, swarm_stack: SwarmStack, rendered: ComposeModel
) -> None:
    """The service is attached to exactly its declared networks, each an overlay network."""
    found = _deployed(swarm_stack, service)
    want = sorted(rendered.network_name(key) for key in rendered.service_networks(service))
    targets = [
        str(n.get("Target", ""))
        for n in (found.spec.get("TaskTemplate") or {}).get("Networks") or []
    ]
    by_id = {str(n.get("Id", "")): n for n in swarm_stack.networks.values()}
    by_name = swarm_stack.networks
    nets = [by_id.get(t) or by_name.get(t) for t in targets]
    if any(n is None for n in nets):
        raise ProbeError(f"Could not check: service {service}: a network of its spec is unlisted")
    got = sorted(str(n["Name"]) for n in nets if n)
    assert got == want, f"service {service}: networks: expected {want}, got {got}"
    local = sorted(
        f"{n['Name']} ({n.get('Driver')}, {n.get('Scope')})"
        for n in nets
        if n and (n.get("Driver") != "overlay" or n.get("Scope") != "swarm")
    )
    assert not local, f"service {service}: networks: expected overlay/swarm, got {', '.join(local)}"


@check("SWM-05")
def test_update_and_rollback_policy(
    service: str, swarm_stack: SwarmStack, manifest: Manifest
) -> None:
    """The service declares how it rolls out (update_config) and back (rollback_config)."""
    found = _deployed(swarm_stack, service)
    wanted = {
        "update_config": ("UpdateConfig", manifest.swarm.update_config),
        "rollback_config": ("RollbackConfig", manifest.swarm.rollback_config),
    }
    missing = [
        key for key, (field, required) in wanted.items() if required and not found.spec.get(field)
    ]
    assert not missing, f"service {service}: deploy: expected {' and '.join(missing)}, got none"


@check("SWM-06")
def test_service_spec_equals_compose(
    service: str, swarm_stack: SwarmStack, rendered: ComposeModel
) -> None:
    """The running service spec is what the compose files declare (nobody updated it by hand)."""
    found = _deployed(swarm_stack, service)
    drift = spec_differences(rendered.service(service), found)
    assert not drift, f"service {service}: spec: {'; '.join(drift)}"
