"""Seed 3.3 on Swarm: ``docker service rollback``, timed, healthy after, then forward again."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from readiness.backends.commands import environment_with
from readiness.backends.swarm import SwarmStack


@dataclass
class SwarmRollback:
    """What the drill saw: images before / after each step, seconds to healthy, problems."""

    service: str
    forward_image: str = ""
    previous_image: str = ""
    rolled_back_image: str = ""
    forward_again_image: str = ""
    rollback_seconds: float = 0.0
    forward_seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def _image(stack: SwarmStack, service: str) -> str:
    found = stack.services.get(service)
    return str(found.container_spec.get("Image", "")).split("@")[0] if found else ""


def _previous_image(stack: SwarmStack, service: str) -> str:
    found = stack.services.get(service)
    previous = found.previous_spec if found else {}
    return str(
        ((previous.get("TaskTemplate") or {}).get("ContainerSpec") or {}).get("Image", "")
    ).split("@")[0]


def _settled(stack: SwarmStack, service: str) -> tuple[bool, str]:
    found = stack.services.get(service)
    if found is None:
        return False, "service gone"
    state = str((found.update_status or {}).get("State", ""))
    want = found.replicas or len(found.current)
    healthy = len(found.running) == want == len(found.current)
    return healthy and state not in ("updating", "rollback_started"), state or "none"


def drill(
    listing: Callable[[], SwarmStack],
    docker_host: str,
    service: str,
    timeout: float,
    poll: float = 1.0,
) -> SwarmRollback:
    """Roll ``service`` back to its previous spec, wait healthy, then roll it forward again."""
    result = SwarmRollback(service)
    stack = listing()
    if stack.error:
        result.problems.append(stack.error)
        return result
    result.forward_image = _image(stack, service)
    result.previous_image = _previous_image(stack, service)
    if not result.previous_image:
        result.problems.append("no previous release to roll back to (deployed once, never updated)")
        return result
    if result.previous_image == result.forward_image:
        result.problems.append(
            f"no previous release to roll back to: the previous spec runs the same image "
            f"({result.forward_image})"
        )
        return result
    full = f"{stack.stack}_{service}"
    for step in ("rollback", "forward"):
        start = time.monotonic()
        proc = subprocess.run(
            ["docker", "service", "rollback", "-d", full],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env=environment_with({"DOCKER_HOST": docker_host}) if docker_host else None,
        )
        if proc.returncode != 0:
            result.problems.append(f"{step}: docker service rollback: {proc.stderr.strip()}")
            return result
        state = ""
        while True:
            time.sleep(poll)
            stack = listing()
            ok, state = _settled(stack, service)
            if ok or time.monotonic() - start > timeout:
                break
        seconds = time.monotonic() - start
        image = _image(stack, service)
        if step == "rollback":
            result.rollback_seconds, result.rolled_back_image = seconds, image
        else:
            result.forward_seconds, result.forward_again_image = seconds, image
        if not ok:
            result.problems.append(
                f"{step}: not healthy after {seconds:.0f} s (update state {state})"
            )
            return result
    return result
