"""Host checks after launch, on every host testinfra is given: no backend port listening
(the per-host form of the local listening-socket check)."""

from __future__ import annotations

from typing import Any

from fixtures.checkmark import check
from fixtures.host_targets import judged
from readiness.backends.hosts import HostFacts
from readiness.model.manifest import Manifest
from readiness.parsers import host_rules


@check("HST-07")
def test_host_listens_on_no_backend_port(
    host: Any, host_facts: HostFacts, manifest: Manifest
) -> None:
    """The host listens (on any address) on none of the backend ports."""
    ports = manifest.host_backend_ports
    assert ports, (
        f"{host_facts.host}: backend ports: expected hosts.backend_ports or connectivity to "
        "the backend services in the manifest, got none"
    )
    message = host_rules.no_backend_listening(host_facts, ports)
    assert judged(host_facts, message) is None, message
