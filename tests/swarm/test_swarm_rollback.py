"""Seed 3.3 on a real Swarm: ``docker service rollback``, timed, healthy after, forward again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import Run, run_suite
from tests.swarm.cluster import Swarm
from tests.swarm.stacks import PROJECT, deploy, remove, wait_settled

STACK = "rdyswarm-rbk"


@pytest.fixture(scope="module")
def rollback_run(swarm: Swarm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Release 1.9.0 deployed, then 2.0.0 (cache has a previous spec), then the disruptive drill."""
    compose = PROJECT / "docker-compose.yml"
    try:
        deploy(swarm, STACK, compose, CACHE_IMAGE="hypercode/redis:1.9.0")
        wait_settled(swarm, STACK, 2)
        deploy(swarm, STACK, compose, CACHE_IMAGE="hypercode/redis:2.0.0")
        wait_settled(swarm, STACK, 2)
        yield run_suite(
            tmp_path_factory.mktemp("rbk"),
            "-m",
            "rollback",
            "--disruptive",
            f"--manifest={PROJECT / 'rollback-readiness.yml'}",
            f"--docker-host={swarm.manager_url}",
            "--wait-timeout=90",
        )
    finally:
        remove(swarm, STACK)


def test_service_rollback_drill_passes(rollback_run: Run, swarm: Swarm) -> None:
    """cache rolls back to 1.9.0 and forward to 2.0.0, healthy both times; the times are kept."""
    assert rollback_run.outcomes("SWM-07").get("cache") == "passed", rollback_run.output[-3000:]
    image = swarm.docker(
        "service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", f"{STACK}_cache"
    )
    assert image.strip().startswith("hypercode/redis:2.0.0"), f"left at {image!r}"


def test_service_without_previous_release_fails_the_drill(rollback_run: Run) -> None:
    """edge ran the same image in both releases: nothing to roll back to, SWM-07 fails."""
    assert rollback_run.outcomes("SWM-07").get("edge") == "failed", rollback_run.output[-3000:]
    assert "service edge: rollback drill: " in rollback_run.message("SWM-07", "edge")
    assert "no previous release to roll back to" in rollback_run.message("SWM-07", "edge")
    others = {c for c, _ in rollback_run.failing()} - {"SWM-07"}
    assert not others, f"other rollback checks failed: {others}"
