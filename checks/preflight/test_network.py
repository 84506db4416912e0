"""Seed 2.2 Network isolation, from the rendered configuration (before anything runs)."""

from __future__ import annotations

from fixtures.checkmark import check
from readiness.backends.compose import ComposeModel
from readiness.model.manifest import Manifest


def _published(rendered: ComposeModel, service: str) -> list[dict[str, object]]:
    return [p for p in rendered.service(service).get("ports") or [] if p.get("published")]


def _describe(port: dict[str, object]) -> str:
    host_ip = port.get("host_ip") or "0.0.0.0"
    return f"{host_ip}:{port.get('published')}->{port.get('target')}/{port.get('protocol', 'tcp')}"


@check("NET-01")
def test_only_public_services_publish(
    service: str, rendered: ComposeModel, manifest: Manifest
) -> None:
    """Only the manifest's public services publish ports."""
    if service in manifest.network.public_services:
        return
    ports = _published(rendered, service)
    assert not ports, (
        f"service {service}: published ports: expected none (public: "
        f"{', '.join(manifest.network.public_services)}), got {', '.join(map(_describe, ports))}"
    )


@check("NET-02")
def test_ports_bind_allowed_addresses(
    service: str, rendered: ComposeModel, manifest: Manifest
) -> None:
    """Published ports bind only the allowed host addresses (e.g. 127.0.0.1)."""
    allowed = manifest.network.allowed_host_ips
    bad = [
        p for p in _published(rendered, service) if (p.get("host_ip") or "0.0.0.0") not in allowed
    ]
    assert not bad, (
        f"service {service}: host address: expected {', '.join(allowed)}, "
        f"got {', '.join(map(_describe, bad))}"
    )


@check("NET-03")
def test_backend_only_on_internal_network(
    backend_service: str, rendered: ComposeModel, manifest: Manifest
) -> None:
    """Backend services are attached to the internal network only."""
    assert backend_service in rendered.services, (
        f"service {backend_service}: declared: expected a backend service, got not in compose"
    )
    networks = rendered.service_networks(backend_service)
    assert networks == [manifest.network.internal], (
        f"service {backend_service}: networks: expected only {manifest.network.internal}, "
        f"got {', '.join(networks)}"
    )
