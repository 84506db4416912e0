"""At 200 containers the suite still asks the engine for one listing and one inspect each.

Opt-in (about 60-90 s: it starts the 200-container ``rdybench`` project, runs the health and
drift checks through a counting proxy, and removes the project): READINESS_SCALE_TEST=1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from runbook import synthetic
from tests.engine_proxy import EngineProxy

ROOT = Path(__file__).resolve().parents[1]
SIZE = int(os.environ.get("READINESS_SCALE_SIZE", "200"))

pytestmark = pytest.mark.skipif(
    os.environ.get("READINESS_SCALE_TEST", "") in ("", "0"),
    reason="opt-in: READINESS_SCALE_TEST=1 (starts a 200-container project, ~60-90 s)",
)


@pytest.fixture(scope="module")
def bench_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[synthetic.Synthetic]:
    project = synthetic.Synthetic(tmp_path_factory.mktemp("rdybench"), SIZE)
    try:
        synthetic.up(project)
        yield project
    finally:
        synthetic.down(project)


def test_engine_calls_at_scale(bench_project: synthetic.Synthetic, tmp_path: Path) -> None:
    """One container listing and exactly one inspect per container, for the whole session."""
    results = tmp_path / "results.json"
    with EngineProxy(tmp_path / "engine.sock") as proxy:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                *synthetic.CHECK_FILES,
                "-q",
                "-p",
                "no:randomly",
                f"--manifest={bench_project.manifest}",
                f"--docker-host={proxy.url}",
                f"--results-file={results}",
                f"--reports-dir={tmp_path / 'reports'}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "DOCKER_HOST": proxy.url},
            timeout=600,
        )
    data = json.loads(results.read_text())
    assert data["verdict"] == "READY", proc.stdout[-3000:]
    assert len(data["results"]) == 5 * SIZE
    listings = proxy.count("GET", r"/containers/json")
    inspects = {
        key: n
        for key, n in proxy.requests.items()
        if re.fullmatch(r"GET /containers/[0-9a-f]{12,}/json", key)
    }
    assert listings == 1, f"container listings: expected 1, got {listings}"
    assert len(inspects) == SIZE, f"containers inspected: expected {SIZE}, got {len(inspects)}"
    assert set(inspects.values()) == {1}, f"inspects per container: expected 1 each: {inspects}"
