"""A Swarm service spec against what the compose files and the manifest declare (pure logic)."""

from __future__ import annotations

from typing import Any

from readiness.backends.swarm import SwarmService
from readiness.parsers.drift import (
    declared_healthcheck,
    declared_limits,
    describe_limits,
    healthcheck_differences,
    live_healthcheck,
)


def spec_limits(service: SwarmService) -> tuple[int, int]:
    """(NanoCPUs, MemoryBytes) of the service spec; 0 where it sets none."""
    limits = service.limits
    return int(limits.get("NanoCPUs") or 0), int(limits.get("MemoryBytes") or 0)


def declared_ports(service: dict[str, Any]) -> set[str]:
    """``8443->443/tcp`` for each port the compose service publishes."""
    found = set()
    for port in service.get("ports") or []:
        if isinstance(port, dict) and port.get("published"):
            proto = port.get("protocol") or "tcp"
            found.add(f"{port['published']}->{port['target']}/{proto}")
    return found


def spec_ports(service: SwarmService) -> dict[str, str]:
    """``8443->443/tcp`` -> publish mode (``ingress``/``host``) for each port of the spec."""
    return {
        f"{p.get('PublishedPort')}->{p.get('TargetPort')}/{p.get('Protocol') or 'tcp'}": str(
            p.get("PublishMode") or "ingress"
        )
        for p in service.ports
        if p.get("PublishedPort")
    }


def spec_image(service: SwarmService) -> str:
    """The image of the spec, without the ``@sha256:`` digest a deploy may pin."""
    return str(service.container_spec.get("Image", "")).split("@")[0]


def declared_replicas(service: dict[str, Any]) -> int | None:
    """Replicas the compose service declares (1 by default; None for ``mode: global``)."""
    deploy = service.get("deploy") or {}
    if deploy.get("mode") == "global":
        return None
    replicas = deploy.get("replicas")
    return 1 if replicas is None else int(replicas)


def spec_differences(declared: dict[str, Any], service: SwarmService) -> list[str]:
    """``image: expected X, got Y`` for image, replicas, limits and healthcheck that differ."""
    out = []
    if (want := str(declared.get("image", ""))) and want != (got := spec_image(service)):
        out.append(f"image: expected {want}, got {got}")
    if (want_n := declared_replicas(declared)) != (got_n := service.replicas):
        want_r, got_r = ("global" if n is None else n for n in (want_n, got_n))
        out.append(f"replicas: expected {want_r}, got {got_r}")
    if (limits := declared_limits(declared)) != (live := spec_limits(service)):
        out.append(f"limits: expected {describe_limits(limits)}, got {describe_limits(live)}")
    live_check = live_healthcheck(
        {"Config": {"Healthcheck": service.container_spec.get("Healthcheck")}}
    )
    out += healthcheck_differences(declared_healthcheck(declared), live_check)
    return out
