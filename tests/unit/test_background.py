"""Slow facts in the background: naming, selection, and the work running off the caller."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any, cast

import pytest

from fixtures.background import in_background, started_names


def test_a_background_fact_runs_its_body_in_a_worker_thread() -> None:
    def probe_started(value: int) -> tuple[int, str]:
        return value * 2, threading.current_thread().name

    future = in_background(probe_started)(21)
    doubled, thread = future.result(timeout=10)
    assert doubled == 42
    assert thread != threading.current_thread().name


def test_a_background_fact_errors_when_joined() -> None:
    def broken_started() -> None:
        raise RuntimeError("Could not reach PostgreSQL")

    future = in_background(broken_started)()
    with pytest.raises(RuntimeError, match="Could not reach PostgreSQL"):
        future.result(timeout=10)


def test_the_starter_must_be_named_after_its_fact() -> None:
    def database() -> None:
        return None

    with pytest.raises(TypeError, match="database: a background fact's fixture is named"):
        in_background(database)


def test_only_the_facts_the_selected_checks_need_are_started() -> None:
    items = [
        SimpleNamespace(fixturenames=["smoke_run", "smoke_run_started", "masker"]),
        SimpleNamespace(fixturenames=["database", "database_started"]),
        SimpleNamespace(fixturenames=["settled_stack"]),
    ]
    known = {"smoke_run_started", "database_started", "connectivity_started"}
    assert started_names(cast(Any, items), known) == ["database_started", "smoke_run_started"]
