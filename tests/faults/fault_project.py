"""The rdyfault project: a small stack of our own that the injected-fault tests may break.

Copied from ``tests/rdyfault_project`` into a temporary directory, with the reference stack's
certificates and a fresh ``.env``; deployed once per session as compose project ``rdyfault``
(ports 127.0.0.1:18080/18443) and removed with its volumes afterwards.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.harness import ROOT, STACK, Run, run_suite

SOURCE = ROOT / "tests" / "rdyfault_project"
PROJECT = "rdyfault"
CLEAN_OUTPUT_FORBIDS = ("Traceback", "INTERNALERROR", "ExceptionGroup", "ResourceWarning")


@dataclass(frozen=True)
class FaultProject:
    """The deployed copy: its root (manifest) and deploy directory."""

    root: Path

    @property
    def manifest(self) -> Path:
        """The project's readiness manifest."""
        return self.root / "readiness.yml"

    @property
    def deploy(self) -> Path:
        """The compose project directory."""
        return self.root / "deploy"

    @property
    def env_file(self) -> Path:
        """The project's .env."""
        return self.deploy / ".env"

    def container(self, service: str) -> str:
        """The container name of a service."""
        return f"{PROJECT}-{service}-1"

    def compose(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``docker compose`` on the project."""
        proc = subprocess.run(
            ["docker", "compose", "-p", PROJECT, "--project-directory", str(self.deploy),
             "-f", str(self.deploy / "compose.yaml"), "--env-file", str(self.env_file), *args],
            capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0 or not check, f"compose {args}: {proc.stderr[-1500:]}"
        return proc

    def up(self) -> None:
        """Every service running and healthy again (after a fault; bounded, 180 s)."""
        deadline = time.monotonic() + 180
        while True:  # a thawed container is "unhealthy" until its next check passes
            proc = self.compose("up", "-d", "--wait", "--wait-timeout", "60", check=False)
            if proc.returncode == 0:
                return
            assert time.monotonic() < deadline, f"not healthy again: {proc.stderr[-1500:]}"
            time.sleep(2)

    def psql(self, sql: str) -> str:
        """Run SQL in the database container; stdout."""
        proc = subprocess.run(
            ["docker", "exec", self.container("db"), "psql", "-U", "fault", "-d", "faultdb",
             "-v", "ON_ERROR_STOP=1", "-tAc", sql],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.strip()


def deploy(tmp: Path) -> FaultProject:
    """Copy, configure and start the project; wait until healthy; seed one table."""
    root = tmp / "rdyfault"
    shutil.copytree(SOURCE, root)
    project = FaultProject(root)
    certs = project.deploy / "certs"
    certs.mkdir()
    for name in ("server.crt", "server.key", "ca.crt"):
        shutil.copy(STACK / "certs" / name, certs / name)
    project.env_file.write_text(
        f"DB_PASSWORD={secrets.token_hex(16)}\nHTTP_PORT=18080\nHTTPS_PORT=18443\n"
    )
    project.env_file.chmod(0o600)
    project.up()
    project.psql(
        "CREATE TABLE IF NOT EXISTS ledger (id int PRIMARY KEY, note text);"
        "INSERT INTO ledger SELECT g, md5(g::text) FROM generate_series(1, 500) g "
        "ON CONFLICT DO NOTHING"
    )
    return project


def remove(project: FaultProject) -> None:
    """Take the project down with its volumes (only ours)."""
    project.compose("down", "-v", "--remove-orphans", "-t", "5", check=False)


@dataclass(frozen=True)
class Timed:
    """A run and how long it took (reported; the bound is the subprocess timeout)."""

    run: Run
    seconds: float


def timed_suite(
    tmp: Path, project: FaultProject, *args: str, env: dict[str, str] | None = None
) -> Timed:
    """The post-deploy suite on the project, with the mid-run injector loaded."""
    start = time.monotonic()
    run = run_suite(
        tmp, "-m", "postdeploy", f"--manifest={project.manifest}", "-p", "tests.faults.inject",
        *args, env=env,
    )  # fmt: skip
    return Timed(run, time.monotonic() - start)


def record(name: str, bound: float, seconds: float) -> None:
    """Append a measured time to reports/fault-times.jsonl (the figures the notes quote)."""
    line = json.dumps({"fault": name, "bound_s": bound, "measured_s": round(seconds, 1)})
    out = ROOT / "reports" / "fault-times.jsonl"
    out.parent.mkdir(exist_ok=True)
    with out.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    print(line, file=sys.stderr)


def assert_clean(output: str) -> None:
    """No traceback, internal error, exception group or resource warning reached the user."""
    __tracebackhide__ = True
    for word in CLEAN_OUTPUT_FORBIDS:
        assert word not in output, f"{word} in the output:\n{output[-3000:]}"
