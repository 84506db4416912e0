"""`runbook.reports allure` carries the previous report's history: the trend shows both runs."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import matplotlib.image as mpimg

from readiness.reports.allure_tool import carry_history, generate
from tests.harness import copy_stack, run_suite
from tests.reports.browser import ARTIFACTS, dump_dom, screenshot, serve

_FAILED_AREA = re.compile(r'd="([^"]+)" style="fill: var\(--color-status-failed-chart-fill\)')


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


def test_two_readiness_runs_show_both_in_the_trend_widget_in_chromium(tmp_path: Path) -> None:
    """Two real readiness runs (SEC-05 failing, then fixed) into one reports directory: the
    Allure report's overview, rendered in Chromium, shows the Trend widget with both runs."""
    stack = copy_stack(tmp_path)
    reports = tmp_path / "reports"
    for mode, verdict in ((0o644, "NOT READY"), (0o600, "READY")):
        (stack / ".env").chmod(mode)
        run = run_suite(
            tmp_path, "-m", "preflight", "-k", "env_not_readable", f"--project-dir={stack}"
        )
        assert run.verdict == verdict, run.output[-2000:]
        generate(reports / "allure-results", reports / "allure-report")
    with serve(reports / "allure-report") as base:
        dom = dump_dom(f"{base}/index.html", ARTIFACTS / "allure-trend.dom.html")
        png = screenshot(f"{base}/index.html", ARTIFACTS / "allure-trend.png")
    start = dom.find('data-id="history-trend"')
    assert start >= 0, "the overview has no Trend widget"
    widget = dom[start : dom.find('class="widget island"', start)]
    assert '<h2 class="widget__title">Trend</h2>' in widget
    assert widget.count('class="report-line"') == 2, "expected one slice per run, two runs"
    failed_area = re.search(
        r'd="([^"]+)" style="fill: var\(--color-status-failed-chart-fill\)', widget
    )
    assert failed_area is not None
    assert failed_area.group(1).startswith("M0,0L"), "the first run's failure is not drawn"
    pixels = mpimg.imread(png)[:, :, :3]
    red = (pixels[:, :, 0] > 0.85) & (pixels[:, :, 1] < 0.5) & (pixels[:, :, 2] < 0.5)
    green = (pixels[:, :, 1] > 0.7) & (pixels[:, :, 0] < 0.5) & (pixels[:, :, 2] < 0.6)
    right_top = (slice(0, pixels.shape[0] // 4), slice(pixels.shape[1] // 2, None))
    assert red[right_top].sum() > 2000, "no failed (red) area visible in the trend"
    assert green[right_top].sum() > 2000, "no passed (green) area visible in the trend"
