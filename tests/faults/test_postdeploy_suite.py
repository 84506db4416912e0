"""The post-deploy suite as a whole: healthy verdict, time to healthy, xdist gives the same."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from readiness.model.catalogue import CATALOGUE, Suite
from tests.conftest import live_args
from tests.engine_proxy import EngineProxy
from tests.faults.live_fault import postdeploy
from tests.harness import Run, run_suite

pytestmark = pytest.mark.live


def test_postdeploy_healthy_stack_is_ready_at_most_with_warnings(postdeploy_baseline: Run) -> None:
    """The healthy reference stack: every post-deploy ID ran, verdict READY (WITH WARNINGS)."""
    assert postdeploy_baseline.verdict in ("READY", "READY WITH WARNINGS"), (
        f"{sorted(postdeploy_baseline.failing())}\n{postdeploy_baseline.output[-3000:]}"
    )
    ran = {r["check"] for r in postdeploy_baseline.results}
    wanted = {cid for cid, spec in CATALOGUE.items() if spec.suite is Suite.POSTDEPLOY}
    assert wanted <= ran, f"post-deploy IDs that did not run: {sorted(wanted - ran)}"


def test_hlt01_reports_time_to_healthy(postdeploy_baseline: Run) -> None:
    """HLT-01 reports each service's time to healthy in the terminal summary."""
    output = postdeploy_baseline.output
    assert "time to healthy (HLT-01)" in output
    assert "hypercode-core" in output.split("time to healthy (HLT-01)", 1)[1]


def test_postdeploy_xdist_gives_the_same_verdict(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """``-n 2`` gives the same verdict and the same outcome per check and subject as serial."""
    started = time.monotonic()
    parallel = postdeploy(tmp_path, live_stack_up, "-n", "2")
    elapsed = time.monotonic() - started
    assert parallel.verdict == postdeploy_baseline.verdict
    serial = {(r["check"], r["subject"]): r["outcome"] for r in postdeploy_baseline.results}
    both = {(r["check"], r["subject"]): r["outcome"] for r in parallel.results}
    assert both == serial
    print(f"post-deploy suite with -n 2: {elapsed:.1f} s")


def test_postdeploy_lists_once_and_inspects_each_container_once(
    live_stack_up: str, tmp_path: Path
) -> None:
    """Facts are gathered once: one container listing, one inspect per container, per session."""
    with EngineProxy(tmp_path / "engine.sock") as proxy:
        run = run_suite(
            tmp_path,
            "-m",
            "postdeploy",
            *live_args(live_stack_up),
            f"--docker-host={proxy.url}",
            env={"DOCKER_HOST": proxy.url},
        )
    assert run.verdict in ("READY", "READY WITH WARNINGS"), run.output[-3000:]
    listings = proxy.count("GET", r"/containers/json")
    inspects = {
        key: n
        for key, n in proxy.requests.items()
        if re.fullmatch(r"GET /containers/[0-9a-f]{12,}/json", key)
    }
    assert listings == 1, f"container listings: expected 1, got {listings}: {proxy.requests}"
    assert inspects, "no container was inspected through the proxy"
    assert set(inspects.values()) == {1}, f"inspects per container: expected 1 each: {inspects}"
