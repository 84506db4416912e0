"""Pure logic of the post-deploy checks: drift comparisons, Prometheus parsing, evidence, timing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixtures.evidence import inspect_excerpt
from fixtures.live_report import time_to_healthy
from readiness.backends.probes import listening_ports, tcp_probe_command
from readiness.backends.prometheus import (
    Target,
    normalize_expr,
    parse_firing,
    parse_rules,
    parse_scalar,
    pending_jobs,
)
from readiness.model.errors import ConfigError
from readiness.model.manifest import load_manifest
from readiness.parsers.drift import (
    declared_healthcheck,
    declared_limits,
    declared_ports,
    duration_ns,
    healthcheck_differences,
    live_healthcheck,
    live_limits,
    live_ports,
)
from tests.harness import MANIFEST, STACK


def test_duration_ns_reads_compose_durations() -> None:
    assert duration_ns("5s") == 5 * 10**9
    assert duration_ns("1m30s") == 90 * 10**9
    assert duration_ns("500ms") == 5 * 10**8
    assert duration_ns(None) == 0
    with pytest.raises(ValueError, match="duration"):
        duration_ns("five")


def test_limits_declared_equal_live() -> None:
    service = {"deploy": {"resources": {"limits": {"cpus": 0.75, "memory": "805306368"}}}}
    attrs = {"HostConfig": {"NanoCpus": 750_000_000, "Memory": 805306368}}
    assert declared_limits(service) == live_limits(attrs)
    assert declared_limits({}) == (0, 0)


def test_ports_compare_in_one_notation() -> None:
    service = {"ports": [{"host_ip": "127.0.0.1", "published": "8443", "target": 443}]}
    attrs = {
        "HostConfig": {"PortBindings": {"443/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8443"}]}}
    }
    assert declared_ports(service) == live_ports(attrs) == {"127.0.0.1:8443->443/tcp"}
    stray = {"HostConfig": {"PortBindings": {"5432/tcp": [{"HostIp": "", "HostPort": "5432"}]}}}
    assert live_ports(stray) == {"0.0.0.0:5432->5432/tcp"}


def test_healthcheck_differences_name_the_field() -> None:
    declared = declared_healthcheck(
        {"healthcheck": {"test": ["CMD-SHELL", "pg_isready -U $$USER"], "interval": "5s"}}
    )
    live = live_healthcheck(
        {
            "Config": {
                "Healthcheck": {"Test": ["CMD-SHELL", "pg_isready -U $USER"], "Interval": 7 * 10**9}
            }
        }
    )
    assert healthcheck_differences(declared, live) == ["interval: expected 5s, got 7s"]
    assert healthcheck_differences(declared, {}) == ["healthcheck: expected one, got none"]


def test_prometheus_answers_parse() -> None:
    rules = {
        "groups": [
            {
                "rules": [
                    {"type": "alerting", "name": "ServiceDown", "query": "up == 0"},
                    {"type": "recording", "name": "x", "query": "y"},
                ]
            }
        ]
    }
    assert parse_rules(rules) == {"ServiceDown": "up == 0"}
    alerts = {
        "alerts": [
            {"state": "firing", "labels": {"severity": "critical"}},
            {"state": "pending", "labels": {"severity": "critical"}},
            {"state": "firing", "labels": {"severity": "warning"}},
        ]
    }
    assert len(parse_firing(alerts, ("critical",))) == 1
    assert parse_scalar({"result": []}) is None
    assert parse_scalar({"result": [{"value": [0, "NaN"]}]}) is None
    assert parse_scalar({"result": [{"value": [0, "0.25"]}]}) == 0.25
    assert normalize_expr("up==0") == normalize_expr("up == 0")


def test_pending_jobs_waits_for_discovery_and_first_scrape() -> None:
    targets = (Target("a", "u", "up"), Target("b", "u", "unknown"))
    assert pending_jobs(targets, ("a", "b", "c")) == ["b", "c"]


def test_listening_ports_reads_testinfra_sockets() -> None:
    sockets = ["tcp://127.0.0.1:8443", "tcp://:::8443", "udp://0.0.0.0:53", "unix:///x.sock"]
    assert listening_ports(sockets) == {8443: ["tcp://127.0.0.1:8443", "tcp://:::8443"]}
    assert tcp_probe_command("redis", 6379, 5)[:2] == ["timeout", "5"]


def test_inspect_excerpt_never_holds_the_environment() -> None:
    attrs = {
        "Name": "/x",
        "Config": {"Env": ["DB_PASSWORD=s3cret-value"], "Image": "i:1"},
        "NetworkSettings": {"Networks": {"net": {}}},
    }
    excerpt = json.loads(inspect_excerpt(attrs, extra=(("Config", "Env"),)))
    assert "s3cret" not in json.dumps(excerpt)
    assert excerpt["Config.Image"] == "i:1"


def test_time_to_healthy_from_the_health_log() -> None:
    attrs = {
        "State": {
            "StartedAt": "2026-01-01T10:00:00.000000000Z",
            "Health": {
                "Status": "healthy",
                "Log": [
                    {"ExitCode": 1, "End": "2026-01-01T10:00:01Z"},
                    {"ExitCode": 0, "End": "2026-01-01T10:00:03.5Z"},
                ],
            },
        }
    }
    assert time_to_healthy(attrs) == "3.5 s"
    assert time_to_healthy({"State": {}}) == "no healthcheck"


def test_manifest_rejects_error_rate_query_without_window(tmp_path: Path) -> None:
    text = MANIFEST.read_text().replace("[$window]", "[1m]")
    bad = tmp_path / "readiness.yml"
    bad.write_text(text)
    with pytest.raises(ConfigError, match=r"monitoring\.error_rate_query"):
        load_manifest(bad, STACK)


def test_stack_up_names_other_checkouts_of_the_same_project(tmp_path: Path) -> None:
    """``runbook.stack up`` warns when the project's containers came from another directory."""
    from readiness.operations.stack import WORKING_DIR_LABEL, other_checkouts

    here, there = tmp_path / "main", tmp_path / "other"
    here.mkdir()
    labels = [
        {WORKING_DIR_LABEL: str(here.resolve())},
        {WORKING_DIR_LABEL: str(there)},
        {WORKING_DIR_LABEL: str(there)},
        {},
    ]
    assert other_checkouts(labels, here) == [str(there)]
    assert other_checkouts(labels[:1], here) == []
