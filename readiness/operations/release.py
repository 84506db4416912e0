"""Application rollback (seed 3.3): switch the stack to another release's images and back.

Images are named ``${IMAGE_PREFIX}/<service>:${RELEASE}``; a release is switched by starting the
stack with RELEASE set to its tag (no build, no pull). The CLI is ``python -m runbook.release``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from readiness.backends.commands import environment_with
from readiness.operations.stack import StackError, docker_client, project_states, wait_healthy
from readiness.operations.target import Settings

_VERSION = re.compile(r"^v?(\d+(?:\.\d+)*)$")


def version_key(tag: str) -> tuple[int, ...] | None:
    """``1.9.0`` -> (1, 9, 0); None for tags that are not plain versions (``latest``)."""
    match = _VERSION.match(tag)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def pick_previous(tags_by_repo: Mapping[str, Iterable[str]], current: str) -> str | None:
    """The highest version tag below ``current`` that every repository has; None if none."""
    now = version_key(current)
    if now is None or not tags_by_repo:
        return None
    common: set[str] | None = None
    for tags in tags_by_repo.values():
        lower = {t for t in tags if (k := version_key(t)) is not None and k < now}
        common = lower if common is None else common & lower
    if not common:
        return None
    return max(common, key=lambda t: version_key(t) or ())


@dataclass(frozen=True)
class ServiceImage:
    """A service and the image repository its ``image:`` names (tag removed)."""

    service: str
    repo: str


def service_images(settings: Settings, release: str) -> list[ServiceImage]:
    """Every service's image repository, rendered by compose with RELEASE=release."""
    out = _compose_capture(settings, release, "config", "--format", "json")
    services = json.loads(out).get("services", {})
    images = []
    for name, svc in sorted(services.items()):
        image = str(svc.get("image", ""))
        if image:
            repo, _, _ = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
            images.append(ServiceImage(name, repo))
    return images


def local_tags(repo: str) -> list[str]:
    """Tags of a repository present in the local engine."""
    proc = subprocess.run(
        ["docker", "images", repo, "--format", "{{.Tag}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise StackError(f"docker images {repo} failed: {proc.stderr.strip()}")
    return sorted({t for t in proc.stdout.split() if t and t != "<none>"})


def current_release(settings: Settings) -> str:
    """RELEASE from the environment or the .env."""
    return os.environ.get("RELEASE") or settings.env().get("RELEASE", "")


@dataclass
class Switch:
    """One move of the stack to a release: how long, and what was wrong."""

    release: str
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def switch_to(settings: Settings, release: str, timeout: float = 300.0) -> Switch:
    """Start the stack on ``release`` (no build, no pull), wait healthy, check running images."""
    result = Switch(release)
    start = time.monotonic()
    images = service_images(settings, release)
    try:
        _compose_capture(
            settings, release, "up", "-d", "--no-build", "--pull", "never", "--remove-orphans"
        )
    except StackError as exc:
        result.problems.append(f"release {release}: compose up: {exc}")
        result.seconds = time.monotonic() - start
        return result
    pending = wait_healthy(settings.stack, [i.service for i in images], timeout)
    result.seconds = time.monotonic() - start
    for service in pending:
        result.problems.append(
            f"service {service}: expected healthy on {release}, got not healthy"
            f" after {timeout:.0f}s"
        )
    states = project_states(docker_client(), settings.project_name)
    client = docker_client()
    for image in images:
        state = states.get(image.service)
        if state is None:
            continue
        running = client.containers.get(state.container).attrs["Config"]["Image"]
        if running != f"{image.repo}:{release}":
            result.problems.append(
                f"service {image.service}: image: expected {image.repo}:{release}, got {running}"
            )
    return result


def _compose_capture(settings: Settings, release: str, *args: str) -> str:
    env = environment_with({"RELEASE": release})
    proc = subprocess.run(
        [*settings.compose(), *args], capture_output=True, text=True, check=False, env=env
    )
    if proc.returncode != 0:
        raise StackError(f"docker compose {args[0]} failed: {proc.stderr.strip()[-800:]}")
    return proc.stdout


def build_release(settings: Settings, release: str) -> float:
    """Build every image tagged as ``release`` (layer cache makes an unchanged build quick)."""
    start = time.monotonic()
    _compose_capture(settings, release, "build")
    return time.monotonic() - start
