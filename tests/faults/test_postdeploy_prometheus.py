"""Planted faults for the Prometheus checks (PRM-01..04); the 5xx burst runs last and waits until
the error rate and its alert have cleared again."""

from __future__ import annotations

import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness.backends.http import StackSession
from readiness.model.manifest import load_manifest
from readiness.parsers.envfile import read_env
from tests.conftest import LIVE_ENV_FILE
from tests.faults.live_fault import (
    container,
    docker,
    overridden,
    postdeploy,
    prometheus_api,
    wait_for,
    wait_healthy,
)
from tests.harness import MANIFEST, STACK, Run, assert_only_new_failure

pytestmark = pytest.mark.live


def _critical_firing(project: str) -> list[str]:
    alerts = prometheus_api(project, "/api/v1/alerts")["alerts"]
    return [
        a["labels"]["alertname"]
        for a in alerts
        if a["state"] == "firing" and a["labels"].get("severity") == "critical"
    ]


def _targets(project: str, job: str) -> list[str]:
    data = prometheus_api(project, "/api/v1/targets?state=active")
    return [t["health"] for t in data["activeTargets"] if t["labels"].get("job") == job]


def _rules_override(tmp_path: Path, change: Any) -> str:
    """A compose override mounting a changed copy of alert.rules.yml into prometheus."""
    rules = yaml.safe_load((STACK / "prometheus" / "alert.rules.yml").read_text())
    change(rules["groups"][0]["rules"])
    path = tmp_path / "alert.rules.yml"
    path.write_text(yaml.safe_dump(rules, sort_keys=False))
    return (
        f"services:\n  prometheus:\n    volumes:\n"
        f"      - {path}:/etc/prometheus/alert.rules.yml:ro\n"
    )


def _settled(project: str) -> None:
    """Prometheus scrapes every target again and no critical alert fires."""
    wait_for(
        "prometheus targets up",
        lambda: all(
            h == "up"
            for job in ("hypercode-core", "postgres", "prometheus")
            for h in _targets(project, job)
        ),
        timeout=120,
    )
    wait_for("no critical alert firing", lambda: not _critical_firing(project), timeout=180)


def test_prm01_exporter_down(postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path) -> None:
    """PRM-01 fails for the postgres job when its exporter is down (HLT-01 sees the container)."""
    exporter = container(live_stack_up, "postgres-exporter")
    docker("stop", "-t", "2", exporter)
    try:
        wait_for("postgres target down", lambda: _targets(live_stack_up, "postgres") == ["down"])
        run = postdeploy(tmp_path, live_stack_up, "--wait-timeout=5")
    finally:
        docker("start", exporter)
        wait_healthy(live_stack_up, "postgres-exporter")
        _settled(live_stack_up)
    message = assert_only_new_failure(
        postdeploy_baseline, run, "PRM-01", "postgres", also=("HLT-01", "PRM-03")
    )
    assert "health: expected up, got http://postgres-exporter:9187/metrics down" in message, message


def test_prm02_alert_rule_not_loaded(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """PRM-02 fails when the running Prometheus has not loaded a required alert rule."""

    def drop_cpu(rules: list[dict[str, Any]]) -> None:
        rules[:] = [r for r in rules if r["alert"] != "HighCpuUsage"]

    fault = _rules_override(tmp_path, drop_cpu)
    try:
        with overridden(live_stack_up, tmp_path, ("prometheus",), fault):
            run = postdeploy(tmp_path, live_stack_up)
    finally:
        _settled(live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "PRM-02", "HighCpuUsage")
    assert "loaded: expected yes, got no" in message, message


def test_prm03_critical_alert_firing(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """PRM-03 fails while a critical alert fires."""

    def add_firing(rules: list[dict[str, Any]]) -> None:
        rules.append(
            {
                "alert": "PlantedCriticalFault",
                "expr": "vector(1)",
                "labels": {"severity": "critical"},
            }
        )

    fault = _rules_override(tmp_path, add_firing)
    try:
        with overridden(live_stack_up, tmp_path, ("prometheus",), fault):
            wait_for(
                "planted alert firing",
                lambda: "PlantedCriticalFault" in _critical_firing(live_stack_up),
            )
            run = postdeploy(tmp_path, live_stack_up)
    finally:
        _settled(live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "PRM-03", "-")
    assert "PlantedCriticalFault" in message, message


def test_prm04_burst_of_5xx_above_ceiling(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """PRM-04 fails after a burst of 5xx answers above 1%; the stack recovers within bounds."""
    env = read_env(Path(LIVE_ENV_FILE))
    mon = load_manifest(MANIFEST).monitoring
    query = mon.error_rate_query.replace("$window", mon.error_rate_window)

    def error_rate() -> float:
        result = prometheus_api(live_stack_up, f"/api/v1/query?query={urllib.parse.quote(query)}")
        values = [float(r["value"][1]) for r in result["result"]]
        return values[0] if values and values[0] == values[0] else 0.0

    url = f"https://127.0.0.1:{env['HTTPS_PORT']}/api/admin/fail"
    stack = StackSession(STACK / "certs" / "ca.crt", "localhost", timeout=10)
    try:
        for _ in range(60):
            answer = stack.session.post(url, headers={"X-API-Key": env["API_KEY"]}, timeout=10)
            assert answer.status_code == 500, f"fault endpoint answered {answer.status_code}"
        wait_for("error rate above the ceiling", lambda: error_rate() > 0.05, timeout=60)
        started = time.monotonic()
        run = postdeploy(tmp_path, live_stack_up)
        assert time.monotonic() - started < 60
    finally:
        stack.close()
        wait_for("error rate back under 1%", lambda: error_rate() <= 0.01, timeout=240)
        _settled(live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "PRM-04", "-", also=("PRM-03",))
    assert "expected <= 1.00%" in message, message
