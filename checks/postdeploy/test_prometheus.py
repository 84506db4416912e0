"""Seed 4 after launch: Prometheus scrapes every target, has the alerts, and nothing is on fire."""

from __future__ import annotations

import json

from fixtures.checkmark import check
from fixtures.evidence import attach
from readiness.backends.prometheus import PromFacts, normalize_expr
from readiness.model.manifest import Manifest
from readiness.model.masking import Masker


@check("PRM-01")
def test_required_target_up(required_job: str, prometheus: PromFacts, masker: Masker) -> None:
    """Each required Prometheus scrape target is up."""
    targets = prometheus.targets_of(required_job)
    assert targets, f"prometheus job {required_job}: targets: expected at least one, got none"
    down = [t for t in targets if t.health != "up"]
    if down:
        attach(f"targets of {required_job}", "\n".join(map(str, targets)), masker)
    assert not down, f"prometheus job {required_job}: health: expected up, got " + "; ".join(
        f"{t.url} {t.health}" + (f" ({t.last_error})" if t.last_error else "") for t in down
    )


@check("PRM-02")
def test_required_alert_rule_loaded(
    required_alert: str, prometheus: PromFacts, manifest: Manifest
) -> None:
    """Each required alert rule is loaded in the running Prometheus (with the declared expr)."""
    loaded = prometheus.rules
    assert required_alert in loaded, (
        f"prometheus alert {required_alert}: loaded: expected yes, got no "
        f"(loaded: {', '.join(sorted(loaded)) or 'none'})"
    )
    expr = manifest.monitoring.required_alerts.get(required_alert)
    if expr:
        assert normalize_expr(loaded[required_alert]) == normalize_expr(expr), (
            f"prometheus alert {required_alert}: expr: expected {expr}, "
            f"got {loaded[required_alert]}"
        )


@check("PRM-03")
def test_no_critical_alert_firing(
    prometheus: PromFacts, manifest: Manifest, masker: Masker
) -> None:
    """No critical alert is firing."""
    firing = prometheus.firing
    if firing:
        attach("firing alerts", json.dumps(list(firing), indent=2, default=str), masker)
    names = sorted(
        f"{a.get('labels', {}).get('alertname', '?')}"
        f"({a.get('labels', {}).get('job') or a.get('labels', {}).get('instance', '')})"
        for a in firing
    )
    severities = "/".join(manifest.monitoring.critical_severities)
    assert not firing, f"prometheus alerts: {severities} firing: expected none, got {names}"


@check("PRM-04")
def test_api_error_rate_under_ceiling(prometheus: PromFacts, manifest: Manifest) -> None:
    """The API's 5xx rate over the manifest's window is under the ceiling (the seed's 1%)."""
    rate = prometheus.error_rate or 0.0
    ceiling = manifest.monitoring.error_rate_ceiling
    window = manifest.monitoring.error_rate_window
    assert rate <= ceiling, (
        f"API error rate over {window}: expected <= {ceiling:.2%}, got {rate:.2%} "
        f"(query: {prometheus.error_rate_query})"
    )
