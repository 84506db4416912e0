"""Validators: `nginx -t` and `promtool`, in the project's own images or else the suite's."""

from __future__ import annotations

import hashlib
import json
import shlex
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.model.errors import ProbeError
from readiness.model.images import base_image

_RC_MARK = "@@readiness-rc="


@dataclass(frozen=True)
class ToolResult:
    """Exit code and combined output of one validator command."""

    returncode: int
    output: str
    judged_by: str = ""
    """Which tool judged, when not the project's own image (e.g. the suite's tool image)."""

    @property
    def ok(self) -> bool:
        """True when the validator accepted the input."""
        return self.returncode == 0

    def tail(self, lines: int = 4) -> str:
        """The last meaningful lines of output, joined for a one-line message."""
        kept = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
        return " | ".join(kept[-lines:]) or f"exit code {self.returncode}"


TOOL_CONTEXT = Path(__file__).resolve().parent / "tool_image"
TOOL_IMAGE = (
    "readiness/tools:bookworm-"
    + hashlib.sha256((TOOL_CONTEXT / "Dockerfile").read_bytes()).hexdigest()[:12]
)
"""The tag follows the Dockerfile's content, so a changed Dockerfile is rebuilt on demand."""


def docker_run(
    docker_host: str,
    image: str,
    entrypoint: str,
    args: list[str],
    mounts: list[tuple[Path, str]],
    timeout: float = 120,
    hosts: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``docker run --rm --network none`` of a local image (never pulled); ProbeError if absent.

    ``hosts`` resolve to 127.0.0.1 inside (``--add-host``): compose service names that a
    config names, so a validator can resolve them without the stack's networks.
    """
    command = ["docker", *(["-H", docker_host] if docker_host else []), "run", "--rm"]
    command += ["--pull", "never", "--network", "none", "--entrypoint", entrypoint]
    for host in hosts:
        command += ["--add-host", f"{host}:127.0.0.1"]
    for source, target in mounts:  # --mount never creates a missing host path (-v would)
        command += ["--mount", f"type=bind,source={source},target={target},readonly"]
    try:
        proc = subprocess.run(
            [*command, image, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise ProbeError("Could not check: the docker CLI is not installed") from None
    except subprocess.TimeoutExpired:
        raise ProbeError(f"Could not check: {image} did not finish in {timeout:.0f} s") from None
    if proc.returncode == 125 or "No such image" in proc.stderr:
        reason = proc.stderr.strip().splitlines()[-1:] or ["docker run failed"]
        raise ProbeError(
            f"Could not check with image {image}: {reason[0]} "
            "(build the project's images first, e.g. `docker compose build`)"
        )
    return proc


def bind_mounts(service: dict[str, Any]) -> list[tuple[Path, str]]:
    """The bind mounts of a rendered compose service, as (host path, container path)."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, dict) and volume.get("type") == "bind":
            mounts.append((Path(str(volume["source"])), str(volume["target"])))
    return mounts


def nginx_test(docker_host: str, service: dict[str, Any], hosts: Sequence[str] = ()) -> ToolResult:
    """`nginx -t` in the service's image (or the suite's tool image when it is not on this
    machine) with the service's own bind mounts and its upstream service names resolvable."""
    image = str(service.get("image") or "")
    if not image:
        raise ProbeError("Could not check nginx: the compose service names no image")
    mounts = bind_mounts(service)
    missing = [
        f"{source} (mounted at {target})" for source, target in mounts if not source.exists()
    ]
    if missing:
        return ToolResult(1, "bind mount source missing: " + ", ".join(missing))
    runner, judged_by = judge_with(docker_host, image, "nginx")
    proc = docker_run(docker_host, runner, "nginx", ["-t"], mounts, hosts=hosts)
    return ToolResult(proc.returncode, proc.stdout + proc.stderr, judged_by)


def judge_with(docker_host: str, image: str, tool: str) -> tuple[str, str]:
    """The image to run ``tool`` in: the project's own, else the suite's tool image (and why)."""
    if image_present(docker_host, image):
        return image, ""
    runner = tool_image(docker_host)
    version = _tool_version(docker_host, runner, tool)
    return runner, (
        f"{version} in the suite's {runner}, because image {image} is not on this machine "
        "and no registry is reachable to pull it"
    )


def image_present(docker_host: str, image: str) -> bool:
    """True when ``image`` is in the engine's local store."""
    proc = subprocess.run(
        ["docker", *(["-H", docker_host] if docker_host else []), "image", "inspect", image],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return proc.returncode == 0


def tool_image(docker_host: str) -> str:
    """The suite's validator image (Debian nginx and promtool), built once from the base image."""
    if image_present(docker_host, TOOL_IMAGE):
        return TOOL_IMAGE
    base = base_image()
    if not image_present(docker_host, base):
        raise ProbeError(
            f"Could not check: the project's image is not on this machine, and the suite's "
            f"validator image cannot be built either: base image {base} is missing "
            "(run `python3 -m runbook.bootstrap`)"
        )
    proc = subprocess.run(
        [
            *["docker", *(["-H", docker_host] if docker_host else []), "build", "-q"],
            *["--build-arg", f"BASE_IMAGE={base}", "-t", TOOL_IMAGE, str(TOOL_CONTEXT)],
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["docker build failed"]
        raise ProbeError(f"Could not build the suite's validator image {TOOL_IMAGE}: {tail[0]}")
    return TOOL_IMAGE


def _tool_version(docker_host: str, image: str, tool: str) -> str:
    flag = {"nginx": "-v"}.get(tool, "--version")
    proc = docker_run(docker_host, image, tool, [flag], [], timeout=60)
    first = (proc.stderr + proc.stdout).strip().splitlines()[:1]
    return first[0].strip() if first else tool


def promtool_checks(
    docker_host: str, image: str, config: Path, rules: Sequence[Path]
) -> tuple[ToolResult, ToolResult]:
    """`promtool check config` and `promtool check rules` (every rule file) in one run."""
    mounts = [(config.parent, "/readiness/config")]
    mounts += [(rule, f"/readiness/rules/{index}-{rule.name}") for index, rule in enumerate(rules)]
    cfg = shlex.quote(f"/readiness/config/{config.name}")
    rls = " ".join(shlex.quote(target) for _, target in mounts[1:])
    check_rules = f"promtool check rules {rls}" if rules else "echo 'no rule files'; true"
    script = (
        f"promtool check config --syntax-only {cfg} 2>&1; echo {_RC_MARK}$?; "
        f"{check_rules} 2>&1; echo {_RC_MARK}$?"
    )
    runner, judged_by = judge_with(docker_host, image, "promtool")
    proc = docker_run(docker_host, runner, "/bin/sh", ["-c", script], mounts)
    parts = (proc.stdout + proc.stderr).split(_RC_MARK)
    results = []
    for index in range(2):
        if index + 1 >= len(parts):
            raise ProbeError(f"Could not check with promtool: {proc.stderr.strip()[:300]}")
        rc_text, _, _ = parts[index + 1].partition("\n")
        body = parts[index] if index == 0 else parts[index].partition("\n")[2]
        results.append(ToolResult(int(rc_text.strip() or 1), body, judged_by))
    return results[0], results[1]


def image_config(docker_host: str, image: str) -> dict[str, Any] | None:
    """``docker image inspect``'s ``Config`` of a local image (None: not on this machine)."""
    if not image:
        return None
    proc = subprocess.run(
        [
            *["docker", *(["-H", docker_host] if docker_host else []), "image", "inspect"],
            *["--format", "{{json .Config}}", image],
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    if proc.returncode != 0:
        return None
    try:
        config = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None
    return config if isinstance(config, dict) else None


def amtool_check(
    docker_host: str, image: str, mounts: Sequence[tuple[Path, str]], config: str
) -> ToolResult:
    """`amtool check-config` of the container path ``config``, with the service's own mounts,
    in the Alertmanager's image (or the suite's tool image when that image is not here or has
    no amtool); ``judged_by`` always names amtool's version and the image it ran in."""
    script = (
        f"amtool --version 2>&1 | head -n 1; echo {_RC_MARK}; "
        f"amtool check-config {shlex.quote(config)} 2>&1; echo {_RC_MARK}$?"
    )
    why = f"because image {image} is not on this machine and no registry is reachable to pull it"
    if image and image_present(docker_host, image):
        proc = docker_run(docker_host, image, "/bin/sh", ["-c", script], list(mounts))
        parsed = _amtool_result(proc.stdout + proc.stderr, f"the project's image {image}")
        if parsed is not None:
            return parsed
        why = f"because image {image} has no amtool (or no /bin/sh to run it)"
    runner = tool_image(docker_host)
    proc = docker_run(docker_host, runner, "/bin/sh", ["-c", script], list(mounts))
    parsed = _amtool_result(proc.stdout + proc.stderr, f"the suite's {runner}, {why}")
    if parsed is None:
        tail = (proc.stdout + proc.stderr).strip()[-300:]
        raise ProbeError(f"Could not check with amtool in {runner}: {tail or 'no output'}")
    return parsed


def _amtool_result(output: str, where: str) -> ToolResult | None:
    """Parse the ``amtool_check`` script's output; None when amtool did not run at all."""
    parts = output.split(_RC_MARK)
    if len(parts) < 3 or not parts[0].strip().startswith("amtool"):
        return None
    version = parts[0].strip().splitlines()[0]
    rc_text, _, _ = parts[2].partition("\n")
    body = parts[1]
    return ToolResult(int(rc_text.strip() or 1), body, f"{version} in {where}")
