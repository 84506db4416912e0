"""Shared set-up of the usual-testinfra-way baseline: the manifest, compose config, .env."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

MANIFEST = Path(os.environ.get("BENCH_MANIFEST", "readiness.yml")).resolve()
SPEC: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
PROJECT_DIR = (MANIFEST.parent / SPEC["target"].get("project_dir", ".")).resolve()
PROJECT = os.environ.get("BENCH_PROJECT") or SPEC["target"]["project_name"]
ENV_FILE = Path(os.environ.get("BENCH_ENV_FILE") or PROJECT_DIR / SPEC["target"]["env_file"])


def _compose_config() -> dict[str, Any]:
    cmd = ["docker", "compose", "-p", PROJECT, "--project-directory", str(PROJECT_DIR)]
    if ENV_FILE.exists():
        cmd += ["--env-file", str(ENV_FILE)]
    for name in SPEC["target"]["compose_files"]:
        cmd += ["-f", str(PROJECT_DIR / name)]
    out = subprocess.run([*cmd, "config", "--format", "json"], capture_output=True, check=True)
    return dict(json.loads(out.stdout))


COMPOSE = _compose_config()
SERVICES = sorted(COMPOSE["services"])


def env_values() -> dict[str, str]:
    values: dict[str, str] = {}
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def container(service: str) -> str:
    """Compose's container name for the service's first replica."""
    return f"{PROJECT}-{service}-1"


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    return env_values()
