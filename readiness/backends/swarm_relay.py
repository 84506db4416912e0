"""Reaching a Swarm stack's internal services from the machine the suite runs on.

On a compose project the suite connects to a container's address on the stack's bridge network.
A Swarm stack's internal network is an overlay that only its tasks can reach, so the post-deploy
run starts one **relay**: a service outside the stack (``<stack>-readiness-relay-<pid>``, label
``com.readiness.relay``), on the stack's internal network, pinned to a manager node, running a
few lines of ``python3`` that forward each host-mode published port (chosen by the engine) to one
``service:port`` the manifest names (Prometheus, PostgreSQL, Grafana, the agents). The suite then
connects to ``<manager address>:<published port>``. The relay only forwards TCP; it is removed
when the run ends (or when it fails to start).

Also here: :class:`LoopbackForward`, a thread forwarding ``127.0.0.1:<free port>`` to an address,
for a program that can only be given a URL on this machine (the project's smoke test).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from readiness.backends.swarm import node_address
from readiness.model.errors import ProbeError

RELAY_LABEL = "com.readiness.relay"

_FORWARDER = """
import asyncio, sys
ROUTES = [(int(a), h, int(p)) for a, h, p in (x.split(":") for x in sys.argv[1:])]
async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()
def handler(host, port):
    async def handle(reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
    return handle
async def main():
    for listen, host, port in ROUTES:
        await asyncio.start_server(handler(host, port), "0.0.0.0", listen)
    await asyncio.Event().wait()
asyncio.run(main())
"""

_FIRST_PORT = 17000


@dataclass
class Relay:
    """The running relay: (service, port) -> (address, port) this machine connects to."""

    name: str = ""
    endpoints: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)
    error: str = ""


def start_relay(
    client: Any,
    stack: str,
    network: str,
    image: str,
    targets: list[tuple[str, int]],
    timeout: float = 60,
) -> Relay:
    """Start the relay for ``targets`` and wait until its task runs; ``error`` says why not."""
    import docker
    from docker.types import EndpointSpec, Healthcheck, Placement

    name = f"{stack}-readiness-relay-{os.getpid()}"
    wanted = sorted(set(targets))
    routes = {_FIRST_PORT + i: target for i, target in enumerate(wanted)}
    args = [f"{listen}:{svc}:{port}" for listen, (svc, port) in routes.items()]
    try:
        service = client.services.create(
            image,
            command=["python3", "-c", _FORWARDER, *args],
            name=name,
            labels={RELAY_LABEL: stack},
            networks=[network],
            endpoint_spec=EndpointSpec(
                mode="dnsrr",
                ports={listen: (listen, "tcp", "host") for listen in routes},
            ),
            constraints=Placement(constraints=["node.role==manager"])["Constraints"],
            healthcheck=Healthcheck(test=["NONE"]),
        )
    except docker.errors.DockerException as exc:
        return Relay(error=f"the relay service {name} could not be created: {exc}")
    relay = Relay(name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            tasks = client.api.tasks(filters={"service": service.id, "desired-state": "running"})
            node_id = next(
                (t["NodeID"] for t in tasks if (t.get("Status") or {}).get("State") == "running"),
                "",
            )
            if node_id:
                address = node_address(client.api.inspect_node(node_id))
                relay.endpoints = {t: (address, listen) for listen, t in routes.items()}
                if _answers(address, next(iter(routes)), deadline):
                    return relay
                break
        except docker.errors.DockerException as exc:
            relay.error = str(exc)
            break
        time.sleep(0.5)
    stop_relay(client, relay)
    return Relay(
        name,
        error=f"the relay service {name} ({image}) did not run within {timeout:.0f} s"
        + (f": {relay.error}" if relay.error else ""),
    )


def _answers(address: str, port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((address, port), timeout=2):
            return True
        time.sleep(0.3)
    return False


def stop_relay(client: Any, relay: Relay) -> None:
    """Remove the relay service (nothing if it was never created)."""
    import docker

    if relay.name:
        with contextlib.suppress(docker.errors.DockerException):
            client.api.remove_service(relay.name)


def endpoint(relay: Relay, service: str, port: int) -> tuple[str, int]:
    """Where this machine reaches ``service:port`` through the relay; ProbeError if it cannot."""
    if relay.error:
        raise ProbeError(f"Could not check: {service}:{port} on Swarm: {relay.error}")
    found = relay.endpoints.get((service, port))
    if found is None:
        raise ProbeError(f"Could not check: {service}:{port} on Swarm: the relay does not carry it")
    return found


class LoopbackForward:
    """``127.0.0.1:<free port>`` forwarded to ``address:port`` by a thread, while in ``with``."""

    def __init__(self, address: str, port: int) -> None:
        self.target = (address, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> LoopbackForward:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._carry, args=(conn,), daemon=True).start()

    def _carry(self, conn: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            conn.close()
            return
        back = threading.Thread(target=_copy, args=(upstream, conn), daemon=True)
        back.start()
        _copy(conn, upstream)
        back.join()
        upstream.close()
        conn.close()


def _copy(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
