"""The emergency shutdown (runbook.shutdown) and its drill check SHD-01, on our own project.

Everything runs against ``rdyshut`` (tests/shutdown_project: nginx on 127.0.0.1:18480, an
application, PostgreSQL on a named volume), never against the reference stack. Faults planted
for real: a second service publishing a port the ingress cut does not reach, and the database's
data directory on tmpfs (gone once the container stops).
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import ROOT, Run, run_suite

PROJECT = "rdyshut"
PORT, SIDECAR_PORT = 18480, 18481
SOURCE = ROOT / "tests" / "shutdown_project"
_PSQL = ("psql", "-X", "-q", "-A", "-t", "-U", "shut", "-d", "shut", "-c")


def _compose(project_dir: Path, *args: str, files: tuple[str, ...] = ("compose.yaml",)) -> None:
    cmd = ["docker", "compose", "-p", PROJECT, "--project-directory", str(project_dir)]
    cmd += ["--env-file", str(project_dir / ".env")]
    for name in files:
        cmd += ["-f", str(project_dir / name)]
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True, check=False, timeout=600)
    assert proc.returncode == 0, f"compose {' '.join(args)}: {proc.stderr[-2000:]}"


def _declared(project_dir: Path) -> None:
    """Back to the declared project (faults removed), healthy."""
    _compose(project_dir, "up", "-d", "--remove-orphans", "--wait", "--wait-timeout", "180")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def shut_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the rdyshut project with a generated .env, up and healthy; removed afterwards."""
    project_dir = tmp_path_factory.mktemp("rdyshut") / "project"
    shutil.copytree(SOURCE, project_dir)
    token, password = secrets.token_hex(16), secrets.token_hex(16)
    (project_dir / ".env").write_text(f"APP_TOKEN=tok{token}\nDB_PASSWORD=pw{password}\n")
    (project_dir / ".env").chmod(0o600)
    try:
        _declared(project_dir)
        yield project_dir
    finally:
        # the declared file only: a fault file that resets the volumes would keep them
        _compose(project_dir, "down", "--volumes", "--remove-orphans", "--timeout", "2")


def _shutdown_cli(project_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "runbook.shutdown",
            "--manifest",
            str(project_dir / "readiness.yml"),
            *args,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def _running(project: str) -> list[str]:
    out = subprocess.run(
        ["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={project}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()


def _psql(sql: str) -> str:
    proc = subprocess.run(
        [*("docker", "exec", "-u", "postgres", f"{PROJECT}-postgres-1"), *_PSQL, sql],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_shutdown_without_confirm_refuses_and_says_what_it_would_do(shut_project: Path) -> None:
    """No --confirm: exit 4, the plan in order (ingress first), nothing stopped."""
    proc = _shutdown_cli(shut_project)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    err = proc.stderr
    assert "1. stop ingress: nginx" in err
    assert "2. stop application: app" in err
    assert "3. stop data: postgres" in err
    assert f"127.0.0.1:{PORT} (nginx)" in err
    assert "refusing: --confirm: expected the project name rdyshut, got none" in err
    assert len(_running(PROJECT)) == 3
    assert _answers(PORT)
    wrong = _shutdown_cli(shut_project, "--confirm", "hypercode")
    assert wrong.returncode == 4
    assert "got 'hypercode'" in wrong.stderr
    assert len(_running(PROJECT)) == 3


def test_shutdown_cuts_ingress_keeps_data_captures_evidence(
    shut_project: Path, tmp_path: Path
) -> None:
    """--confirm: public port refuses, all stopped, volume and data kept, masked logs and the
    sign-off in the incident folder; the printed command brings the stack back with its data."""
    _psql("CREATE TABLE IF NOT EXISTS kept (v text); INSERT INTO kept VALUES ('before-breach')")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "signoff.md").write_text("# Sign-off\nVerdict: READY\n")
    incidents = tmp_path / "incidents"
    proc = _shutdown_cli(
        shut_project,
        "--confirm",
        PROJECT,
        f"--incident-dir={incidents}",
        f"--reports-dir={reports}",
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "public ingress cut in" in out
    assert not _answers(PORT)
    assert _running(PROJECT) == []
    volumes = subprocess.run(
        ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert volumes == [f"{PROJECT}_data"]
    (incident,) = incidents.iterdir()
    app_log = (incident / "logs" / "app.log").read_text()
    token = (shut_project / ".env").read_text().split("APP_TOKEN=")[1].split()[0]
    assert "app starting with token ********" in app_log
    assert token not in app_log
    assert {p.name for p in (incident / "logs").iterdir()} == {
        "nginx.log",
        "app.log",
        "postgres.log",
    }
    assert (incident / "signoff.md").read_text() == "# Sign-off\nVerdict: READY\n"
    summary = (incident / "incident.md").read_text()
    assert "(ingress stage)" in summary
    comeback = [line.strip() for line in proc.stdout.splitlines() if "runbook.stack up" in line]
    assert comeback, proc.stdout
    back = subprocess.run(
        [sys.executable, "-m", *comeback[0].split()[2:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert back.returncode == 0, back.stdout[-2000:] + back.stderr[-2000:]
    assert _answers(PORT)
    assert _psql("SELECT v FROM kept") == "before-breach"
    _psql("DROP TABLE kept")


def _drill(project_dir: Path, tmp_path: Path, manifest: Path | None = None) -> Run:
    manifest = manifest or project_dir / "readiness.yml"
    return run_suite(
        tmp_path,
        "-m",
        "rollback",
        "--disruptive",
        "-k",
        "emergency_shutdown",
        f"--manifest={manifest}",
    )


def _fault_manifest(project_dir: Path, fault: str, text: str) -> Path:
    (project_dir / f"fault-{fault}.yaml").write_text(text)
    manifest = project_dir / f"readiness-{fault}.yml"
    manifest.write_text(
        (project_dir / "readiness.yml")
        .read_text()
        .replace(
            "compose_files: [compose.yaml]", f"compose_files: [compose.yaml, fault-{fault}.yaml]"
        )
    )
    return manifest


def test_shd01_passes_on_a_correct_project(shut_project: Path, tmp_path: Path) -> None:
    """SHD-01 passes on rdyshut, prints the measured cut, and leaves the project healthy."""
    run = _drill(shut_project, tmp_path)
    assert run.outcomes("SHD-01") == {"-": "passed"}, run.output[-3000:]
    assert run.verdict == "READY"
    assert "6 emergency shutdown: public ports refuse after" in run.output
    assert len(_running(PROJECT)) == 3
    assert _answers(PORT)


def test_shd01_fails_when_a_port_outlives_the_ingress_cut(
    shut_project: Path, tmp_path: Path
) -> None:
    """A service not declared public publishes a port: it still answers after the ingress cut."""
    manifest = _fault_manifest(
        shut_project,
        "sidecar",
        "services:\n"
        "  sidecar:\n"
        "    image: hypercode/nginx:2.0.0\n"
        "    init: true\n"
        f'    ports: ["127.0.0.1:{SIDECAR_PORT}:80"]\n'
        "    volumes: [./nginx.conf:/etc/nginx/nginx.conf:ro]\n"
        "    networks: [edge]\n"
        "    healthcheck:\n"
        '      test: ["CMD", "curl", "-fsS", "-o", "/dev/null", "http://localhost/"]\n'
        "      interval: 2s\n",
    )
    try:
        _compose(shut_project, "up", "-d", "--wait", files=("compose.yaml", "fault-sidecar.yaml"))
        run = _drill(shut_project, tmp_path, manifest)
    finally:
        _declared(shut_project)
    assert run.failing() == {("SHD-01", "-")}, run.output[-3000:]
    message = run.message("SHD-01")
    assert f"127.0.0.1:{SIDECAR_PORT} (sidecar) refused only in the application stage" in message
    assert "network.public_services" in message
    assert run.verdict == "NOT READY"


def test_shd01_fails_when_the_data_is_on_tmpfs(shut_project: Path, tmp_path: Path) -> None:
    """The database keeps its data on tmpfs: the marker row is gone after coming back."""
    manifest = _fault_manifest(
        shut_project,
        "tmpfs",
        "services:\n  postgres:\n    volumes: !reset []\n    tmpfs: [/var/lib/postgresql/data]\n",
    )
    try:
        _compose(shut_project, "up", "-d", "--wait", files=("compose.yaml", "fault-tmpfs.yaml"))
        run = _drill(shut_project, tmp_path, manifest)
    finally:
        _declared(shut_project)
    assert run.failing() == {("SHD-01", "-")}, run.output[-3000:]
    message = run.message("SHD-01")
    assert "marker row written before the shutdown" in message
    assert "tmpfs /var/lib/postgresql/data" in message
    assert "named volume" in message


def test_verify_launch_names_the_contingency_it_triggers(
    shut_project: Path, tmp_path: Path
) -> None:
    """Post-deploy NOT READY with the database published and a table missing: verify_launch
    names the emergency shutdown and the 3.2 restore, with their commands for this target."""
    manifest = _fault_manifest(
        shut_project, "exposed", 'services:\n  postgres:\n    ports: ["127.0.0.1:18432:5432"]\n'
    )
    manifest.write_text(
        manifest.read_text().replace(
            "compose_files: [compose.yaml, fault-exposed.yaml]", "compose_files: [compose.yaml]"
        )
        + "  tables: [orders]\n"
    )
    try:
        _compose(shut_project, "up", "-d", "--wait", files=("compose.yaml", "fault-exposed.yaml"))
        reports = f"--reports-dir={tmp_path / 'reports'}"
        proc = subprocess.run(
            [sys.executable, "-m", "runbook.verify_launch", f"--manifest={manifest}", reports],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
    finally:
        _declared(shut_project)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    tail = out.split("[verify-launch] contingency (seed 6, critical failure criteria):", 1)[1]
    assert "Security breach (DRF-02 failed): trigger the emergency shutdown" in tail
    assert f"python -m runbook.shutdown --confirm {PROJECT} --manifest {manifest}" in tail
    assert "Database data loss (DB-02 failed): trigger the 3.2 database rollback" in tail
    assert f"python -m runbook.restore --confirm shut --project-name {PROJECT}" in tail
    assert "rollback --project-name" not in tail
