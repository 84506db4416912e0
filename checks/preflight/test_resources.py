"""Seed 2.3 Resource Allocation: every service is limited, as the manifest's table says."""

from __future__ import annotations

from typing import Any

from fixtures.checkmark import check
from readiness.backends.compose import ComposeModel
from readiness.model.manifest import Manifest, parse_memory


def _limits(rendered: ComposeModel, service: str) -> dict[str, Any]:
    deploy = rendered.service(service).get("deploy") or {}
    return dict((deploy.get("resources") or {}).get("limits") or {})


def _size(value: int) -> str:
    for unit, factor in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if value >= factor and value % factor == 0:
            return f"{value // factor}{unit}"
    return f"{value} bytes"


@check("RES-01")
def test_cpu_limit(service: str, rendered: ComposeModel, manifest: Manifest) -> None:
    """Service has a CPU limit matching the manifest's table."""
    cpus = _limits(rendered, service).get("cpus")
    assert cpus not in (None, "", 0, "0"), (
        f"service {service}: deploy.resources.limits.cpus: expected a limit, got none"
    )
    declared = manifest.limits.get(service)
    if declared is not None:
        assert abs(float(cpus) - declared.cpus) < 1e-6, (
            f"service {service}: cpus limit: expected {declared.cpus:g}, got {float(cpus):g}"
        )


@check("RES-02")
def test_memory_limit(service: str, rendered: ComposeModel, manifest: Manifest) -> None:
    """Service has a memory limit matching the manifest's table."""
    memory = _limits(rendered, service).get("memory")
    assert memory not in (None, "", 0, "0"), (
        f"service {service}: deploy.resources.limits.memory: expected a limit, got none"
    )
    declared = manifest.limits.get(service)
    if declared is not None:
        got = parse_memory(memory)
        assert got == declared.memory, (
            f"service {service}: memory limit: expected {_size(declared.memory)}, got {_size(got)}"
        )
