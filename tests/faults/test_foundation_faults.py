"""Planted faults for the first checks: CFG-01 (compose renders) and HLT-01 (healthy)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import live_args
from tests.harness import Run, run_suite


def test_cfg01_broken_compose_file_fails_render(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """CFG-01 fails, naming the file, when a compose file is not valid YAML."""
    compose = stack_copy / "docker-compose.agents.yml"
    compose.write_text(compose.read_text() + "\n  this is: [not valid\n")
    run = run_suite(tmp_path, "-m", "preflight", f"--project-dir={stack_copy}")
    assert run.verdict == "NOT READY"
    assert run.outcomes("CFG-01") == {"-": "failed"}
    assert "docker-compose.agents.yml" in run.message("CFG-01")
    assert preflight_baseline.outcomes("CFG-01") == {"-": "passed"}


@pytest.mark.live
def test_hlt01_stopped_container_is_not_healthy(live_stack_up: str, tmp_path: Path) -> None:
    """HLT-01 fails for a stopped service, and only for that service."""
    container = f"{live_stack_up}-project-strategist-1"
    subprocess.run(["docker", "stop", "-t", "2", container], check=True, capture_output=True)
    try:
        run = run_suite(
            tmp_path,
            "-m",
            "postdeploy",
            "-k",
            "HLT or healthy",
            *live_args(live_stack_up),
            "--wait-timeout=5",
        )
    finally:
        subprocess.run(["docker", "start", container], check=True, capture_output=True)
    assert run.verdict == "NOT READY"
    failed = {s for s, o in run.outcomes("HLT-01").items() if o != "passed"}
    assert failed == {"project-strategist"}
    assert "expected running/healthy, got exited" in run.message("HLT-01", "project-strategist")
