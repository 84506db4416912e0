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
