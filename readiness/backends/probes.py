"""Probes from inside the containers (docker exec) and of the host's sockets (testinfra)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from readiness.backends.engine import LiveStack
from readiness.model.manifest import Connection

_SOCKET = re.compile(r"^(tcp|udp)://(.*):(\d+)$")


@dataclass(frozen=True)
class Reach:
    """The result of one TCP connect from inside a container."""

    connection: Connection
    container: str
    ok: bool
    output: str = ""
    error: str = ""


def tcp_probe_command(host: str, port: int, timeout: float) -> list[str]:
    """A TCP connect with bash's /dev/tcp, bounded by coreutils' timeout (Debian images)."""
    script = f"exec 3<>/dev/tcp/{shlex.quote(host)}/{int(port)}"
    return ["timeout", str(max(1, int(timeout))), "bash", "-c", script]


def reach(api: Any, source: ContainerRef, connection: Connection, timeout: float) -> Reach:
    """Connect from the source container to the connection's service and port (docker exec)."""
    command = tcp_probe_command(connection.dest, connection.port, timeout)
    try:
        exec_id = api.exec_create(source.id, command, stdout=True, stderr=True)["Id"]
        output = api.exec_start(exec_id) or b""
        code = api.exec_inspect(exec_id).get("ExitCode")
    except Exception as exc:  # the SDK raises APIError / NotFound / ConnectionError
        return Reach(connection, source.name, False, error=f"docker exec failed: {exc}")
    text = output.decode("utf-8", "replace").strip()
    if code == 124:
        text = (text + f" (no answer within {timeout:.0f} s)").strip()
    return Reach(connection, source.name, code == 0, output=text[-400:])


@dataclass(frozen=True)
class ContainerRef:
    """A container to exec into, named as in the snapshot (no further inspect needed)."""

    id: str
    name: str


def running_sources(live: LiveStack, connections: Iterable[Connection]) -> dict[str, ContainerRef]:
    """service -> the first running container of each connection's source, from the snapshot."""
    sources: dict[str, ContainerRef] = {}
    for conn in connections:
        running = [a for a in live.of(conn.source) if a["State"].get("Running")]
        if running:
            attrs = running[0]
            sources[conn.source] = ContainerRef(attrs["Id"], str(attrs["Name"]).lstrip("/"))
    return sources


def reach_all(
    api: Any, sources: dict[str, ContainerRef], connections: Iterable[Connection], timeout: float
) -> dict[str, Reach]:
    """Run every probe once, in parallel; a missing source container is recorded as such."""
    results: dict[str, Reach] = {}
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {}
        for conn in connections:
            source = sources.get(conn.source)
            if source is None:
                results[conn.id] = Reach(conn, "-", False, error="no running container")
            else:
                futures[conn.id] = pool.submit(reach, api, source, conn, timeout)
        for key, future in futures.items():
            results[key] = future.result()
    return results


def listening_ports(sockets: Iterable[str]) -> dict[int, list[str]]:
    """TCP port -> the listening addresses (``tcp://127.0.0.1:8443`` -> {8443: [...]})."""
    ports: dict[int, list[str]] = {}
    for spec in sockets:
        match = _SOCKET.match(spec)
        if match and match.group(1) == "tcp":
            ports.setdefault(int(match.group(3)), []).append(spec)
    return ports


def host_sockets(host_spec: str = "local://") -> list[str]:
    """The host's listening sockets through testinfra (one ``ss`` run)."""
    import testinfra

    host = testinfra.get_host(host_spec)
    return sorted(host.socket.get_listening_sockets())


def container_ports(attrs: dict[str, Any]) -> set[int]:
    """Ports the container exposes (image ``EXPOSE`` and compose ``expose``/``ports`` targets)."""
    exposed = (attrs.get("Config") or {}).get("ExposedPorts") or {}
    return {int(str(key).split("/")[0]) for key in exposed}


def published_host_ports(attrs: dict[str, Any]) -> set[int]:
    """Host ports the engine publishes for the container."""
    ports: set[int] = set()
    for bindings in ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).values():
        for binding in bindings or []:
            if binding.get("HostPort"):
                ports.add(int(binding["HostPort"]))
    return ports
