"""Planted faults for every pre-flight check: each makes THIS check fail, with a useful message.

Every test copies the reference stack (a fresh git checkout with a fresh backup), plants one
fault, runs `pytest -m preflight` against the copy and compares with the untouched baseline.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.harness import Run, assert_only_new_failure, run_suite
from tests.preflight_support import (
    edit,
    git,
    issue_cert,
    manifest_copy,
    plant_dump,
    replace_key_only,
)

PROD = "docker-compose.production.yml"
AGENTS = "docker-compose.agents.yml"
REDIS_HEALTH = '      test: ["CMD-SHELL", "redis-cli ping | grep -q PONG"]\n'


def preflight(tmp_path: Path, stack: Path, *args: str) -> Run:
    """The pre-flight suite against a stack copy."""
    return run_suite(tmp_path, "-m", "preflight", f"--project-dir={stack}", *args)


def env_set(stack: Path, key: str, value: str) -> None:
    """Set ``key`` in the copy's .env (keeping its mode)."""
    path = stack / ".env"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith(f"{key}=")]
    path.write_text("\n".join([*lines, f"{key}={value}"]) + "\n")


def env_get(stack: Path, key: str) -> str:
    """A value of the copy's .env."""
    for line in (stack / ".env").read_text().splitlines():
        if line.startswith(f"{key}="):
            return line.split("=", 1)[1].strip().strip("'\"")
    raise KeyError(key)


def names(message: str, *parts: str) -> None:
    """The message names subject, property, expected and found."""
    __tracebackhide__ = True
    for part in parts:
        assert part in message, f"{part!r} not in message: {message}"


OnlyFails = Callable[..., None]


@pytest.fixture
def only_fails(preflight_baseline: Run, stack_copy: Path, tmp_path: Path) -> OnlyFails:
    """Run pre-flight on the faulty copy; assert one check/subject fails, naming ``parts``."""

    def check(check_id: str, subject: str, *parts: str, args: tuple[str, ...] = ()) -> None:
        __tracebackhide__ = True
        run = preflight(tmp_path, stack_copy, *args)
        names(assert_only_new_failure(preflight_baseline, run, check_id, subject), *parts)

    return check


# --- baseline ---------------------------------------------------------------------------
def test_reference_configuration_is_ready_with_warnings(preflight_baseline: Run) -> None:
    """The healthy reference: READY WITH WARNINGS from TLS-06, DEP-02 and the waived DEP-01 only."""
    run = preflight_baseline
    assert run.verdict == "READY WITH WARNINGS", run.output[-3000:]
    assert run.failing() == {
        ("TLS-06", "certs/server.crt"),
        ("DEP-01", "frontend"),
        ("DEP-02", "core"),
    }, run.output
    assert run.outcomes("DEP-01")["frontend"] == "waived"
    assert run.exit_code == 0


def test_dep02_unaudited_packages_are_a_warning(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """DEP-02: the reference core report (pip-audit could not reach its service) is a warning."""
    result = next(
        r for r in preflight_baseline.results if (r["check"], r["subject"]) == ("DEP-02", "core")
    )
    assert (result["outcome"], result["severity"]) == ("failed", "warning")
    names(
        result["message"],
        "audit core",
        "coverage",
        "expected every package audited",
        "not audited",
        "fastapi",
    )
    report = stack_copy / "audit" / "pip-audit-core.json"
    audited = [
        {"name": d["name"], "version": "1.0", "vulns": []}
        for d in json.loads(report.read_text())["dependencies"]
    ]
    report.write_text(json.dumps({"dependencies": audited}))
    git(stack_copy, "commit", "-qam", "audited report")
    assert preflight(tmp_path, stack_copy).outcomes("DEP-02")["core"] == "passed"


def test_tls06_self_signed_reference_cert_is_a_warning(preflight_baseline: Run) -> None:
    """TLS-06: the reference certificate (private CA) is a warning with the seed's action."""
    result = next(r for r in preflight_baseline.results if r["check"] == "TLS-06")
    assert result["outcome"] == "failed"
    assert result["severity"] == "warning"
    names(
        result["message"],
        "certs/server.crt",
        "issuer",
        "expected a public CA",
        "HyperCode",
        "plan migration to a public CA",
    )


def test_dep01_waived_finding_names_waiver(preflight_baseline: Run) -> None:
    """DEP-01: the front end's real high finding is waived by npm-audit-frontend."""
    message = preflight_baseline.message("DEP-01", "frontend")
    names(
        message,
        "audit frontend",
        "findings >= high",
        "expected none",
        "lodash (high",
        "npm-audit-frontend",
        "frontend-team",
    )


# --- 2.1 configuration ------------------------------------------------------------------
def test_cfg02_unset_variable_renders_blank(only_fails: OnlyFails, stack_copy: Path) -> None:
    """CFG-02 fails naming a variable that renders blank because it is unset."""
    edit(
        stack_copy / PROD,
        "      REDIS_URL: redis://redis:6379/0\n",
        "      REDIS_URL: redis://redis:6379/0\n      FEATURE_FLAGS: ${FEATURE_FLAGS_UNSET}\n",
    )
    git(stack_copy, "commit", "-qam", "unset variable")
    only_fails("CFG-02", "-", "variables", "expected all set", "FEATURE_FLAGS_UNSET")


def test_cfg03_service_without_healthcheck(only_fails: OnlyFails, stack_copy: Path) -> None:
    """CFG-03 fails for a service whose healthcheck is disabled."""
    edit(stack_copy / PROD, "      <<: *healthcheck\n" + REDIS_HEALTH, "      disable: true\n")
    git(stack_copy, "commit", "-qam", "no redis healthcheck")
    only_fails(
        "CFG-03",
        "redis",
        "service redis",
        "healthcheck",
        "expected a healthcheck test",
        "got disabled",
    )


def test_cfg04_invalid_nginx_config(only_fails: OnlyFails, stack_copy: Path) -> None:
    """CFG-04 fails when `nginx -t` (in the nginx image) rejects the configuration."""
    edit(stack_copy / "nginx" / "nginx.conf", "keepalive_timeout 65;", "keepalive_timeout 65 s x;")
    git(stack_copy, "commit", "-qam", "bad nginx")
    only_fails(
        "CFG-04", "-", "service nginx", "nginx -t", "expected 'syntax is ok'", "keepalive_timeout"
    )


def test_cfg05_route_to_wrong_service(only_fails: OnlyFails, stack_copy: Path) -> None:
    """CFG-05 fails when /grafana/ proxies to another service than the manifest names."""
    conf = stack_copy / "nginx" / "nginx.conf"
    text = conf.read_text()
    block = text[text.index("location /grafana/") :]
    block = block[: block.index("}") + 1]
    conf.write_text(text.replace(block, block.replace("$grafana_upstream", "$core_upstream")))
    git(stack_copy, "commit", "-qam", "grafana to core")
    only_fails(
        "CFG-05",
        "/grafana/",
        "nginx route /grafana/",
        "upstream",
        "expected grafana",
        "got hypercode-core",
    )


def test_cfg06_latest_image_is_a_warning(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """CFG-06 (warning) fails for an image tagged :latest."""
    edit(stack_copy / AGENTS, "project-strategist:${RELEASE:-2.0.0}", "project-strategist:latest")
    git(stack_copy, "commit", "-qam", "latest")
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(preflight_baseline, run, "CFG-06", "project-strategist")
    names(
        message,
        "service project-strategist",
        "image tag",
        "expected a pinned version",
        "hypercode/project-strategist:latest",
    )
    assert run.verdict == "READY WITH WARNINGS"


# --- 2.1 dependencies and tests -----------------------------------------------------------
def test_dep01_unwaived_finding_in_pip_report(only_fails: OnlyFails, stack_copy: Path) -> None:
    """DEP-01 fails for an unwaived finding (pip-audit has no severity: counts as at threshold)."""
    report = stack_copy / "audit" / "pip-audit-core.json"
    data = json.loads(report.read_text())
    data["dependencies"].append(
        {
            "name": "jinja2",
            "version": "3.1.2",
            "vulns": [
                {
                    "id": "GHSA-h5c8-rqwp-cp95",
                    "fix_versions": ["3.1.3"],
                    "aliases": ["CVE-2024-22195"],
                    "description": "HTML attribute injection in xmlattr filter",
                }
            ],
        }
    )
    report.write_text(json.dumps(data, indent=2))
    git(stack_copy, "commit", "-qam", "vulnerable jinja2")
    only_fails(
        "DEP-01",
        "core",
        "audit core",
        "findings >= high",
        "expected none",
        "jinja2==3.1.2 (unknown: GHSA-h5c8-rqwp-cp95)",
    )


def test_dep01_expired_waiver_is_a_blocker(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """DEP-01: once the npm-audit-frontend waiver expires, the finding blocks the launch."""
    waivers = [
        {
            "check": "DEP-01",
            "subject": "frontend",
            "id": "npm-audit-frontend",
            "justification": "Monitor for exploit attempts.",
            "owner": "frontend-team",
            "expires": "2020-01-31",
        }
    ]
    manifest = manifest_copy(tmp_path, waivers=waivers)
    run = preflight(tmp_path, stack_copy, f"--manifest={manifest}")
    assert run.verdict == "NOT READY"
    result = next(r for r in run.results if r["check"] == "DEP-01" and r["subject"] == "frontend")
    assert (result["outcome"], result["severity"]) == ("failed", "blocker")
    names(run.message("DEP-01", "frontend"), "lodash (high", "EXPIRED on 2020-01-31")


def test_tst01_failing_unit_test(only_fails: OnlyFails, stack_copy: Path) -> None:
    """TST-01 fails when the target's own test command fails."""
    (stack_copy / "python" / "tests" / "test_planted.py").write_text(
        "import unittest\n\n\nclass Planted(unittest.TestCase):\n"
        "    def test_fails(self):\n        self.assertEqual(1, 2, 'planted failure')\n"
    )
    git(stack_copy, "add", "-A")
    git(stack_copy, "commit", "-qm", "failing test")
    only_fails(
        "TST-01",
        "test-command",
        "tests test-command",
        "exit code",
        "expected 0",
        "got 1",
        "planted failure",
    )


@pytest.mark.live
def test_tst02_smoke_test_without_tls_verification(
    live_stack_up: str, preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """TST-02 (warning) fails when the smoke test passes only because it does not verify TLS."""
    edit(
        stack_copy / "smoke_test.py",
        "context = ssl.create_default_context(cafile=CA)",
        "context = ssl._create_unverified_context()",
    )
    git(stack_copy, "commit", "-qam", "verify=False")
    run = preflight(tmp_path, stack_copy)
    assert run.outcomes("TST-01") == {"test-command": "passed", "smoke-test": "passed"}
    message = assert_only_new_failure(preflight_baseline, run, "TST-02", "smoke-test")
    names(message, "tests smoke-test", "TLS verification", "expected failure", "got exit 0")
    assert run.verdict == "READY WITH WARNINGS"


# --- 2.2 security -----------------------------------------------------------------------
def test_sec01_required_secret_missing_from_env(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """SEC-01 fails when .env lacks a secret the manifest requires."""
    manifest = manifest_copy(
        tmp_path, secrets__required=["API_KEY", "JWT_SECRET", "DB_PASSWORD", "SESSION_SECRET"]
    )
    run = preflight(tmp_path, stack_copy, f"--manifest={manifest}")
    message = assert_only_new_failure(preflight_baseline, run, "SEC-01", "SESSION_SECRET")
    names(message, "secret SESSION_SECRET", "value in .env", "expected non-empty", "got missing")


def test_sec02_placeholder_secret(only_fails: OnlyFails, stack_copy: Path) -> None:
    """SEC-02 fails for a placeholder value (the .env.example's `changeme`)."""
    env_set(stack_copy, "JWT_SECRET", "changeme")
    only_fails(
        "SEC-02",
        "JWT_SECRET",
        "secret JWT_SECRET",
        "strength",
        "expected a random secret",
        "got a placeholder/default",
    )


def test_sec02_short_secret(preflight_baseline: Run, stack_copy: Path, tmp_path: Path) -> None:
    """SEC-02 fails for a secret shorter than the manifest's minimum, without showing it."""
    env_set(stack_copy, "API_KEY", "Zq8#rT2!")
    message = assert_only_new_failure(
        preflight_baseline, preflight(tmp_path, stack_copy), "SEC-02", "API_KEY"
    )
    names(message, "secret API_KEY", "expected at least 16 characters", "got 8")
    assert "Zq8#rT2!" not in message


def test_sec03_secret_hardcoded_in_compose(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """SEC-03 fails when a compose file holds the secret's literal value (value never shown)."""
    value = env_get(stack_copy, "API_KEY")
    edit(
        stack_copy / PROD,
        "      API_KEY: ${API_KEY:?API_KEY must be set in .env}\n",
        f"      API_KEY: {value}\n",
    )
    git(stack_copy, "commit", "-qam", "hard-coded key")
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(preflight_baseline, run, "SEC-03", "API_KEY")
    names(
        message,
        "secret API_KEY",
        "hard-coded",
        "expected only ${API_KEY}",
        f"{PROD} (literal in hypercode-core.environment)",
    )
    assert value not in run.output


def test_sec03_secret_in_tracked_file(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """SEC-03 fails when a tracked source file holds the secret's value."""
    value = env_get(stack_copy, "DB_PASSWORD")
    (stack_copy / "python" / "hypercode_core" / "local_settings.py").write_text(
        f'DB_PASSWORD = "{value}"\n'
    )
    git(stack_copy, "add", "-A")
    git(stack_copy, "commit", "-qm", "oops")
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(preflight_baseline, run, "SEC-03", "DB_PASSWORD")
    names(message, "secret DB_PASSWORD", "python/hypercode_core/local_settings.py (value)")
    assert value not in run.output


def test_sec04_env_tracked_by_git(only_fails: OnlyFails, stack_copy: Path) -> None:
    """SEC-04 fails when .env is committed."""
    git(stack_copy, "add", "-f", ".env")
    git(stack_copy, "commit", "-qm", "commit .env")
    only_fails("SEC-04", "-", "file .env", "git", "expected untracked", "got tracked")


def test_sec05_env_world_readable(only_fails: OnlyFails, stack_copy: Path) -> None:
    """SEC-05 fails when .env is readable by others."""
    os.chmod(stack_copy / ".env", 0o644)
    only_fails("SEC-05", "-", "file .env", "mode", "expected 0600", "got 0644")


def test_grf01_default_grafana_password(only_fails: OnlyFails, stack_copy: Path) -> None:
    """GRF-01 fails when Grafana's admin password is the default."""
    env_set(stack_copy, "GRAFANA_ADMIN_PASSWORD", "admin")
    only_fails(
        "GRF-01",
        "-",
        "GRAFANA_ADMIN_PASSWORD",
        "expected a non-default password",
        "got the default",
    )


def test_tls01_key_missing(preflight_baseline: Run, stack_copy: Path, tmp_path: Path) -> None:
    """TLS-01 fails when the key file is missing (nginx -t fails too: CFG-04)."""
    (stack_copy / "certs" / "server.key").unlink()
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(
        preflight_baseline, run, "TLS-01", "certs/server.crt", also=("CFG-04",)
    )
    names(message, "key server.key", "expected a PEM file", "got missing")
    assert run.outcomes("TLS-02") == {"certs/server.crt": "skipped"}


def test_tls02_key_does_not_match(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """TLS-02 fails when the key belongs to another certificate (nginx -t fails too)."""
    replace_key_only(stack_copy)
    message = assert_only_new_failure(
        preflight_baseline,
        preflight(tmp_path, stack_copy),
        "TLS-02",
        "certs/server.crt",
        also=("CFG-04",),
    )
    names(message, "key server.key", "expected the certificate's public key", "different key")


def test_tls03_certificate_expires_soon(only_fails: OnlyFails, stack_copy: Path) -> None:
    """TLS-03 fails when the certificate has fewer days left than the manifest's minimum."""
    issue_cert(stack_copy, days=10)
    only_fails(
        "TLS-03",
        "certs/server.crt",
        "tls certs/server.crt",
        "days left",
        "expected >= 30",
        "got 10",
    )


def test_tls04_certificate_for_another_name(only_fails: OnlyFails, stack_copy: Path) -> None:
    """TLS-04 fails when the certificate does not name the server name."""
    issue_cert(stack_copy, names=("hypercode.example.invalid",))
    only_fails(
        "TLS-04",
        "certs/server.crt",
        "subjectAltName",
        "expected to cover localhost",
        "got hypercode.example.invalid",
    )


def test_tls05_weak_key(preflight_baseline: Run, stack_copy: Path, tmp_path: Path) -> None:
    """TLS-05 fails for a 1024-bit RSA key (OpenSSL in nginx may reject it too: CFG-04)."""
    issue_cert(stack_copy, key_bits=1024)
    message = assert_only_new_failure(
        preflight_baseline,
        preflight(tmp_path, stack_copy),
        "TLS-05",
        "certs/server.crt",
        also=("CFG-04",),
    )
    names(message, "key size", "expected RSA >= 2048", "got RSA 1024 bits")


# --- 2.2 network isolation ----------------------------------------------------------------
def test_net01_backend_publishes_port(only_fails: OnlyFails, stack_copy: Path) -> None:
    """NET-01 fails when a non-public service publishes a port."""
    edit(
        stack_copy / PROD,
        REDIS_HEALTH,
        REDIS_HEALTH + '    ports:\n      - "127.0.0.1:6379:6379"\n',
    )
    git(stack_copy, "commit", "-qam", "publish redis")
    only_fails(
        "NET-01",
        "redis",
        "service redis",
        "published ports",
        "expected none",
        "127.0.0.1:6379->6379/tcp",
    )


def test_net02_port_on_all_interfaces(only_fails: OnlyFails, stack_copy: Path) -> None:
    """NET-02 fails when the public service binds 0.0.0.0."""
    edit(stack_copy / PROD, '"127.0.0.1:${HTTP_PORT:-8080}:80"', '"${HTTP_PORT:-8080}:80"')
    git(stack_copy, "commit", "-qam", "all interfaces")
    only_fails(
        "NET-02",
        "nginx",
        "service nginx",
        "host address",
        "expected 127.0.0.1",
        "got 0.0.0.0:8080->80",
    )


def test_net03_backend_on_edge_network(only_fails: OnlyFails, stack_copy: Path) -> None:
    """NET-03 fails when a backend service is attached to another network too."""
    edit(
        stack_copy / PROD,
        "      context: ./redis\n      args: *build-args\n    networks:\n      - platform-net\n",
        "      context: ./redis\n      args: *build-args\n    networks:\n"
        "      - platform-net\n      - edge-net\n",
    )
    git(stack_copy, "commit", "-qam", "redis on edge")
    only_fails(
        "NET-03",
        "redis",
        "service redis",
        "networks",
        "expected only platform-net",
        "got edge-net, platform-net",
    )


# --- 2.3 resources ------------------------------------------------------------------------
def test_res01_cpu_limit_differs(only_fails: OnlyFails, stack_copy: Path) -> None:
    """RES-01 fails when a service's CPU limit differs from the manifest's table."""
    edit(stack_copy / AGENTS, 'cpus: "0.75"', 'cpus: "0.5"')
    git(stack_copy, "commit", "-qam", "less cpu")
    only_fails(
        "RES-01",
        "project-strategist",
        "service project-strategist",
        "cpus limit",
        "expected 0.75",
        "got 0.5",
    )


def test_res02_memory_limit_differs(only_fails: OnlyFails, stack_copy: Path) -> None:
    """RES-02 fails when a service's memory limit differs from the manifest's table."""
    edit(stack_copy / AGENTS, "memory: 768M", "memory: 512M")
    git(stack_copy, "commit", "-qam", "less memory")
    only_fails(
        "RES-02",
        "project-strategist",
        "service project-strategist",
        "memory limit",
        "expected 768M",
        "got 512M",
    )


def test_res01_res02_service_without_limits(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """RES-01 and RES-02 fail for a service without any limits (not in the manifest's table)."""
    edit(stack_copy / PROD, REDIS_HEALTH + "    deploy: *small-limits\n", REDIS_HEALTH)
    git(stack_copy, "commit", "-qam", "no limits")
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(preflight_baseline, run, "RES-01", "redis", also=("RES-02",))
    names(message, "service redis", "deploy.resources.limits.cpus", "expected a limit", "got none")
    names(run.message("RES-02", "redis"), "deploy.resources.limits.memory", "got none")


# --- 3 backup -----------------------------------------------------------------------------
def _only_dump(stack: Path, data: bytes, age_hours: float = 0.0) -> None:
    for old in (stack / "backups" / "postgres").glob("*"):
        old.unlink()
    plant_dump(stack, data, age_hours)


def test_bak01_backup_tool_missing(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """BAK-01 fails when the manifest's backup tool is not installed."""
    manifest = manifest_copy(tmp_path, backup__tool="pg_dump_not_installed")
    message = assert_only_new_failure(
        preflight_baseline, preflight(tmp_path, stack_copy, f"--manifest={manifest}"), "BAK-01", "-"
    )
    names(
        message, "backup tool pg_dump_not_installed", "exists", "expected on PATH", "got not found"
    )


def test_bak02_stale_backup(
    only_fails: OnlyFails,
    preflight_baseline: Run,
    stack_copy: Path,
    tmp_path: Path,
    fresh_dump: bytes,
) -> None:
    """BAK-02 fails when the newest backup is older than the maximum age."""
    _only_dump(stack_copy, fresh_dump, age_hours=30)
    only_fails(
        "BAK-02",
        "backups/postgres",
        "backup backups/postgres/backup_",
        "age",
        "expected <= 24 h",
        "got 30.0 h",
    )


def test_bak02_no_backup(preflight_baseline: Run, stack_copy: Path, tmp_path: Path) -> None:
    """BAK-02 fails when there is no backup at all (BAK-03 is then skipped, not cascaded)."""
    for old in (stack_copy / "backups" / "postgres").glob("*"):
        old.unlink()
    run = preflight(tmp_path, stack_copy)
    message = assert_only_new_failure(preflight_baseline, run, "BAK-02", "backups/postgres")
    names(message, "newest backup_*.dump", "got none")
    assert run.outcomes("BAK-03") == {"backups/postgres": "skipped"}


def test_bak03_truncated_backup(
    only_fails: OnlyFails,
    preflight_baseline: Run,
    stack_copy: Path,
    tmp_path: Path,
    fresh_dump: bytes,
) -> None:
    """BAK-03 fails when the newest dump is truncated (`pg_restore --list` rejects it)."""
    _only_dump(stack_copy, fresh_dump[:200])
    only_fails(
        "BAK-03",
        "backups/postgres",
        "pg_restore --list",
        "expected a readable archive",
        "got exit 1",
    )


def test_bak03_empty_backup(only_fails: OnlyFails, stack_copy: Path) -> None:
    """BAK-03 fails when the newest dump is empty."""
    _only_dump(stack_copy, b"")
    only_fails("BAK-03", "backups/postgres", "size", "expected > 0 bytes", "got 0")


# --- 5 checkout ---------------------------------------------------------------------------
def test_git01_uncommitted_change(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """GIT-01 fails when the checkout has uncommitted changes."""
    edit(stack_copy / "prometheus" / "prometheus.yml", "scrape_interval: 5s", "scrape_interval: 6s")
    message = assert_only_new_failure(
        preflight_baseline, preflight(tmp_path, stack_copy), "GIT-01", "-"
    )
    names(
        message, "checkout stack", "local changes", "expected none", "M prometheus/prometheus.yml"
    )


def test_git02_checkout_not_at_expected_ref(
    only_fails: OnlyFails, stack_copy: Path, tmp_path: Path
) -> None:
    """GIT-02 fails when HEAD is not the expected release tag."""
    git(stack_copy, "tag", "v2.0.0")
    (stack_copy / "CHANGES.md").write_text("unreleased change\n")
    git(stack_copy, "add", "-A")
    git(stack_copy, "commit", "-qm", "after the release")
    manifest = manifest_copy(tmp_path, deployment__expected_ref="v2.0.0")
    only_fails(
        "GIT-02",
        "-",
        "checkout stack",
        "ref",
        "expected v2.0.0",
        "got HEAD",
        args=(f"--manifest={manifest}",),
    )


# --- 4 monitoring -------------------------------------------------------------------------
def test_mon01_invalid_prometheus_config(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-01 fails when `promtool check config` rejects prometheus.yml."""
    edit(
        stack_copy / "prometheus" / "prometheus.yml",
        "scrape_interval: 5s",
        "scrape_interval: 5 parsecs",
    )
    git(stack_copy, "commit", "-qam", "bad interval")
    only_fails(
        "MON-01",
        "-",
        "prometheus prometheus.yml",
        "promtool check config",
        "expected SUCCESS",
        "5 parsecs",
    )


def test_mon02_required_job_missing(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-02 fails when a required scrape job is missing."""
    edit(stack_copy / "prometheus" / "prometheus.yml", "job_name: postgres", "job_name: pg")
    git(stack_copy, "commit", "-qam", "renamed job")
    only_fails(
        "MON-02", "postgres", "prometheus job postgres", "scrape_configs", "expected present", "pg"
    )


def test_mon03_invalid_alert_rules(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-03 fails when `promtool check rules` rejects alert.rules.yml."""
    edit(
        stack_copy / "prometheus" / "alert.rules.yml",
        "rate(process_cpu_seconds_total[1m]) > 0.9",
        "rate(process_cpu_seconds_total[1m] > 0.9",
    )
    git(stack_copy, "commit", "-qam", "bad rule")
    only_fails("MON-03", "-", "alert.rules.yml", "promtool check rules", "expected SUCCESS")


def test_mon04_service_down_means_something_else(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-04 fails when ServiceDown is not `up == 0`."""
    edit(stack_copy / "prometheus" / "alert.rules.yml", "expr: up == 0", "expr: up == 1")
    git(stack_copy, "commit", "-qam", "wrong alert")
    only_fails(
        "MON-04", "ServiceDown", "alert ServiceDown", "expr", "expected 'up == 0'", "got 'up == 1'"
    )


# --- 4 alerts: the Alertmanager Prometheus sends to, its config through the mounts -------
AM_MOUNT = "      - ./alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro\n"


def test_mon05_alertmanager_config_missing_on_host(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-05 fails when the mounted alertmanager.yml does not exist on the host."""
    git(stack_copy, "rm", "-q", "alertmanager/alertmanager.yml")
    git(stack_copy, "commit", "-qm", "lost the alertmanager config")
    only_fails(
        "MON-05",
        "alertmanager",
        "alertmanager alertmanager: --config.file=/etc/alertmanager/alertmanager.yml",
        "(image hypercode/alertmanager:2.0.0 Cmd)",
        f"host {stack_copy / 'alertmanager' / 'alertmanager.yml'}, which does not exist",
    )


def test_mon05_invalid_alertmanager_config(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-05 fails when `amtool check-config` rejects the mounted alertmanager.yml."""
    edit(stack_copy / "alertmanager" / "alertmanager.yml", 'receiver: "null"', "receiver: pager")
    git(stack_copy, "commit", "-qam", "route to an undefined receiver")
    only_fails(
        "MON-05",
        "alertmanager",
        "/etc/alertmanager/alertmanager.yml (host "
        f"{stack_copy / 'alertmanager' / 'alertmanager.yml'})",
        "amtool check-config: expected SUCCESS",
        'undefined receiver "pager"',
        "judged by amtool, version",
    )


def test_mon05_config_path_no_mount_provides(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-05 fails when --config.file names a path no mount provides (the image's copy)."""
    command = (
        '    command: ["--config.file=/etc/alertmanager/production.yml",'
        ' "--storage.path=/alertmanager"]\n'
    )
    edit(stack_copy / PROD, "    volumes:\n" + AM_MOUNT, command + "    volumes:\n" + AM_MOUNT)
    git(stack_copy, "commit", "-qam", "config path nobody mounts")
    only_fails(
        "MON-05",
        "alertmanager",
        "--config.file=/etc/alertmanager/production.yml (compose command)",
        "no mount provides /etc/alertmanager/production.yml",
    )


def test_mon05_prometheus_sends_alerts_nowhere(only_fails: OnlyFails, stack_copy: Path) -> None:
    """MON-05 fails when the manifest requires alerts but Prometheus names no Alertmanager."""
    edit(
        stack_copy / "prometheus" / "prometheus.yml",
        "alerting:\n  alertmanagers:\n    - static_configs:\n"
        '        - targets: ["alertmanager:9093"]\n',
        "",
    )
    git(stack_copy, "commit", "-qam", "no alerting block")
    only_fails(
        "MON-05",
        "alertmanager",
        "prometheus prometheus: prometheus.yml alerting.alertmanagers",
        "expected a target naming alertmanager, got none",
    )


def test_mon05_prometheus_sends_alerts_to_the_wrong_port(
    only_fails: OnlyFails, stack_copy: Path
) -> None:
    """MON-05 fails when Prometheus's alert target is not the port the Alertmanager listens on."""
    edit(stack_copy / "prometheus" / "prometheus.yml", "alertmanager:9093", "alertmanager:9094")
    git(stack_copy, "commit", "-qam", "wrong alertmanager port")
    only_fails(
        "MON-05",
        "alertmanager",
        "prometheus.yml line 11: alerting.alertmanagers[0].static_configs[0].targets[0]",
        "expected port 9093",
        "got 9094",
    )


# --- 6 contacts ---------------------------------------------------------------------------
def test_ops01_incident_commander_unassigned(
    preflight_baseline: Run, stack_copy: Path, tmp_path: Path
) -> None:
    """OPS-01 fails with the seed's unfilled '[Assign Name]'."""
    manifest = manifest_copy(tmp_path, contacts__incident_commander="[Assign Name]")
    message = assert_only_new_failure(
        preflight_baseline,
        preflight(tmp_path, stack_copy, f"--manifest={manifest}"),
        "OPS-01",
        "incident_commander",
    )
    names(message, "contacts incident_commander", "expected a named person", "[Assign Name]")


def test_preflight_changes_nothing(stack_copy: Path, tmp_path: Path) -> None:
    """Pre-flight is read-only: the copy's git state is identical before and after a run."""
    before = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],
        cwd=stack_copy,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    preflight(tmp_path, stack_copy)
    after = subprocess.run(
        ["git", "status", "--porcelain", "--ignored"],
        cwd=stack_copy,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert before == after
