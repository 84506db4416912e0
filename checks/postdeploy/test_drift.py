"""Seed 2.2/2.3 after launch: what runs is what was declared (limits, ports, networks, health)."""

from __future__ import annotations

from typing import Any

from fixtures.checkmark import After, check
from fixtures.evidence import attach, inspect_excerpt
from readiness.backends.compose import ComposeModel
from readiness.model.masking import Masker
from readiness.operations.health import Settled
from readiness.parsers.drift import (
    declared_healthcheck,
    declared_limits,
    declared_ports,
    describe_limits,
    healthcheck_differences,
    live_healthcheck,
    live_image,
    live_limits,
    live_networks,
    live_ports,
)


def _containers(settled: Settled, service: str, after: After) -> list[dict[str, Any]]:
    """The service's containers; a missing one is HLT-01's finding, not a drift."""
    containers = settled.live.of(service)
    after.require(bool(containers), f"service {service}: no container")
    return containers


def _name(attrs: dict[str, Any]) -> str:
    return str(attrs.get("Name", "?")).lstrip("/")


def _evidence(attrs: dict[str, Any], masker: Masker) -> None:
    attach(f"{_name(attrs)} inspect (excerpt)", inspect_excerpt(attrs), masker)


@check("DRF-01")
def test_live_limits_equal_declared(
    service: str, rendered: ComposeModel, settled_stack: Settled, masker: Masker, after: After
) -> None:
    """Live CPU and memory limits (HostConfig) equal the declared ones."""
    declared = declared_limits(rendered.service(service))
    for attrs in _containers(settled_stack, service, after):
        live = live_limits(attrs)
        if live != declared:
            _evidence(attrs, masker)
        assert live == declared, (
            f"service {service}: container {_name(attrs)}: limits: expected "
            f"{describe_limits(declared)}, got {describe_limits(live)}"
        )


@check("DRF-02")
def test_live_ports_equal_declared(
    service: str, rendered: ComposeModel, settled_stack: Settled, masker: Masker, after: After
) -> None:
    """Live published ports equal the declared ones (no stray publication)."""
    declared = declared_ports(rendered.service(service))
    for attrs in _containers(settled_stack, service, after):
        live = live_ports(attrs)
        if live != declared:
            _evidence(attrs, masker)
        extra, missing = sorted(live - declared), sorted(declared - live)
        assert live == declared, (
            f"service {service}: container {_name(attrs)}: published ports: expected "
            f"{sorted(declared) or 'none'}, got {sorted(live) or 'none'}"
            + (f"; not declared: {extra}" if extra else "")
            + (f"; missing: {missing}" if missing else "")
        )


@check("DRF-03")
def test_live_networks_equal_declared(
    service: str, rendered: ComposeModel, settled_stack: Settled, masker: Masker, after: After
) -> None:
    """Live networks equal the declared ones."""
    declared = {rendered.network_name(key) for key in rendered.service_networks(service)}
    for attrs in _containers(settled_stack, service, after):
        live = live_networks(attrs)
        if live != declared:
            _evidence(attrs, masker)
        assert live == declared, (
            f"service {service}: container {_name(attrs)}: networks: expected "
            f"{sorted(declared)}, got {sorted(live) or 'none'}"
        )


@check("DRF-04")
def test_live_healthcheck_and_image_equal_declared(
    service: str, rendered: ComposeModel, settled_stack: Settled, masker: Masker, after: After
) -> None:
    """Live healthcheck and image equal the declared ones."""
    definition = rendered.service(service)
    declared_health = declared_healthcheck(definition)
    declared_image = str(definition.get("image", ""))
    for attrs in _containers(settled_stack, service, after):
        problems = healthcheck_differences(declared_health, live_healthcheck(attrs))
        image = live_image(attrs)
        if declared_image and image != declared_image:
            problems.insert(0, f"image: expected {declared_image}, got {image}")
        if problems:
            _evidence(attrs, masker)
        assert not problems, f"service {service}: container {_name(attrs)}: " + "; ".join(problems)
