"""The post-deploy suite against a real Swarm stack, and a planted fault per Swarm check.

``rdyswarm-app`` (tests/swarm/project/docker-compose.yml) is a healthy stack: the suite run with
``target.kind: swarm`` against the manager's socket must say READY, with the compose-only checks
N/A. ``rdyswarm-bad`` (faults.yml) holds one service per fault; each fault must fail its SWM
check (and the compose-era check that reads the same fact, where there is one) and no other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import Run, run_suite
from tests.swarm.cluster import Swarm
from tests.swarm.stacks import BAD, GOOD, PROJECT, deploy, remove, wait_settled

SWM = [f"SWM-0{n}" for n in range(1, 7)]


def _suite(swarm: Swarm, tmp: Path, manifest: str, *extra: str) -> Run:
    return run_suite(
        tmp,
        "-m",
        "postdeploy",
        f"--manifest={PROJECT / manifest}",
        f"--docker-host={swarm.manager_url}",
        *extra,
    )


@pytest.fixture(scope="module")
def good_run(swarm: Swarm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The healthy stack deployed, settled and checked once."""
    deploy(swarm, GOOD, PROJECT / "docker-compose.yml", CACHE_IMAGE="hypercode/redis:2.0.0")
    swarm.timings["good stack settled"] = wait_settled(swarm, GOOD, 2)
    try:
        start = time.monotonic()
        run = _suite(swarm, tmp_path_factory.mktemp("good"), "readiness.yml")
        swarm.timings["good suite run"] = time.monotonic() - start
        yield run
    finally:
        remove(swarm, GOOD)


@pytest.fixture(scope="module")
def bad_run(swarm: Swarm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """The fault stack deployed, the two hand-made faults planted, checked once."""
    deploy(swarm, BAD, PROJECT / "faults.yml")
    try:
        wait_settled(swarm, BAD, 5, skip=(f"{BAD}_unplaced",))
        swarm.docker("network", "create", "-d", "overlay", "rdyswarm-stray", check=False)
        swarm.docker("service", "update", "-d", "--replicas", "2", f"{BAD}_drifted")
        swarm.docker("service", "update", "-d", "--network-add", "rdyswarm-stray", f"{BAD}_rewired")
        wait_settled(swarm, BAD, 5, skip=(f"{BAD}_unplaced",))
        yield _suite(
            swarm, tmp_path_factory.mktemp("bad"), "faults-readiness.yml", "--wait-timeout=5"
        )
    finally:
        remove(swarm, BAD)


def test_healthy_swarm_stack_is_ready(good_run: Run) -> None:
    """READY on a healthy Swarm stack; every SWM check passed for both services."""
    assert good_run.verdict == "READY", good_run.output[-3000:]
    for check_id in [*SWM, "HLT-01", "DRF-01", "DRF-03", "DRF-04"]:
        assert good_run.outcomes(check_id) == {"cache": "passed", "edge": "passed"}, check_id


def test_compose_only_checks_are_na_on_swarm(good_run: Run) -> None:
    """Checks a manager cannot answer are N/A with the reason, never passed."""
    for check_id in ("DRF-02",):
        outcomes = set(good_run.outcomes(check_id).values())
        assert outcomes == {"n/a"}, f"{check_id}: {good_run.outcomes(check_id)}"
    assert "Swarm publishes on every node address" in good_run.output or any(
        "Swarm publishes" in r.get("message", "")
        for r in good_run.results
        if r["check"] == "DRF-02"
    )


@pytest.mark.parametrize(
    ("service", "check_id", "also", "words"),
    [
        ("unplaced", "SWM-01", {"HLT-01"}, "expected 1 running and healthy, got 0"),
        ("unlimited", "SWM-02", set(), "expected CPU and memory limits, got"),
        ("meshed", "SWM-03", set(), "publish mode: expected host, got 16380->6379/tcp (ingress)"),
        ("rewired", "SWM-04", {"DRF-03"}, "rdyswarm-stray"),
        ("unguarded", "SWM-05", set(), "expected update_config and rollback_config, got none"),
        ("drifted", "SWM-06", set(), "replicas: expected 1, got 2"),
    ],
)
def test_planted_swarm_fault_fails_its_check(
    bad_run: Run, service: str, check_id: str, also: set[str], words: str
) -> None:
    """The planted fault fails this check (with the operator's message) and nothing unrelated."""
    assert bad_run.verdict == "NOT READY", bad_run.output[-3000:]
    failing = {check for check, subject in bad_run.failing() if subject == service}
    assert check_id in failing, f"{service}: {bad_run.outcomes(check_id)}\n{bad_run.output[-3000:]}"
    assert failing <= {check_id, *also}, f"{service}: unexpected failures {failing}"
    message = bad_run.message(check_id, service)
    assert words in message, message
    assert "Fix:" in message or "Fix" in bad_run.output, message
