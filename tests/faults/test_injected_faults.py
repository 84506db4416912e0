"""Faults injected for real into our own small stack (``rdyfault``): each ends clean and bounded.

Every fault ends in a clean NOT READY (or a clean runbook failure) naming what broke: no
traceback, no internal error, no exception group of unclosed sockets. Each test states its
bound (what the suite's own timeouts add up to); the measured times are appended to
``reports/fault-times.jsonl``. The reference ``hypercode`` stack is never touched.
"""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.operations.backup import latest_backup
from tests.faults.fault_project import (
    FaultProject,
    Timed,
    assert_clean,
    deploy,
    record,
    remove,
    timed_suite,
)
from tests.harness import ROOT


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultProject]:
    """The rdyfault stack, deployed once for this module and removed afterwards.

    Under pytest-xdist the workers share one compose project name and its ports, so a worker
    holds a file lock (next to the workers' temp dirs) while it has the stack: the others
    wait for it instead of freezing each other's containers.
    """
    lock = tmp_path_factory.getbasetemp().parent / "rdyfault-stack.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        deployed = deploy(tmp_path_factory.mktemp("rdyfault"))
        try:
            yield deployed
        finally:
            remove(deployed)
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture
def healthy(project: FaultProject) -> Iterator[FaultProject]:
    """The stack healthy before the test; brought back to healthy after it."""
    project.up()
    try:
        yield project
    finally:
        for service in ("db", "proxy", "metrics"):
            _signal_all(project.container(service), "CONT", check=False)
        project.up()


def _host_pids(container: str) -> list[str]:
    proc = subprocess.run(
        ["docker", "top", container, "-eo", "pid"], capture_output=True, text=True, check=False
    )
    return [line.strip() for line in proc.stdout.splitlines()[1:] if line.strip()]


def _signal_all(container: str, sig: str, check: bool = True) -> None:
    """Send a signal to every process of a container (SIGSTOP freezes it for real)."""
    pids = _host_pids(container)
    assert pids or not check, f"no processes in {container}"
    for pid in pids:
        subprocess.run(["kill", f"-{sig}", pid], check=False, capture_output=True)


def _not_ready(timed: Timed, name: str, bound: float, *checks: str) -> str:
    """NOT READY, exit 1, clean output, the named checks not passing; the messages joined."""
    __tracebackhide__ = True
    run = timed.run
    record(name, bound, timed.seconds)
    assert run.verdict == "NOT READY", run.output[-3000:]
    assert run.exit_code == 1
    assert_clean(run.output)
    assert "VERDICT: NOT READY" in run.output
    for check in checks:
        outcomes = set(run.outcomes(check).values())
        assert outcomes - {"passed", "n/a"}, f"{check} did not fail: {outcomes}"
    return "\n".join(run.message(check) for check in checks)


def test_baseline_is_ready(healthy: FaultProject, tmp_path: Path) -> None:
    """The fault project is READY untouched (so every NOT READY below is the fault's)."""
    timed = timed_suite(tmp_path, healthy)
    record("baseline", 60, timed.seconds)
    assert timed.run.verdict == "READY", timed.run.output[-3000:]
    assert_clean(timed.run.output)


def test_postgres_frozen_with_sigstop(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: the PostgreSQL connect timeout (10 s) plus the health wait's bound."""
    _signal_all(healthy.container("db"), "STOP")
    timed = timed_suite(tmp_path, healthy, "--wait-timeout=15")
    message = _not_ready(timed, "postgres frozen (SIGSTOP)", 60, "DB-01")
    assert "timeout" in message.lower() or "could not" in message.lower(), message


def test_nginx_frozen_with_sigstop(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: the HTTPS client timeout per route (10 s) plus the health wait's bound."""
    _signal_all(healthy.container("proxy"), "STOP")
    timed = timed_suite(tmp_path, healthy, "--wait-timeout=15")
    message = _not_ready(timed, "nginx frozen (SIGSTOP)", 120, "TLS-07")
    assert "18443" in message or "timed out" in message.lower(), message


def test_prometheus_frozen_with_sigstop(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: one Prometheus API timeout, remembered for every PRM check."""
    _signal_all(healthy.container("metrics"), "STOP")
    timed = timed_suite(tmp_path, healthy, "--wait-timeout=15")
    _not_ready(timed, "prometheus frozen (SIGSTOP)", 120, "PRM-01")


def test_prometheus_down(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: the health wait (15 s here): a stopped container is reported at once after it."""
    healthy.compose("stop", "metrics")
    timed = timed_suite(tmp_path, healthy, "--wait-timeout=15")
    message = _not_ready(timed, "prometheus down (stopped)", 60, "HLT-01", "PRM-01")
    assert "metrics" in message, message


def test_postgres_stopped(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: the health wait (15 s here) and one refused connection."""
    healthy.compose("stop", "db")
    timed = timed_suite(tmp_path, healthy, "--wait-timeout=15")
    message = _not_ready(timed, "postgres down (stopped)", 60, "HLT-01", "DB-01")
    assert "db" in message, message


def test_container_killed_mid_run(healthy: FaultProject, tmp_path: Path) -> None:
    """nginx is killed after the snapshot, before the TLS checks. Bound: refused connections."""
    env = {
        "RDYFAULT_INJECT_AT": "test_tls.py",
        "RDYFAULT_INJECT_CMD": f"docker kill {healthy.container('proxy')} >/dev/null",
    }
    timed = timed_suite(tmp_path, healthy, env=env)
    _not_ready(timed, "container killed mid-run (nginx)", 60, "TLS-07")


def test_postgres_killed_mid_run(healthy: FaultProject, tmp_path: Path) -> None:
    """The database is killed after the snapshot, before the database checks."""
    env = {
        "RDYFAULT_INJECT_AT": "test_database.py",
        "RDYFAULT_INJECT_CMD": f"docker kill {healthy.container('db')} >/dev/null",
    }
    timed = timed_suite(tmp_path, healthy, env=env)
    _not_ready(timed, "postgres killed mid-run", 60, "DB-01")


def test_env_changed_during_the_run(healthy: FaultProject, tmp_path: Path) -> None:
    """The .env is rewritten mid-run: the run judges the file it read at the start (READY)."""
    original = healthy.env_file.read_text()
    env = {
        "RDYFAULT_INJECT_AT": "test_database.py",
        "RDYFAULT_INJECT_CMD": f"sed -i 's/^DB_PASSWORD=.*/DB_PASSWORD=changed/' "
        f"{healthy.env_file}",
    }
    try:
        timed = timed_suite(tmp_path, healthy, env=env)
    finally:
        healthy.env_file.write_text(original)
    record(".env changed during the run", 60, timed.seconds)
    assert timed.run.verdict == "READY", timed.run.output[-3000:]
    assert_clean(timed.run.output)


class SilentEngine:
    """A unix socket that accepts connections and never answers (a hung engine)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.held: list[socket.socket] = []

    def __enter__(self) -> SilentEngine:
        self.server.bind(str(self.path))
        self.server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)

    def __exit__(self, *exc: object) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


def test_engine_that_accepts_and_never_answers(healthy: FaultProject, tmp_path: Path) -> None:
    """Bound: one 10 s ping, remembered (the header and the report writers do not pay again)."""
    with SilentEngine(tmp_path / "silent.sock") as engine:
        timed = timed_suite(tmp_path, healthy, f"--docker-host=unix://{engine.path}")
    message = _not_ready(timed, "engine accepts, never answers", 45, "HLT-01")
    assert "did not answer" in message or "timed out" in message.lower(), message


def test_reports_dir_turns_read_only_mid_run(healthy: FaultProject, tmp_path: Path) -> None:
    """The reports filesystem goes read-only mid-run: the verdict still prints, nothing hidden."""
    mount = tmp_path / "reports-fs"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "rdyfault-rep", str(mount)], check=True
    )
    try:
        env = {
            "RDYFAULT_INJECT_AT": "test_tls.py",
            "RDYFAULT_INJECT_CMD": f"mount -o remount,ro {mount}",
        }
        timed = timed_suite(tmp_path, healthy, f"--reports-dir={mount}", env=env)
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    record("reports fs read-only mid-run", 60, timed.seconds)
    assert "VERDICT: READY" in timed.run.output, timed.run.output[-3000:]
    assert "Report not written" in timed.run.output
    assert_clean(timed.run.output)


def test_results_file_on_a_full_disk(healthy: FaultProject, tmp_path: Path) -> None:
    """The results file's filesystem is full: the verdict prints and says what was not written."""
    mount = tmp_path / "full-fs"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "rdyfault-full", str(mount)], check=True
    )
    try:
        env = {
            "RDYFAULT_INJECT_AT": "test_tls.py",
            "RDYFAULT_INJECT_CMD": f"dd if=/dev/zero of={mount}/filler bs=4k 2>/dev/null; true",
        }
        results = mount / "results.json"
        start = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "checks", "-m", "postdeploy", "-p", "no:randomly",
             "-p", "tests.faults.inject", f"--manifest={healthy.manifest}",
             f"--reports-dir={tmp_path / 'reports'}", f"--results-file={results}"],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
            env={**os.environ, **env},
        )  # fmt: skip
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    record("results file on a full disk", 60, time.monotonic() - start)
    output = proc.stdout + proc.stderr
    assert "VERDICT: READY" in output, output[-3000:]
    assert f"Not written: results file {results}: No space left on device" in output
    assert_clean(output)


def test_docker_cli_missing(healthy: FaultProject, tmp_path: Path) -> None:
    """No docker CLI on PATH: compose cannot render; CFG-01's cause, the rest point to it."""
    bin_dir = Path(sys.executable).parent
    timed = timed_suite(tmp_path, healthy, env={"PATH": f"{bin_dir}:/usr/bin/nonexistent"})
    run = timed.run
    record("docker CLI missing", 60, timed.seconds)
    assert run.verdict == "NOT READY", run.output[-3000:]
    assert_clean(run.output)
    assert "docker CLI is not installed" in run.output


def _runbook(project: FaultProject, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"runbook.{module}", f"--manifest={project.manifest}", *args],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


def test_backup_dir_fills_up_during_backup(healthy: FaultProject, tmp_path: Path) -> None:
    """A 64 KiB backup filesystem, nearly full: the backup fails cleanly, no partial is kept."""
    mount = tmp_path / "backups"
    mount.mkdir()
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "rdyfault-bak", str(mount)], check=True
    )
    try:
        healthy.psql("CREATE TABLE IF NOT EXISTS bulk AS SELECT g, md5(g::text) AS h "
                     "FROM generate_series(1, 20000) g")  # fmt: skip
        old = mount / "backup_20200101_000000.dump"
        old.write_bytes(b"PGDMP" + b"\0" * 1000)
        subprocess.run(f"dd if=/dev/zero of={mount}/filler bs=1k count=40 2>/dev/null", shell=True)
        start = time.monotonic()
        proc = _runbook(healthy, "backup", f"--backup-dir={mount}")
        record("backup dir full during runbook.backup", 120, time.monotonic() - start)
        names = sorted(p.name for p in mount.iterdir())
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        healthy.psql("DROP TABLE IF EXISTS bulk")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("[backup] FAILED: "), line
    assert "nothing kept" in line, line
    assert names == ["backup_20200101_000000.dump", "filler"], names


def test_backup_killed_mid_dump_leaves_no_newest_backup(tmp_path: Path) -> None:
    """A dump cut off mid-write is never under a backup name (written as .partial, renamed)."""
    from readiness.operations.backup import partial_path

    final = tmp_path / "backup_20990101_000000.dump"
    partial = partial_path(final)
    partial.write_bytes(b"PGDMP-cut-off")
    assert latest_backup(tmp_path) is None
    assert partial.name.startswith(".")


def test_restore_killed_half_way(healthy: FaultProject, tmp_path: Path) -> None:
    """runbook.restore is SIGKILLed after the safety backup: it is kept, named, and restores."""
    backups = tmp_path / "backups"
    backups.mkdir()
    ok = _runbook(healthy, "backup", f"--backup-dir={backups}")
    assert ok.returncode == 0, ok.stderr
    before = healthy.psql("SELECT count(*), md5(string_agg(note, ',' ORDER BY id)) FROM ledger")
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "runbook.restore", f"--manifest={healthy.manifest}",
         f"--backup-dir={backups}", "--confirm=faultdb"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "safety backup of the current database:" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    record("runbook.restore killed half-way", 120, time.monotonic() - start)
    named = [ln for ln in seen if "safety backup of the current database:" in ln]
    assert named, "".join(seen)
    safety = Path(named[0].rsplit(": ", 1)[1].strip())
    assert safety.is_file(), f"safety backup {safety} not kept"
    assert healthy.psql("SELECT count(*) FROM ledger") == before.split("|")[0]
    healthy.psql("DELETE FROM ledger WHERE id > 250")
    back = _runbook(
        healthy, "restore", f"--backup-dir={backups}", f"--backup-file={safety}",
        "--confirm=faultdb",
    )  # fmt: skip
    assert back.returncode == 0, back.stdout + back.stderr
    after = healthy.psql("SELECT count(*), md5(string_agg(note, ',' ORDER BY id)) FROM ledger")
    assert after == before


def test_stale_lock_from_a_killed_xdist_worker(tmp_path: Path) -> None:
    """A worker killed while holding the rollback lock leaves the file; the next run proceeds."""
    lock = tmp_path / "readiness-rollback.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time\n"
         f"h = open({str(lock)!r}, 'w'); fcntl.flock(h, fcntl.LOCK_EX)\n"
         "print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=30)
    holder.stdout.close()
    assert lock.exists(), "the killed worker left its lock file behind"
    probe = subprocess.run(
        [sys.executable, "-c",
         "import fcntl, pathlib, sys\n"
         "from fixtures.fix_rollback import serialized\n"
         "class F:\n"
         f"    def getbasetemp(self): return pathlib.Path({str(tmp_path / 'w')!r})\n"
         "with serialized(F()): print('acquired')"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert probe.stdout.strip() == "acquired", probe.stderr


class PrivateEngine:
    """A dockerd of our own (own data-root, exec-root, socket, pidfile; no bridge, no iptables).

    Stopping it is a real "daemon stopped" without touching the host's engine.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "docker.sock"
        self.pidfile = root / "docker.pid"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateEngine:
        """Start dockerd and wait (bounded, 60 s) until it answers."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "dockerd.log").open("wb") as log:
            self.proc = subprocess.Popen(
                ["dockerd", f"--data-root={self.root / 'data'}",
                 f"--exec-root={self.root / 'exec'}", f"--pidfile={self.pidfile}",
                 f"--host=unix://{self.socket}", "--bridge=none", "--iptables=false",
                 "--ip6tables=false", "--storage-driver=vfs"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["docker", "-H", f"unix://{self.socket}", "info"],
                capture_output=True, check=False,
            )  # fmt: skip
            if probe.returncode == 0:
                return self
            time.sleep(1)
        raise AssertionError(f"private dockerd did not answer: {self.root / 'dockerd.log'}")

    def stop_command(self) -> str:
        """A shell command that stops this daemon and waits until its socket is gone."""
        assert self.proc is not None
        return f"kill -TERM {self.proc.pid}; while [ -S {self.socket} ]; do sleep 0.2; done"

    def close(self) -> None:
        """Stop the daemon if it still runs (only the process we started)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


def test_docker_daemon_stopped_mid_run(healthy: FaultProject) -> None:
    """The engine (a private dockerd) stops after the header's snapshot, before the checks.

    Bound: refused connections only (no timeout to wait out); the verdict is printed and
    nothing follows it: no ExceptionGroup of unclosed sockets, no masking error.
    """
    root = Path(f"/tmp/rdyfault-engine-{os.getpid()}")  # short: unix socket paths are limited
    engine = PrivateEngine(root).start()
    try:
        env = {
            "RDYFAULT_INJECT_AT": "checks/postdeploy/",
            "RDYFAULT_INJECT_CMD": engine.stop_command(),
        }
        timed = timed_suite(root, healthy, f"--docker-host=unix://{engine.socket}", env=env)
        assert engine.proc is not None
        assert not engine.socket.exists(), "the daemon was not stopped mid-run"
        engine.proc.wait(timeout=60)  # it exits once its shutdown is complete
    finally:
        engine.close()
        subprocess.run(["rm", "-rf", str(root)], check=False)
    _not_ready(timed, "docker daemon stopped mid-run", 60, "HLT-01")
    tail = timed.run.output.split("VERDICT: NOT READY", 1)[1]
    assert "unclosed" not in tail, tail
    assert "Exception ignored" not in tail, tail
