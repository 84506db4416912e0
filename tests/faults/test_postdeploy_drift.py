"""Planted faults for the drift, exposure and connectivity checks (DRF-01..04, NET-04, CON-01)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.faults.live_fault import container, docker, overridden, postdeploy, wait_healthy
from tests.harness import Run, assert_only_new_failure

pytestmark = pytest.mark.live
LEAF = "project-strategist"  # nothing depends on it: recreating it disturbs no other service


def test_drf01_live_memory_limit_differs(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """DRF-01 fails when the running container's memory limit is not the declared one."""
    fault = (
        f"services:\n  {LEAF}:\n    deploy:\n      resources:\n"
        "        limits:\n          memory: 640M\n"
    )
    with overridden(live_stack_up, tmp_path, (LEAF,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "DRF-01", LEAF)
    assert "memory=768M" in message, message
    assert "memory=640M" in message, message
    assert run.verdict == "NOT READY"


def test_drf02_stray_published_port(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """DRF-02 fails when a container publishes a port the compose files do not declare."""
    fault = f'services:\n  {LEAF}:\n    ports: ["127.0.0.1:39517:8080"]\n'
    with overridden(live_stack_up, tmp_path, (LEAF,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "DRF-02", LEAF)
    assert "not declared: ['127.0.0.1:39517->8080/tcp']" in message, message


def test_drf03_extra_network_attached(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """DRF-03 fails when a container is attached to a network it does not declare."""
    fault = f"services:\n  {LEAF}:\n    networks: [platform-net, edge-net]\n"
    with overridden(live_stack_up, tmp_path, (LEAF,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "DRF-03", LEAF)
    assert f"{live_stack_up}_edge-net" in message, message


def test_drf04_healthcheck_differs(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """DRF-04 fails when the running healthcheck is not the declared one."""
    fault = f"services:\n  {LEAF}:\n    healthcheck:\n      interval: 7s\n"
    with overridden(live_stack_up, tmp_path, (LEAF,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "DRF-04", LEAF)
    assert "interval: expected 5s, got 7s" in message, message


def test_net04_host_listens_on_backend_port(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """NET-04 fails when the host listens on a backend port (hypercode-core's 8000)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", 8000))
        listener.listen()
        run = postdeploy(tmp_path, live_stack_up)
    finally:
        listener.close()
    message = assert_only_new_failure(postdeploy_baseline, run, "NET-04", "hypercode-core")
    assert "tcp://127.0.0.1:8000" in message, message


def test_con01_agent_cut_off_from_platform_network(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """CON-01 fails when an agent loses the platform network (DRF-03 sees the same drift)."""
    name = container(live_stack_up, LEAF)
    docker("network", "disconnect", f"{live_stack_up}_platform-net", name)
    try:
        run = postdeploy(tmp_path, live_stack_up)
    finally:
        docker("rm", "-f", name)
        wait_healthy(live_stack_up, LEAF)
    subject = f"{LEAF}->hypercode-core:8000"
    message = assert_only_new_failure(postdeploy_baseline, run, "CON-01", subject, also=("DRF-03",))
    assert f"connection {LEAF} -> hypercode-core:8000" in message, message
