"""`python -m runbook.init`: a starter manifest that loads, for the foreign projects and the
reference stack, and whose pre-flight run finds the planted faults once the marked guesses are
checked."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from readiness.model.manifest import load_manifest
from tests.foreign_support import FOREIGN, PROJECTS, load_expected, prepare
from tests.harness import ROOT, copy_stack, run_suite
from tests.preflight_support import scratch_dump


def init(project: Path, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m runbook.init <project> --output <output>``, output captured."""
    return subprocess.run(
        [sys.executable, "-m", "runbook.init", str(project), f"--output={output}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("name", PROJECTS)
def test_init_manifest_of_a_foreign_project_loads(name: str, tmp_path: Path) -> None:
    """Every foreign project gets a manifest that loads, its guesses marked."""
    project = prepare(name, tmp_path)
    output = tmp_path / "starter.yml"
    proc = init(project, output)
    assert proc.returncode == 0, proc.stderr
    manifest = load_manifest(output)
    assert manifest.project_dir == project.resolve()
    text = output.read_text()
    assert "# guess:" in text
    assert "incident_commander: TODO" in text
    # the hand-written manifest, read as YAML (telemetry's loads only once sections are optional)
    expected = yaml.safe_load((project / "readiness.yml").read_text())
    files = [project / f for f in expected["target"]["compose_files"]]
    assert list(manifest.compose_files) == files  # the override is found
    assert set(manifest.secrets.required) >= set(expected["secrets"]["required"])
    assert set(manifest.network.public_services) >= set(expected["network"]["public_services"])


def test_init_finds_files_through_the_mounts(tmp_path: Path) -> None:
    """nginx through conf.d, TLS from ssl_certificate, Prometheus rules, backups, overrides."""
    ledger = prepare("ledger", tmp_path)
    assert init(ledger, tmp_path / "ledger.yml").returncode == 0
    m = load_manifest(tmp_path / "ledger.yml")
    assert (m.nginx.service, m.nginx.config_dir) == ("gateway", ledger / "nginx")
    assert (m.tls.cert, m.tls.key) == (ledger / "certs/ledger.crt", ledger / "certs/ledger.key")
    assert m.target.server_name == "ledger.localhost"
    assert {(r.path, r.service) for r in m.routes} == {("/api/", "api"), ("/grafana/", "api")}
    assert m.backup.directory == ledger / "backups"
    assert (m.database.service, m.database.password_env) == ("ledger-db", "LEDGER_DB_PASSWORD")
    assert m.monitoring.rules == ledger / "prometheus/rules/ledger.yml"
    assert m.limits["ledger-db"].memory == 1024**3
    text = (tmp_path / "ledger.yml").read_text()
    assert "compose.override.yaml:7 service api: PAYMENT_SIGNING_KEY" in text

    telemetry = prepare("telemetry", tmp_path)
    proc = init(telemetry, tmp_path / "telemetry.yml")
    assert "invented: tls, nginx, backup, database, grafana" in proc.stdout
    text = (tmp_path / "telemetry.yml").read_text()
    assert "slo.rules.yml is mounted from prometheus/rules/slo.rules.yml, which does not" in text
    assert "rule_files /etc/prometheus/extra/*.yml: no mount provides a match" in text
    assert "# guess: no nginx in the project" in text  # left out: its checks are N/A

    kiosk = prepare("kiosk", tmp_path)
    assert init(kiosk, tmp_path / "kiosk.yml").returncode == 0
    k = load_manifest(tmp_path / "kiosk.yml")
    assert k.grafana.password_env == "GRAFANA_ADMIN_PASSWORD"
    assert (k.nginx.config_dir, k.backup.directory) == (kiosk / "proxy", kiosk / "backups")
    text = (tmp_path / "kiosk.yml").read_text()
    assert "docker-compose.override.yml:6 service grafana: GF_SECURITY_ADMIN_PASSWORD" in text


def test_init_manifest_of_the_reference_stack_loads(tmp_path: Path) -> None:
    """The reference stack (two compose files, no default name) gets a manifest that loads."""
    stack = copy_stack(tmp_path, git=False)
    proc = init(stack, tmp_path / "reference.yml")
    assert proc.returncode == 0, proc.stderr
    m = load_manifest(tmp_path / "reference.yml")
    assert [f.name for f in m.compose_files] == [
        "docker-compose.production.yml",
        "docker-compose.agents.yml",
    ]
    assert m.network.public_services == ["nginx"]
    assert m.network.internal == "platform-net"
    assert {"API_KEY", "JWT_SECRET", "DB_PASSWORD"} <= set(m.secrets.required)
    assert m.tls.cert == stack / "certs/server.crt"
    assert m.monitoring.rules == stack / "prometheus/alert.rules.yml"


def test_init_reads_the_yaml_when_compose_fails(tmp_path: Path) -> None:
    """Without .env, `${VAR:?}` stops compose: the YAML files are read instead, and it says so."""
    project = tmp_path / "telemetry"
    shutil.copytree(FOREIGN / "telemetry", project)
    proc = init(project, tmp_path / "starter.yml")
    assert proc.returncode == 0, proc.stderr
    assert "`docker compose config` failed" in proc.stderr
    m = load_manifest(tmp_path / "starter.yml")
    assert m.network.public_services == ["exporter", "prometheus"]
    assert m.limits["prometheus"].memory == 1024**3


def test_init_bad_input_is_one_line_and_exit_4(tmp_path: Path) -> None:
    """A missing directory, a missing compose file or an existing output: exit 4, one line."""
    for args in (
        [str(tmp_path / "nowhere")],
        [str(FOREIGN / "kiosk"), "--compose-file=missing.yml"],
        [str(FOREIGN / "kiosk"), f"--output={FOREIGN / 'kiosk' / 'readiness.yml'}"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "runbook.init", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 4, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


# The operator's review of the marked guesses: only `# guess:` lines are changed.
REVIEWED = {
    "ledger": {"{path: /grafana/, service: api,": "{path: /grafana/, service: dashboards,"},
    "kiosk": {},
    "telemetry": {
        "public_services: [exporter, prometheus]": "public_services: [prometheus]",
        "backend_services: [alertmanager]": "backend_services: [alertmanager, exporter]",
        "required_alerts: {NodeDown: null}": (
            "required_alerts: {NodeDown: null, SloBurnFast: null, DiskFull: null}"
        ),
    },
}


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_generated_manifest_finds_the_planted_faults(name: str, tmp_path: Path) -> None:
    """Pre-flight on the starter manifest (guesses reviewed) fails every planted row."""
    dump = scratch_dump() if name == "ledger" else None
    project = prepare(name, tmp_path, dump)
    output = tmp_path / "starter.yml"
    assert init(project, output).returncode == 0
    lines = output.read_text().splitlines()
    for old, new in REVIEWED[name].items():
        hits = [i for i, line in enumerate(lines) if old in line]
        assert hits, old
        assert all("# guess:" in lines[i] for i in hits), old
        for i in hits:
            lines[i] = lines[i].replace(old, new)
    output.write_text("\n".join(lines) + "\n")
    run = run_suite(tmp_path, "-m", "preflight", f"--manifest={output}")
    _, expected = load_expected(name)
    planted = {key for key, row in expected.items() if row.outcome in ("failed", "broken")}
    assert planted, name
    missed = sorted(planted - run.failing())
    assert not missed, f"{name}: planted faults not found: {missed}\n{run.output[-3000:]}"
    assert ("OPS-01", "incident_commander") in run.failing()  # contacts are left TODO
    assert run.verdict == "NOT READY"
