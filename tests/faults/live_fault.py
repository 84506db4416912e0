"""Planting faults in the live reference stack and taking them out again (post-deploy tests)."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import LIVE_ENV_FILE, live_args
from tests.harness import STACK, Run, run_suite

COMPOSE_FILES = ("docker-compose.production.yml", "docker-compose.agents.yml")


def compose(
    project: str, *args: str, override: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``docker compose`` on the live project (plus an override file when planting a fault)."""
    command = [
        "docker",
        "compose",
        "-p",
        project,
        "--project-directory",
        str(STACK),
        "--env-file",
        LIVE_ENV_FILE,
    ]
    for name in COMPOSE_FILES:
        command += ["-f", str(STACK / name)]
    if override is not None:
        command += ["-f", str(override)]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, check=False, timeout=300
    )


def wait_healthy(project: str, *services: str) -> None:
    """Bring the services back to their declared configuration and wait until healthy."""
    proc = compose(project, "up", "-d", "--no-deps", "--wait", "--wait-timeout", "180", *services)
    assert proc.returncode == 0, f"could not restore {services}: {proc.stderr[-1500:]}"


@contextmanager
def overridden(
    project: str, tmp_path: Path, services: tuple[str, ...], yaml_text: str, wait: bool = True
) -> Iterator[Path]:
    """Recreate ``services`` with a compose override; restore the declared ones afterwards."""
    override = tmp_path / "fault-override.yml"
    override.write_text(yaml_text)
    try:
        args = [
            "up",
            "-d",
            "--no-deps",
            *(("--wait", "--wait-timeout", "120") if wait else ()),
            *services,
        ]
        proc = compose(project, *args, override=override)
        assert proc.returncode == 0, f"could not plant the fault: {proc.stderr[-1500:]}"
        yield override
    finally:
        wait_healthy(project, *services)


def container(project: str, service: str) -> str:
    """The compose container name of a service (one replica)."""
    return f"{project}-{service}-1"


def docker(*args: str, check: bool = True) -> str:
    """Run a docker CLI command; return its stdout."""
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0 or not check, f"docker {' '.join(args)}: {proc.stderr[-800:]}"
    return proc.stdout


def address(project: str, service: str) -> str:
    """The service container's IP on the project's platform network."""
    network = f"{project}_platform-net"
    fmt = "{{json .NetworkSettings.Networks}}"
    networks: dict[str, Any] = json.loads(docker("inspect", "-f", fmt, container(project, service)))
    return str(networks[network]["IPAddress"])


def prometheus_api(project: str, path: str) -> Any:
    """``data`` of one Prometheus API answer (the stack's own container, with a timeout)."""
    url = f"http://{address(project, 'prometheus')}:9090{path}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["data"]


def wait_for(what: str, condition: Callable[[], bool], timeout: float = 120) -> None:
    """Poll ``condition`` (bounded) until true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def postdeploy(tmp_path: Path, project: str, *extra: str) -> Run:
    """The post-deploy suite against the live project."""
    return run_suite(tmp_path, "-m", "postdeploy", *live_args(project), *extra)
