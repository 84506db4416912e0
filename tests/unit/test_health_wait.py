"""The bounded health wait: re-lists only while a service is starting, stops at the bound."""

from __future__ import annotations

from typing import Any

from readiness.backends.engine import LiveStack
from readiness.operations.health import is_healthy, wait_until_settled


def _container(status: str, health: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {"Status": status}
    if health is not None:
        state["Health"] = {"Status": health}
    return {"State": state}


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_settled_stack_is_listed_once() -> None:
    calls = []

    def take() -> LiveStack:
        calls.append(1)
        return LiveStack({"db": [_container("running", "healthy")]})

    clock = _Clock()
    settled = wait_until_settled(take, ["db"], timeout=30, clock=clock, sleep=clock.sleep)
    assert len(calls) == 1
    assert settled.time_to_healthy == {"db": 0.0}
    assert settled.still_pending == ()


def test_starting_service_is_waited_for_until_healthy() -> None:
    states = iter(["starting", "starting", "healthy"])

    def take() -> LiveStack:
        return LiveStack({"db": [_container("running", next(states))]})

    clock = _Clock()
    settled = wait_until_settled(take, ["db"], timeout=30, poll=2, clock=clock, sleep=clock.sleep)
    assert settled.time_to_healthy == {"db": 4.0}


def test_wait_stops_at_the_bound_and_names_what_is_pending() -> None:
    def take() -> LiveStack:
        return LiveStack({"db": [_container("running", "starting")]})

    clock = _Clock()
    settled = wait_until_settled(take, ["db"], timeout=5, poll=1, clock=clock, sleep=clock.sleep)
    assert settled.still_pending == ("db",)
    assert settled.waited == 5


def test_exited_or_missing_services_are_not_waited_for() -> None:
    def take() -> LiveStack:
        return LiveStack({"db": [_container("exited", None)]})

    clock = _Clock()
    settled = wait_until_settled(take, ["db", "cache"], timeout=60, clock=clock, sleep=clock.sleep)
    assert settled.waited == 0
    assert settled.time_to_healthy == {}


def test_unreachable_engine_ends_the_wait() -> None:
    clock = _Clock()
    settled = wait_until_settled(
        lambda: LiveStack(error="no engine"), ["db"], timeout=60, clock=clock, sleep=clock.sleep
    )
    assert not settled.live.ok


def test_healthy_means_running_and_healthy_or_without_healthcheck() -> None:
    assert is_healthy(_container("running", "healthy"))
    assert is_healthy(_container("running", None))
    assert not is_healthy(_container("running", "unhealthy"))
    assert not is_healthy(_container("paused", "healthy"))
