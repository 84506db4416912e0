"""Validators that live in the stack's own images: `nginx -t` and `promtool`, one run each."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.model.errors import ProbeError

_RC_MARK = "@@readiness-rc="


@dataclass(frozen=True)
class ToolResult:
    """Exit code and combined output of one validator command."""

    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        """True when the validator accepted the input."""
        return self.returncode == 0

    def tail(self, lines: int = 4) -> str:
        """The last meaningful lines of output, joined for a one-line message."""
        kept = [ln.strip() for ln in self.output.splitlines() if ln.strip()]
        return " | ".join(kept[-lines:]) or f"exit code {self.returncode}"


def docker_run(
    docker_host: str,
    image: str,
    entrypoint: str,
    args: list[str],
    mounts: list[tuple[Path, str]],
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``docker run --rm --network none`` of a local image (never pulled); ProbeError if absent."""
    command = ["docker", *(["-H", docker_host] if docker_host else []), "run", "--rm"]
    command += ["--pull", "never", "--network", "none", "--entrypoint", entrypoint]
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


def nginx_test(docker_host: str, service: dict[str, Any]) -> ToolResult:
    """`nginx -t` in the service's image with the service's own bind mounts (config, certs)."""
    image = str(service.get("image") or "")
    if not image:
        raise ProbeError("Could not check nginx: the compose service names no image")
    mounts = bind_mounts(service)
    missing = [
        f"{source} (mounted at {target})" for source, target in mounts if not source.exists()
    ]
    if missing:
        return ToolResult(1, "bind mount source missing: " + ", ".join(missing))
    proc = docker_run(docker_host, image, "nginx", ["-t"], mounts)
    return ToolResult(proc.returncode, proc.stdout + proc.stderr)


def promtool_checks(
    docker_host: str, image: str, config: Path, rules: Path
) -> tuple[ToolResult, ToolResult]:
    """`promtool check config` and `promtool check rules` in one run of the Prometheus image."""
    mounts = [(config.parent, "/readiness/config"), (rules.parent, "/readiness/rules")]
    cfg = shlex.quote(f"/readiness/config/{config.name}")
    rls = shlex.quote(f"/readiness/rules/{rules.name}")
    script = (
        f"promtool check config --syntax-only {cfg} 2>&1; echo {_RC_MARK}$?; "
        f"promtool check rules {rls} 2>&1; echo {_RC_MARK}$?"
    )
    proc = docker_run(docker_host, image, "/bin/sh", ["-c", script], mounts)
    parts = (proc.stdout + proc.stderr).split(_RC_MARK)
    results = []
    for index in range(2):
        if index + 1 >= len(parts):
            raise ProbeError(f"Could not check with promtool: {proc.stderr.strip()[:300]}")
        rc_text, _, _ = parts[index + 1].partition("\n")
        body = parts[index] if index == 0 else parts[index].partition("\n")[2]
        results.append(ToolResult(int(rc_text.strip() or 1), body))
    return results[0], results[1]
