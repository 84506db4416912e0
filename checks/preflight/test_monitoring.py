"""Seed 4 Monitoring & Alerting: Prometheus config and alert rules, validated by promtool."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.fix_preflight import Preflight
from readiness.model.errors import ProbeError
from readiness.model.manifest import Manifest
from readiness.model.masking import Masker
from readiness.parsers import monitoring


@check("MON-01")
def test_prometheus_config_valid(preflight: Preflight, manifest: Manifest, masker: Masker) -> None:
    """Prometheus configuration passes `promtool check config`."""
    config, _ = preflight.promtool()
    judged = f" [judged by {config.judged_by}]" if config.judged_by else ""
    if config.judged_by:
        attach("judged by", config.judged_by, masker)
    assert config.ok, (
        f"prometheus {manifest.monitoring.config.name}: promtool check config: expected "
        f"SUCCESS, got exit {config.returncode}: {config.tail()}{judged}"
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
def test_alert_rules_valid(preflight: Preflight, manifest: Manifest, masker: Masker) -> None:
    """The rule files Prometheus loads exist where its container reads them and pass promtool."""
    found = preflight.rule_files()
    assert not found.problems, (
        f"prometheus {manifest.monitoring.prometheus_service}: rule_files: expected every file "
        "present where the container reads it, got " + "; ".join(found.problems)
    )
    _, rules = preflight.promtool()
    judged = f" [judged by {rules.judged_by}]" if rules.judged_by else ""
    if rules.judged_by:
        attach("judged by", rules.judged_by, masker)
    names = ", ".join(f.name for f in found.files) or "no rule file"
    assert rules.ok, (
        f"prometheus {names}: promtool check rules: expected SUCCESS, "
        f"got exit {rules.returncode}: {rules.tail()}{judged}"
    )


@check("MON-04")
def test_required_alert_defined(
    required_alert: str, manifest: Manifest, preflight: Preflight
) -> None:
    """Each required alert is defined in a rule file Prometheus loads, with its expression."""
    files = preflight.rule_files().files
    alerts: dict[str, str] = {}
    for rule_file in files:
        try:
            alerts.update(monitoring.alert_rules(rule_file))
        except (OSError, ValueError) as exc:
            raise ProbeError(f"Could not read {rule_file.name}: {exc}") from None
    names = ", ".join(f.name for f in files) or "no rule file Prometheus loads"
    assert required_alert in alerts, (
        f"alert {required_alert}: defined in {names}: expected yes, "
        f"got only {', '.join(sorted(alerts)) or 'none'}"
    )
    expected = manifest.monitoring.required_alerts.get(required_alert)
    if expected is not None:
        assert alerts[required_alert] == monitoring.normalize(expected), (
            f"alert {required_alert}: expr: expected {monitoring.normalize(expected)!r}, "
            f"got {alerts[required_alert]!r}"
        )


@check("MON-05")
def test_alertmanager_config_valid(
    alertmanager: str, preflight: Preflight, manifest: Manifest, masker: Masker
) -> None:
    """Prometheus sends alerts to the Alertmanager, whose mounted config passes amtool."""
    mon = manifest.monitoring
    facts = preflight.alertmanager(alertmanager)
    assert facts.declared, (
        f"alertmanager {alertmanager}: compose service: expected declared (the manifest's "
        "monitoring.alertmanager.service), got no such service"
    )
    alerting = preflight.alerting()
    named = preflight.alert_targets(alertmanager)
    required = mon.alertmanager is not None and mon.alertmanager.required
    if required and not named and not alerting.discovered:
        raise AssertionError(
            f"prometheus {mon.prometheus_service}: {mon.config.name} alerting.alertmanagers: "
            f"expected a target naming {alertmanager}, got {alerting.describe()} "
            "(the alerts would reach no one)"
        )
    assert facts.location is not None
    listen = facts.location.listen_port
    wrong = [t for t in named if listen and t.port not in (None, listen)]
    assert not wrong, (
        f"prometheus {mon.prometheus_service}: {wrong[0].where} {wrong[0].text!r}: expected "
        f"port {listen} ({alertmanager}'s --web.listen-address), got {wrong[0].port}"
    )
    where = facts.config.describe() if facts.config else str(facts.location.container_path)
    attach("config file", f"{facts.location.line}\n{where}", masker)
    assert not facts.problems, (
        f"alertmanager {alertmanager}: {facts.location.line}: expected the file present where "
        "the container reads it, got " + "; ".join(facts.problems)
    )
    result = facts.check
    assert result is not None
    attach("judged by", result.judged_by, masker)
    host = facts.config.host_path if facts.config else None
    assert result.ok, (
        f"alertmanager {alertmanager}: {facts.location.container_path} (host {host}): "
        f"amtool check-config: expected SUCCESS, got exit {result.returncode}: "
        f"{result.tail()} [judged by {result.judged_by}] (from {facts.location.line})"
    )
