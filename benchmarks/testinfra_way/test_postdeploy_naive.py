"""Health and drift (HLT-01, DRF-01..04) the usual testinfra way: host.docker() per check,
one docker-backend call (a `docker inspect`) per property read."""

from __future__ import annotations

import re
from typing import Any

import pytest

from benchmarks.testinfra_way.conftest import COMPOSE, PROJECT, SERVICES, container


def _declared(service: str) -> dict[str, Any]:
    return dict(COMPOSE["services"][service])


_UNITS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def _duration_ns(text: str | None) -> int:
    """A Go duration (``5m0s``, ``1.5s``) in nanoseconds."""
    parts = re.findall(r"([\d.]+)(ns|us|ms|s|m|h)", text or "")
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


@pytest.mark.parametrize("service", SERVICES)
def test_running_and_healthy(host: Any, service: str) -> None:
    c = host.docker(container(service))
    assert c.is_running
    health = (c.inspect()["State"].get("Health") or {}).get("Status", "none")
    assert health in ("healthy", "none")


@pytest.mark.parametrize("service", SERVICES)
def test_limits(host: Any, service: str) -> None:
    limits = ((_declared(service).get("deploy") or {}).get("resources") or {}).get("limits") or {}
    c = host.docker(container(service))
    cpus = c.inspect()["HostConfig"]["NanoCpus"]
    memory = c.inspect()["HostConfig"]["Memory"]
    assert cpus == int(float(limits.get("cpus", 0)) * 1e9)
    assert memory == int(limits.get("memory", 0))


@pytest.mark.parametrize("service", SERVICES)
def test_ports(host: Any, service: str) -> None:
    declared = {
        (str(p.get("host_ip", "")), str(p.get("published")), str(p["target"]))
        for p in _declared(service).get("ports") or []
        if p.get("published")
    }
    bindings = host.docker(container(service)).inspect()["HostConfig"]["PortBindings"] or {}
    live = {
        (b.get("HostIp", ""), b.get("HostPort"), key.split("/")[0])
        for key, binds in bindings.items()
        for b in binds or []
    }
    assert live == declared


@pytest.mark.parametrize("service", SERVICES)
def test_networks(host: Any, service: str) -> None:
    declared = {
        COMPOSE["networks"][key].get("name", f"{PROJECT}_{key}")
        for key in (_declared(service).get("networks") or {"default": None})
    }
    live = set(host.docker(container(service)).inspect()["NetworkSettings"]["Networks"])
    assert live == declared


@pytest.mark.parametrize("service", SERVICES)
def test_healthcheck_and_image(host: Any, service: str) -> None:
    declared = _declared(service)
    check = declared.get("healthcheck") or {}
    c = host.docker(container(service))
    live = c.inspect()["Config"].get("Healthcheck") or {}
    image = c.inspect()["Config"]["Image"]
    assert live.get("Test") == [str(t).replace("$$", "$") for t in check.get("test") or []]
    assert live.get("Interval", 0) == _duration_ns(check.get("interval"))
    assert live.get("Retries", 0) == check.get("retries", 0)
    assert image == declared.get("image")
