"""`runbook.reports allure` carries the previous report's history: the trend shows both runs."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from readiness.reports.allure_tool import carry_history, generate


def write_results(directory: Path, statuses: dict[str, str], start: int) -> Path:
    """A minimal Allure results directory: one result file per test."""
    directory.mkdir(parents=True)
    for name, status in statuses.items():
        result = {
            "uuid": str(uuid.uuid4()),
            "historyId": f"hist-{name}",
            "testCaseId": f"case-{name}",
            "fullName": f"checks.test_x.{name}",
            "name": name,
            "status": status,
            "stage": "finished",
            "start": start,
            "stop": start + 1000,
            "labels": [{"name": "suite", "value": "postdeploy"}],
        }
        (directory / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    return directory


def test_two_runs_make_a_two_point_trend(tmp_path: Path) -> None:
    output = tmp_path / "allure-report"
    first = write_results(tmp_path / "run1", {"a": "passed", "b": "failed"}, 1_700_000_000_000)
    generate(first, output, name="run 1")
    trend = json.loads((output / "history" / "history-trend.json").read_text())
    assert len(trend) == 1
    second = write_results(tmp_path / "run2", {"a": "passed", "b": "passed"}, 1_700_000_100_000)
    generate(second, output, name="run 2")
    assert (second / "history" / "history-trend.json").exists()  # carried before generating
    trend = json.loads((output / "history" / "history-trend.json").read_text())
    assert len(trend) == 2
    newest, oldest = trend  # newest first
    assert (newest["data"]["passed"], newest["data"]["failed"]) == (2, 0)
    assert (oldest["data"]["passed"], oldest["data"]["failed"]) == (1, 1)
    per_test = json.loads((output / "history" / "history.json").read_text())
    statuses = sorted([i["status"] for i in test["items"]] for test in per_test.values())
    assert statuses == [["passed", "failed"], ["passed", "passed"]]  # each test: newest first


def test_no_previous_report_no_history(tmp_path: Path) -> None:
    results = write_results(tmp_path / "r", {"a": "passed"}, 1)
    assert carry_history(results, tmp_path / "none") == 0
    assert not (results / "history").exists()
