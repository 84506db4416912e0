"""Seed 4 Monitoring & Alerting: Prometheus config and alert rules, validated by promtool."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.fix_preflight import Preflight
from readiness.model.errors import ProbeError
from readiness.model.manifest import Manifest
from readiness.parsers import monitoring


@check("MON-01")
def test_prometheus_config_valid(preflight: Preflight, manifest: Manifest) -> None:
    """Prometheus configuration passes `promtool check config`."""
    config, _ = preflight.promtool()
    assert config.ok, (
        f"prometheus {manifest.monitoring.config.name}: promtool check config: expected "
        f"SUCCESS, got exit {config.returncode}: {config.tail()}"
    )


@check("MON-02")
def test_required_job_scraped(required_job: str, manifest: Manifest) -> None:
    """Prometheus scrapes each required job."""
    try:
        jobs = monitoring.scrape_jobs(manifest.monitoring.config)
    except (OSError, ValueError) as exc:
        raise ProbeError(f"Could not read {manifest.monitoring.config.name}: {exc}") from None
    assert required_job in jobs, (
        f"prometheus job {required_job}: scrape_configs: expected present, "
        f"got only {', '.join(jobs) or 'none'}"
    )


@check("MON-03")
def test_alert_rules_valid(preflight: Preflight, manifest: Manifest) -> None:
    """Alert rules pass `promtool check rules`."""
    _, rules = preflight.promtool()
    assert rules.ok, (
        f"prometheus {manifest.monitoring.rules.name}: promtool check rules: expected SUCCESS, "
        f"got exit {rules.returncode}: {rules.tail()}"
    )


@check("MON-04")
def test_required_alert_defined(required_alert: str, manifest: Manifest) -> None:
    """Each required alert is defined, with the declared expression where one is declared."""
    try:
        alerts = monitoring.alert_rules(manifest.monitoring.rules)
    except (OSError, ValueError) as exc:
        raise ProbeError(f"Could not read {manifest.monitoring.rules.name}: {exc}") from None
    assert required_alert in alerts, (
        f"alert {required_alert}: defined in {manifest.monitoring.rules.name}: expected yes, "
        f"got only {', '.join(sorted(alerts)) or 'none'}"
    )
    expected = manifest.monitoring.required_alerts.get(required_alert)
    if expected is not None:
        assert alerts[required_alert] == monitoring.normalize(expected), (
            f"alert {required_alert}: expr: expected {monitoring.normalize(expected)!r}, "
            f"got {alerts[required_alert]!r}"
        )
