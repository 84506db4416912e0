"""Declared (rendered compose) versus live (docker inspect): pure comparisons, one per property."""

from __future__ import annotations

import re
from typing import Any

from readiness.model.manifest import parse_memory

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_NS = {
    "ns": 1,
    "us": 10**3,
    "µs": 10**3,
    "ms": 10**6,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}


def duration_ns(value: object) -> int:
    """Nanoseconds in a compose duration (``5s``, ``1m30s``, ``500ms``); 0 for none."""
    if value in (None, "", 0):
        return 0
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"expected a duration like 5s or 1m30s, got {value!r}")
    return int(sum(float(n) * _NS[u] for n, u in parts))


def human_ns(value: int) -> str:
    """``5s`` for 5_000_000_000 (whole seconds), else milliseconds."""
    return f"{value // 10**9}s" if value % 10**9 == 0 else f"{value / 10**6:g}ms"


# --- limits --------------------------------------------------------------------------------


def declared_limits(service: dict[str, Any]) -> tuple[int, int]:
    """(NanoCpus, Memory bytes) the service declares; 0 where it declares none."""
    limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    cpus = limits.get("cpus")
    memory = limits.get("memory")
    nano = round(float(cpus) * 1e9) if cpus not in (None, "") else 0
    return nano, parse_memory(memory) if memory not in (None, "") else 0


def live_limits(attrs: dict[str, Any]) -> tuple[int, int]:
    """(NanoCpus, Memory bytes) the container runs with; 0 means unlimited."""
    host = attrs.get("HostConfig") or {}
    return int(host.get("NanoCpus") or 0), int(host.get("Memory") or 0)


def describe_limits(limits: tuple[int, int]) -> str:
    """``cpus=2 memory=4096M`` (``unlimited`` for 0)."""
    nano, memory = limits
    cpus = f"{nano / 1e9:g}" if nano else "unlimited"
    mem = f"{memory // 1024**2}M" if memory else "unlimited"
    return f"cpus={cpus} memory={mem}"


# --- ports ---------------------------------------------------------------------------------


def declared_ports(service: dict[str, Any]) -> set[str]:
    """``127.0.0.1:8443->443/tcp`` for each port the service publishes."""
    found: set[str] = set()
    for port in service.get("ports") or []:
        if not isinstance(port, dict) or not port.get("published"):
            continue
        host_ip = port.get("host_ip") or "0.0.0.0"
        found.add(f"{host_ip}:{port['published']}->{port['target']}/{port.get('protocol', 'tcp')}")
    return found


def live_ports(attrs: dict[str, Any]) -> set[str]:
    """The container's port publications (``HostConfig.PortBindings``), same notation."""
    found: set[str] = set()
    bindings = (attrs.get("HostConfig") or {}).get("PortBindings") or {}
    for container_port, entries in bindings.items():
        target, _, proto = str(container_port).partition("/")
        for entry in entries or []:
            host_ip = entry.get("HostIp") or "0.0.0.0"
            found.add(f"{host_ip}:{entry.get('HostPort', '')}->{target}/{proto or 'tcp'}")
    return found


# --- networks ------------------------------------------------------------------------------


def live_networks(attrs: dict[str, Any]) -> set[str]:
    """Engine names of the networks the container is attached to."""
    return set((attrs.get("NetworkSettings") or {}).get("Networks") or {})


# --- healthcheck and image -----------------------------------------------------------------

HEALTH_FIELDS = (
    ("test", "Test"),
    ("interval", "Interval"),
    ("timeout", "Timeout"),
    ("retries", "Retries"),
    ("start_period", "StartPeriod"),
)


def declared_healthcheck(service: dict[str, Any]) -> dict[str, Any]:
    """The declared healthcheck in the engine's terms (durations in ns); empty if none."""
    check = service.get("healthcheck") or {}
    if not check:
        return {}
    if check.get("disable"):
        return {"test": ["NONE"]}
    test = check.get("test")
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    return {
        "test": [str(part).replace("$$", "$") for part in test or []],  # compose's escape
        "interval": duration_ns(check.get("interval")),
        "timeout": duration_ns(check.get("timeout")),
        "retries": int(check.get("retries") or 0),
        "start_period": duration_ns(check.get("start_period")),
    }


def live_healthcheck(attrs: dict[str, Any]) -> dict[str, Any]:
    """The container's healthcheck (``Config.Healthcheck``) in the same shape."""
    check = (attrs.get("Config") or {}).get("Healthcheck") or {}
    if not check:
        return {}
    return {
        name: (list(check.get(key) or []) if name == "test" else int(check.get(key) or 0))
        for name, key in HEALTH_FIELDS
    }


def healthcheck_differences(declared: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """``interval: expected 5s, got 30s`` for each field that differs (a 0 means default)."""
    if not declared and not live:
        return []
    if not live:
        return ["healthcheck: expected one, got none"]
    if not declared:
        return []  # the image's own HEALTHCHECK: nothing declared to drift from
    out = []
    for name, _ in HEALTH_FIELDS:
        want, got = declared.get(name), live.get(name)
        if name != "test" and not want:
            continue  # not declared: the engine's default applies
        if want != got:
            if name in ("interval", "timeout", "start_period"):
                out.append(
                    f"{name}: expected {human_ns(int(want or 0))}, got {human_ns(int(got or 0))}"
                )
            else:
                out.append(f"{name}: expected {want!r}, got {got!r}")
    return out


def live_image(attrs: dict[str, Any]) -> str:
    """The image reference the container was created from."""
    return str((attrs.get("Config") or {}).get("Image", ""))
