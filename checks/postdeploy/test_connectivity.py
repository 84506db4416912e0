"""Seed 2.1 after launch: each service reaches its dependencies from inside the network."""

from __future__ import annotations

from typing import Any

from fixtures.checkmark import check
from fixtures.evidence import attach, attach_container
from fixtures.fix_postdeploy import connection_id
from readiness.backends.probes import Reach
from readiness.model.manifest import Connection
from readiness.model.masking import Masker
from readiness.operations.health import Settled


@check("CON-01")
def test_service_reaches_dependency(
    connection: Connection,
    connectivity: dict[str, Reach],
    settled_stack: Settled,
    docker_client: Any,
    masker: Masker,
) -> None:
    """The service opens a TCP connection to its dependency from inside its container."""
    result = connectivity[connection.id]
    if not result.ok:
        attach(f"probe {connection.id}", f"{result.error}\n{result.output}".strip(), masker)
        for attrs in settled_stack.live.of(connection.source)[:1]:
            attach_container(docker_client, attrs, masker, lines=20)
    assert result.ok, (
        f"{connection_id(connection)}: tcp connect from {result.container}: expected open, got "
        + (result.error or result.output or "failure")
    )
