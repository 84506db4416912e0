"""Issue 11 proof: the reference HyperCode stack deployed as a Swarm stack passes post-deploy.

The twelve ``hypercode/*:2.0.0`` images are loaded into the three nodes, the reference compose
files are rendered for Swarm (``tests/swarm/reference.py``) and deployed with ``docker stack
deploy`` as ``rdyswarm-ref``; the suite runs against the manager with the reference manifest
(target kind ``swarm``). Then two faults are planted on the live stack by hand, as an operator
might: hypercode-core's memory limit lowered with ``docker service update --limit-memory`` and
project-strategist given a placement constraint no node satisfies, and the verdict must flip,
each fault named by its checks and nothing else failing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.parsers.envfile import read_env
from tests.harness import STACK, Run, run_suite
from tests.swarm.cluster import Swarm, load_images
from tests.swarm.reference import IMAGES, REF, SERVICES, write_reference
from tests.swarm.stacks import deploy, remove, wait_settled

RELAYED = ("DB", "PRM", "GRF", "AGT")
"""Check prefixes whose facts come through the relay on the overlay network."""
PUBLISHED = ("TLS", "RTE", "SMK")
"""Check prefixes whose facts come from the ports nginx publishes on its node."""


def _suite(swarm: Swarm, tmp: Path, manifest: Path, *extra: str) -> Run:
    return run_suite(
        tmp, "-m", "postdeploy", f"--manifest={manifest}", f"--docker-host={swarm.manager_url}",
        *extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def reference(swarm: Swarm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The reference stack deployed on the Swarm and settled; its manifest. Removed after."""
    start = time.monotonic()
    load_images(swarm, IMAGES)
    swarm.timings["reference images loaded"] = time.monotonic() - start
    stack_file, manifest = write_reference(tmp_path_factory.mktemp("ref"))
    try:
        deploy(swarm, REF, stack_file, **read_env(STACK / ".env"))
        swarm.timings["reference settled"] = wait_settled(swarm, REF, len(SERVICES))
        yield manifest
    finally:
        remove(swarm, REF)


@pytest.fixture(scope="module")
def healthy_run(swarm: Swarm, reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The post-deploy suite against the settled reference stack."""
    start = time.monotonic()
    run = _suite(swarm, tmp_path_factory.mktemp("ref-ok"), reference, "--wait-timeout=120")
    swarm.timings["reference suite"] = time.monotonic() - start
    return run


@pytest.fixture(scope="module")
def faulty_run(
    swarm: Swarm, reference: Path, healthy_run: Run, tmp_path_factory: pytest.TempPathFactory
) -> Run:
    """The same stack after two faults planted by hand, checked again."""
    # without -d: returns once the new hypercode-core task has converged (healthy)
    swarm.docker("service", "update", "-q", "--limit-memory", "300M", f"{REF}_hypercode-core")
    swarm.docker(
        "service", "update", "-d", "-q", "--constraint-add", "node.labels.rdyswarm.nowhere==true",
        f"{REF}_project-strategist",
    )  # fmt: skip
    wait_settled(swarm, REF, len(SERVICES) - 1, skip=(f"{REF}_project-strategist",))
    return _suite(swarm, tmp_path_factory.mktemp("ref-bad"), reference, "--wait-timeout=10")


def test_reference_stack_on_swarm_is_ready(healthy_run: Run, swarm: Swarm) -> None:
    """READY (or with warnings): every check that applies to Swarm passed, N/A ones say why."""
    assert healthy_run.verdict in ("READY", "READY WITH WARNINGS"), healthy_run.output[-4000:]
    assert not healthy_run.failing(), sorted(healthy_run.failing())
    outcomes = {(r["check"], r["subject"]): r["outcome"] for r in healthy_run.results}
    for service in SERVICES:
        for check_id in ("HLT-01", "SWM-01", "SWM-02", "SWM-04", "SWM-05", "SWM-06", "DRF-01"):
            assert outcomes.get((check_id, service)) == "passed", (check_id, service, outcomes)
    for prefix in (*RELAYED, *PUBLISHED):
        got = {o for (c, _), o in outcomes.items() if c.startswith(f"{prefix}-")}
        assert got == {"passed"}, f"{prefix}: {got}"
    na = {c for (c, _), o in outcomes.items() if o == "n/a"}
    assert {"CON-01", "DRF-02", "NET-04"} <= na, na
    relays = swarm.docker("service", "ls", "-q", "--filter", "label=com.readiness.relay")
    assert not relays.strip(), f"the relay service was left behind: {relays}"


def test_planted_faults_flip_the_verdict(faulty_run: Run) -> None:
    """NOT READY; the lowered limit fails SWM-02/SWM-06/DRF-01 on hypercode-core, the unplaceable
    agent fails SWM-01/HLT-01 on project-strategist; nothing else fails."""
    assert faulty_run.verdict == "NOT READY", faulty_run.output[-4000:]
    expected = {
        ("SWM-02", "hypercode-core"),
        ("SWM-06", "hypercode-core"),
        ("DRF-01", "hypercode-core"),
        ("SWM-01", "project-strategist"),
        ("HLT-01", "project-strategist"),
    }
    assert faulty_run.failing() == expected, sorted(faulty_run.failing())
    assert "spec limits: expected cpus=2 memory=4096M, got cpus=2 memory=300M" in (
        faulty_run.message("SWM-02", "hypercode-core")
    )
    swm01 = faulty_run.message("SWM-01", "project-strategist")
    assert "expected 1 running and healthy, got 0" in swm01, swm01
    assert "Fix:" in faulty_run.output
