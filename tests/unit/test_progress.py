"""Progress of long runbook steps: a line per change in a log, periodic on a terminal."""

from __future__ import annotations

from readiness.operations.progress import Waiting


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _run(tty: bool, states: list[str]) -> list[str]:
    clock, said = Clock(), list[str]()
    waiting = Waiting(said.append, timeout=300, tty=tty, clock=clock)
    for what in states:  # one poll every 0.5 s
        waiting.update(what)
        clock.now += 0.5
    return said


def test_in_a_log_one_line_per_change_plus_a_heartbeat() -> None:
    states = ["a (starting), b (starting)"] * 40 + ["b (starting)"] * 200
    said = _run(tty=False, states=states)
    assert said == [
        "  ... 0s of 300s: waiting for a (starting), b (starting)",
        "  ... 20s of 300s: waiting for b (starting)",
        "  ... 80s of 300s: waiting for b (starting)",
    ]


def test_on_a_terminal_every_ten_seconds_and_on_change() -> None:
    said = _run(tty=True, states=["a (starting)"] * 50 + ["a (unhealthy)"])
    assert [line.split(":")[0] for line in said] == [
        "  ... 0s of 300s",
        "  ... 10s of 300s",
        "  ... 20s of 300s",
        "  ... 25s of 300s",
    ]
    assert said[-1].endswith("waiting for a (unhealthy)")
