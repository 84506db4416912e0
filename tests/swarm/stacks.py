"""Deploying the Swarm test stacks (``docker stack deploy``) and waiting until they settle."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from tests.swarm.cluster import Swarm, wait_for

PROJECT = Path(__file__).resolve().parent / "project"
GOOD = "rdyswarm-app"
BAD = "rdyswarm-bad"


def deploy(swarm: Swarm, stack: str, compose_file: Path, **env: str) -> None:
    """``docker stack deploy -c <file> <stack>`` on the manager (images are local on each node)."""
    subprocess.run(
        ["docker", "stack", "deploy", "--resolve-image", "never", "-c", str(compose_file), stack],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "DOCKER_HOST": swarm.manager_url, **env},
    )


def replicas(swarm: Swarm, stack: str) -> dict[str, str]:
    """service -> ``running/desired`` as ``docker service ls`` shows it."""
    out = swarm.docker("service", "ls", "--filter", f"label=com.docker.stack.namespace={stack}",
                       "--format", "{{json .}}")  # fmt: skip
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {row["Name"]: row["Replicas"] for row in rows}


def wait_settled(swarm: Swarm, stack: str, expect: int, skip: tuple[str, ...] = ()) -> float:
    """Wait until the stack's ``expect`` services (but ``skip``) run all replicas; seconds."""
    start = time.monotonic()

    def settled() -> bool:
        rows = {k: v for k, v in replicas(swarm, stack).items() if k not in skip}
        full = all(v.split("/")[0] == v.split("/")[1].split()[0] for v in rows.values())
        return len(rows) == expect and full

    wait_for(f"stack {stack} running", settled, 180, poll=1)
    return time.monotonic() - start


def remove(swarm: Swarm, stack: str) -> None:
    """``docker stack rm`` (the test Swarm's, never the machine's engine)."""
    swarm.docker("stack", "rm", stack, check=False)
