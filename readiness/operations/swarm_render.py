"""The compose files rendered for ``docker stack deploy``: what differs on Swarm, nothing else.

``docker stack deploy`` reads the compose format of API 1.41 engines and ignores or rejects what
only ``docker compose`` knows. :func:`for_swarm` takes the project as ``docker compose config``
renders it and returns a stack file:

- dropped: ``build``, ``depends_on`` (Swarm restarts a task until its dependencies answer),
  ``restart`` (``deploy.restart_policy`` is Swarm's), ``container_name``, ``security_opt``
  (not supported by Swarm services), the healthcheck's ``start_interval`` (API 1.44), null keys,
  the project ``name`` and ``x-`` extensions, the ``name`` of networks and volumes (the stack
  prefixes its own);
- networks become ``overlay``;
- published ports lose ``host_ip`` (Swarm publishes on every address of the node) and take the
  ``port_mode`` given (``host`` where the kernel has no IPVS for the routing mesh);
- every service gets ``endpoint_mode`` (``dnsrr`` without IPVS) and, where it declares none, the
  given ``update_config`` / ``rollback_config``;
- each service's ``environment`` is taken from the un-interpolated render, so secrets stay
  ``${VAR}`` references that ``docker stack deploy`` fills from its environment: the stack file
  holds no secret value.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from readiness.model.errors import EngineError

DROPPED = ("build", "depends_on", "restart", "container_name", "security_opt", "pull_policy")
DEFAULT_UPDATE = {"parallelism": 1, "order": "stop-first", "failure_action": "rollback"}
DEFAULT_ROLLBACK = {"parallelism": 1, "order": "stop-first"}


def for_swarm(
    rendered: dict[str, Any],
    uninterpolated: dict[str, Any] | None = None,
    *,
    port_mode: str = "ingress",
    endpoint_mode: str = "vip",
    update_config: dict[str, Any] | None = None,
    rollback_config: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The stack file for ``rendered`` (a ``docker compose config --format json`` document)."""
    raw_services = (uninterpolated or {}).get("services") or {}
    services = {
        name: _service(
            spec,
            raw_services.get(name) or {},
            port_mode,
            endpoint_mode,
            update_config if update_config is not None else DEFAULT_UPDATE,
            rollback_config if rollback_config is not None else DEFAULT_ROLLBACK,
        )
        for name, spec in sorted((rendered.get("services") or {}).items())
    }
    out: dict[str, Any] = {"services": services}
    networks = {
        key: {**_without(net or {}, "name", "driver"), "driver": "overlay"}
        for key, net in (rendered.get("networks") or {}).items()
    }
    if networks:
        out["networks"] = networks
    volumes = {
        key: _without(vol or {}, "name") for key, vol in (rendered.get("volumes") or {}).items()
    }
    if volumes:
        out["volumes"] = volumes
    return out


def _without(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k not in keys and v is not None}


def _service(
    spec: dict[str, Any],
    raw: dict[str, Any],
    port_mode: str,
    endpoint_mode: str,
    update: dict[str, Any],
    rollback: dict[str, Any],
) -> dict[str, Any]:
    out = _without(spec, *DROPPED)
    if "healthcheck" in out:
        out["healthcheck"] = _without(out["healthcheck"], "start_interval")
    if raw.get("environment") is not None:
        out["environment"] = raw["environment"]
    if out.get("ports"):
        out["ports"] = [_port(p, port_mode) for p in out["ports"]]
    if out.get("volumes"):
        out["volumes"] = [_without(v, "bind") if isinstance(v, dict) else v for v in out["volumes"]]
    deploy = _without(out.get("deploy") or {}, "placement")
    if (spec.get("deploy") or {}).get("placement"):
        deploy["placement"] = spec["deploy"]["placement"]
    limits = ((deploy.get("resources") or {}).get("limits")) or {}
    if "cpus" in limits:
        limits["cpus"] = str(limits["cpus"])
    deploy.setdefault("endpoint_mode", endpoint_mode)
    deploy.setdefault("update_config", dict(update))
    deploy.setdefault("rollback_config", dict(rollback))
    out["deploy"] = deploy
    return out


def _port(port: Any, mode: str) -> Any:
    if not isinstance(port, dict):
        return port
    out = _without(port, "host_ip", "mode", "name", "app_protocol")
    if "published" in out:
        out["published"] = int(out["published"])
    out["mode"] = mode
    return out


def render_project(
    compose_command: list[str], timeout: float = 60
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``docker compose config`` of the project, interpolated and not; EngineError if it fails."""
    docs = []
    for extra in ([], ["--no-interpolate"]):
        try:
            proc = subprocess.run(
                [*compose_command, "config", "--format", "json", *extra],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EngineError(f"docker compose config: {exc}") from None
        if proc.returncode != 0:
            raise EngineError(f"docker compose config: {proc.stderr.strip()[:400]}")
        docs.append(json.loads(proc.stdout))
    return docs[0], docs[1]
