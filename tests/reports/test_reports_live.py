"""With the stack up, the sign-off's 2.3 table shows measured usage next to declared limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import live_args
from tests.harness import run_suite


@pytest.mark.live
def test_signoff_measures_usage_next_to_limits(live_stack_up: str, tmp_path: Path) -> None:
    """A post-deploy run measures each running container once (docker stats) for the table."""
    run = run_suite(tmp_path, "-m", "postdeploy", "-k", "healthy", *live_args(live_stack_up))
    assert run.results, run.output[-3000:]
    doc = json.loads((tmp_path / "reports" / "signoff.json").read_text())
    rows = {row["service"]: row for row in doc["resources"]}
    core = rows["hypercode-core"]
    assert core["usage"] is not None, "no measured usage for hypercode-core"
    assert core["usage"]["memory_bytes"] > 0
    assert core["usage"]["memory_limit_bytes"] == core["declared_memory"]
    markdown = (tmp_path / "reports" / "signoff.md").read_text()
    assert "| CPU Used | Memory Used |" in markdown
    assert "% of limit)" in markdown


@pytest.mark.live
def test_cgroup_and_engine_readings_agree(live_stack_up: str) -> None:
    """The cgroup files and the engine's one-shot stats give the same memory and limit."""
    import docker

    from readiness.reports.usage import Sampler

    client = docker.from_env()
    try:
        containers: dict[str, list[dict[str, object]]] = {}
        for item in client.containers.list(
            filters={"label": "com.docker.compose.project=hypercode"}
        ):
            service = item.labels["com.docker.compose.service"]
            containers.setdefault(service, []).append(item.attrs)
    finally:
        client.close()
    local, remote = Sampler(containers, ""), Sampler(containers, "", cgroup_files=False)
    from_files, from_engine = local.start().result(20), remote.start().result(20)
    assert local._dirs, "no container's cgroup was found through its init process"
    assert not remote._dirs
    assert set(from_files) == set(from_engine) == set(containers)
    for service, usage in from_files.items():
        engine = from_engine[service]
        assert usage.memory_limit_bytes == engine.memory_limit_bytes, service
        assert abs(usage.memory_bytes - engine.memory_bytes) <= max(
            4 << 20, engine.memory_bytes // 5
        ), service
