"""Seed 2.2 after launch: the host listens on no backend port (testinfra on the host)."""

from __future__ import annotations

from fixtures.checkmark import check
from readiness.backends.probes import container_ports, listening_ports, published_host_ports
from readiness.model.manifest import Manifest
from readiness.operations.health import Settled


@check("NET-04")
def test_host_listens_on_no_backend_port(
    backend_service: str, manifest: Manifest, settled_stack: Settled, listening_sockets: list[str]
) -> None:
    """The host listens on none of the backend service's ports (nor any port published for it)."""
    live = settled_stack.live
    ports = {c.port for c in manifest.connectivity if c.dest == backend_service}
    for attrs in live.of(backend_service):
        ports |= container_ports(attrs) | published_host_ports(attrs)
    public = {
        port
        for service in manifest.network.public_services
        for attrs in live.of(service)
        for port in published_host_ports(attrs)
    }
    listening = listening_ports(listening_sockets)
    exposed = sorted(spec for port in sorted(ports - public) for spec in listening.get(port, []))
    assert not exposed, (
        f"service {backend_service}: host sockets: expected none of ports {sorted(ports)} "
        f"listening on the host, got {', '.join(exposed)}"
    )
