"""Waiting for the stack to settle, kept apart from checking: bounded and named."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from readiness.backends.engine import LiveStack

_PENDING_HEALTH = {"starting"}
_PENDING_STATE = {"created", "restarting"}


def container_state(attrs: dict[str, Any]) -> tuple[str, str]:
    """(state, health) of one inspected container; health is ``none`` without a healthcheck."""
    state = attrs.get("State", {})
    health = (state.get("Health") or {}).get("Status", "none")
    return str(state.get("Status", "unknown")), str(health)


def healthy_state(status: str, health: str) -> bool:
    """Running, and healthy when it has a healthcheck (``none``: it has none)."""
    return status == "running" and health in ("healthy", "none")


def is_healthy(attrs: dict[str, Any]) -> bool:
    """Running, and healthy when it has a healthcheck."""
    return healthy_state(*container_state(attrs))


def is_pending(attrs: dict[str, Any]) -> bool:
    """Still on its way: starting its healthcheck, created or restarting."""
    status, health = container_state(attrs)
    return status in _PENDING_STATE or (status == "running" and health in _PENDING_HEALTH)


@dataclass
class Settled:
    """The snapshot the checks read, and how long each service took to become healthy."""

    live: LiveStack
    waited: float = 0.0
    time_to_healthy: dict[str, float] = field(default_factory=dict)
    still_pending: tuple[str, ...] = ()


def wait_until_settled(
    take_snapshot: Callable[[], LiveStack],
    services: Iterable[str],
    timeout: float,
    poll: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Settled:
    """Re-list only while some service is still starting; stop at ``timeout`` seconds."""
    wanted = sorted(set(services))
    start = clock()
    times: dict[str, float] = {}
    while True:
        live = take_snapshot()
        elapsed = clock() - start
        if not live.ok:
            return Settled(live, elapsed)
        pending = []
        for service in wanted:
            containers = live.of(service)
            if containers and all(is_healthy(c) for c in containers):
                times.setdefault(service, elapsed)
            elif any(is_pending(c) for c in containers):
                pending.append(service)
        if not pending or elapsed >= timeout:
            return Settled(live, elapsed, times, tuple(pending))
        sleep(poll)
