"""A synthetic compose project of N small containers, for measuring the suite at scale.

Every service runs ``sleep infinity`` from the local base image, with a healthcheck, CPU and
memory limits and one network; nothing is published. The generated manifest describes it, so the
post-deploy health and drift checks (HLT-01, DRF-01..04: five per service) apply to it.

Usage: python -m runbook.synthetic {up,down} --size 200 [--dir DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from readiness.backends.engine import PROJECT_LABEL, connect
from readiness.model.errors import EngineError

PROJECT = "rdybench"
NETWORK = "bench-net"
BASE_IMAGE = "hypercode/debian:bookworm"
CHECK_FILES = ("checks/postdeploy/test_health.py", "checks/postdeploy/test_drift.py")
"""The checks that apply to a synthetic project: health and drift, five per service."""


@dataclass(frozen=True)
class Synthetic:
    """The generated project: its directory, size and files."""

    directory: Path
    size: int
    image: str = BASE_IMAGE

    @property
    def compose_file(self) -> Path:
        """The generated compose file."""
        return self.directory / "compose.yaml"

    @property
    def manifest(self) -> Path:
        """The generated readiness manifest."""
        return self.directory / "readiness.yml"

    @property
    def env_file(self) -> Path:
        """The (empty) .env the manifest names."""
        return self.directory / ".env"

    def services(self) -> list[str]:
        """Service names, zero-padded so they sort in order."""
        return [f"svc-{i:03d}" for i in range(1, self.size + 1)]

    def compose(self) -> list[str]:
        """The ``docker compose`` prefix for this project."""
        return [
            "docker",
            "compose",
            "-p",
            PROJECT,
            "--project-directory",
            str(self.directory),
            "-f",
            str(self.compose_file),
        ]


def compose_document(project: Synthetic) -> dict[str, object]:
    """The compose file: N sleepers with a cheap healthcheck, limits and one network."""
    service = {
        "image": project.image,
        "command": ["sleep", "infinity"],
        "init": True,
        "stop_grace_period": "1s",
        "healthcheck": {
            "test": ["CMD", "true"],
            "interval": "300s",
            "timeout": "5s",
            "retries": 3,
            "start_period": "120s",
            "start_interval": "2s",
        },
        "deploy": {"resources": {"limits": {"cpus": "0.10", "memory": "32M"}}},
        "networks": [NETWORK],
    }
    return {
        "name": PROJECT,
        "services": {name: dict(service) for name in project.services()},
        "networks": {NETWORK: {}},
    }


def manifest_document(project: Synthetic) -> dict[str, object]:
    """A manifest the schema accepts; only the health and drift checks are run against it."""
    first = project.services()[0]
    return {
        "version": 1,
        "target": {
            "name": f"Synthetic {project.size}",
            "project_dir": ".",
            "project_name": PROJECT,
            "compose_files": ["compose.yaml"],
            "env_file": ".env",
        },
        "network": {"internal": NETWORK, "public_services": []},
        "secrets": {"required": [], "scan_tracked_files": False},
        "tls": {"cert": "none.crt", "key": "none.key"},
        "nginx": {"service": first, "config_dir": "none"},
        "dependencies": {"reports": []},
        "backup": {"tool": "pg_dump", "directory": "none"},
        "database": {"service": first, "name": "none", "user": "none", "password_env": "NONE"},
        "monitoring": {
            "prometheus_service": first,
            "config": "none.yml",
            "rules": "none.yml",
            "required_jobs": [],
            "required_alerts": {},
        },
        "grafana": {"service": first, "password_env": "NONE"},
        "contacts": {"incident_commander": "benchmark", "channel": "#benchmark"},
    }


def write(project: Synthetic) -> None:
    """Write the compose file, the manifest and an empty .env."""
    project.directory.mkdir(parents=True, exist_ok=True)
    project.compose_file.write_text(yaml.safe_dump(compose_document(project), sort_keys=False))
    project.manifest.write_text(yaml.safe_dump(manifest_document(project), sort_keys=False))
    project.env_file.write_text("")


def _run(cmd: Sequence[str]) -> None:
    proc = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise EngineError(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.strip()}")


def healthy_count() -> tuple[int, int]:
    """(healthy, total) containers of the synthetic project."""
    client = connect("")
    try:
        listed = client.api.containers(all=True, filters={"label": f"{PROJECT_LABEL}={PROJECT}"})
    finally:
        client.close()
    healthy = sum(1 for c in listed if "(healthy)" in str(c.get("Status", "")))
    return healthy, len(listed)


def up(project: Synthetic, timeout: float = 600) -> float:
    """Write, start and wait until every container is healthy; seconds it took."""
    start = time.monotonic()
    write(project)
    _run([*project.compose(), "up", "-d", "--quiet-pull", "--remove-orphans"])
    while True:
        healthy, total = healthy_count()
        if total >= project.size and healthy >= project.size:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise EngineError(f"{PROJECT}: {healthy}/{project.size} healthy after {timeout:.0f} s")
        time.sleep(2)


def down(project: Synthetic) -> None:
    """Remove the project's containers and network (only this project's)."""
    if project.compose_file.exists():
        _run([*project.compose(), "down", "--remove-orphans", "--volumes", "--timeout", "1"])
    else:
        _run(["docker", "compose", "-p", PROJECT, "down", "--remove-orphans", "--timeout", "1"])


def main(argv: Sequence[str] | None = None) -> int:
    """Start or remove the synthetic project."""
    parser = argparse.ArgumentParser(prog="python -m runbook.synthetic", description=__doc__)
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / PROJECT)
    args = parser.parse_args(argv)
    project = Synthetic(args.dir, args.size)
    if args.action == "up":
        took = up(project)
        print(f"{PROJECT}: {args.size} containers healthy in {took:.1f} s ({project.manifest})")
    else:
        down(project)
        print(f"{PROJECT}: removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
