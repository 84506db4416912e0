"""Deploy and tear down the reference HyperCode V2.0 stack (runbook phase 2: deployment).

  python -m runbook.stack build    build every image (production + agents)
  python -m runbook.stack up       build, start the platform stack, then the agent swarm,
                                   and wait (bounded) until every container is healthy
  python -m runbook.stack down     stop and remove the containers (volumes kept unless --volumes)
  python -m runbook.stack status   table of service / state / health

Exit codes: 0 ok, 1 unhealthy or timed out, 2 compose or engine error.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docker
from docker.errors import DockerException

PRODUCTION_FILE = "docker-compose.production.yml"
AGENTS_FILE = "docker-compose.agents.yml"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


@dataclass(frozen=True)
class Target:
    """Where the stack lives and how compose should address it."""

    project_dir: Path
    project_name: str
    env_file: Path

    def compose(self, *files: str) -> list[str]:
        """The `docker compose` prefix for the given compose files of this target."""
        cmd = [
            "docker",
            "compose",
            "-p",
            self.project_name,
            "--project-directory",
            str(self.project_dir),
            "--env-file",
            str(self.env_file),
        ]
        for name in files:
            cmd += ["-f", str(self.project_dir / name)]
        return cmd


@dataclass(frozen=True)
class ServiceState:
    """One service's container state as seen by the engine."""

    service: str
    container: str
    state: str
    health: str
    started_at: datetime | None
    last_health_output: str
    first_healthy_at: datetime | None


class StackError(RuntimeError):
    """Compose or the engine failed; the message says which command."""


def compose_run(
    cmd: Sequence[str], *, capture: bool = False, env: dict[str, str] | None = None
) -> str:
    """Run a compose command (streaming its output unless captured); raise on failure."""
    proc = subprocess.run(
        list(cmd),
        capture_output=capture,
        text=True,
        check=False,
        env={**os.environ, **env} if env else None,
    )
    if proc.returncode != 0:
        detail = (proc.stderr or "").strip() if capture else ""
        raise StackError(f"failed ({proc.returncode}): {' '.join(cmd)}\n{detail}".rstrip())
    return proc.stdout if capture else ""


def expected_services(target: Target) -> list[str]:
    """Service names of production + agents, as compose renders them."""
    out = compose_run(
        [*target.compose(PRODUCTION_FILE, AGENTS_FILE), "config", "--services"], capture=True
    )
    return sorted(line.strip() for line in out.splitlines() if line.strip())


def parse_time(value: str | None) -> datetime | None:
    """Parse Docker's RFC 3339 timestamps (nanoseconds trimmed); None for zero/empty."""
    if not value or value.startswith("0001-"):
        return None
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", value)
    if match is None:
        return None
    frac = (match.group(2) or ".0")[:7]
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    return datetime.fromisoformat(match.group(1) + frac + zone)


def service_state(container: Any) -> ServiceState:
    """Summarise one container (docker SDK object) into a ServiceState."""
    attrs: dict[str, Any] = container.attrs
    state: dict[str, Any] = attrs.get("State", {})
    health: dict[str, Any] = state.get("Health") or {}
    log: list[dict[str, Any]] = health.get("Log") or []
    started = parse_time(state.get("StartedAt"))
    passing = [parse_time(entry.get("End")) for entry in log if entry.get("ExitCode") == 0]
    # Docker keeps the last 5 checks: the first passing one is only known while the log
    # still reaches back to a failing check or to the container's start.
    complete = len(log) < 5 or log[0].get("ExitCode") != 0
    first_ok = (
        min((t for t in passing if t and (started is None or t >= started)), default=None)
        if complete
        else None
    )
    last_output = str(log[-1].get("Output", "")).strip() if log else ""
    return ServiceState(
        service=str(attrs["Config"]["Labels"].get(SERVICE_LABEL, "?")),
        container=str(attrs.get("Name", "")).lstrip("/"),
        state=str(state.get("Status", "unknown")),
        health=str(health.get("Status", "none")),
        started_at=started,
        last_health_output=last_output.splitlines()[-1] if last_output else "",
        first_healthy_at=first_ok,
    )


def project_states(client: Any, project: str) -> dict[str, ServiceState]:
    """State of every container of the compose project, keyed by service name."""
    containers = client.containers.list(
        all=True, filters={"label": f"{PROJECT_LABEL}={project}"}, ignore_removed=True
    )
    states = [service_state(c) for c in containers]
    return {s.service: s for s in sorted(states, key=lambda s: s.container)}


def docker_client() -> Any:
    """A docker SDK client for the engine in the environment (DOCKER_HOST or the socket)."""
    try:
        client = docker.from_env()
        client.ping()
    except DockerException as exc:
        raise StackError(f"cannot reach the Docker engine: {exc}") from exc
    return client


def wait_healthy(
    target: Target, services: list[str], timeout: float, since: datetime | None = None
) -> list[str]:
    """Poll until every expected service is running and healthy; return the ones that are not.

    Prints each service once it is healthy: time from its container start to its first passing
    healthcheck, and from `since` (e.g. the start of `up`) to that first passing healthcheck.
    """
    client = docker_client()
    since = datetime.now(UTC) if since is None else since
    deadline = time.monotonic() + timeout
    reported: set[str] = set()
    pending = list(services)
    while True:
        states = project_states(client, target.project_name)
        pending = [s for s in services if not is_healthy(states.get(s))]
        for name in services:
            st = states.get(name)
            if name not in reported and st is not None and is_healthy(st):
                reported.add(name)
                print(
                    f"  {name:<20} healthy {time_to_healthy(st, since):<32} "
                    f"{since_start(st, since)}",
                    flush=True,
                )
        if not pending or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    for name in pending:
        st = states.get(name)
        if st is None:
            print(f"  {name:<20} NOT HEALTHY: no container", flush=True)
        else:
            print(
                f"  {name:<20} NOT HEALTHY: state={st.state} health={st.health} "
                f"last check: {st.last_health_output or '-'}",
                flush=True,
            )
    return pending


def is_healthy(state: ServiceState | None) -> bool:
    """Running, and healthy (or running without a healthcheck)."""
    return state is not None and state.state == "running" and state.health in ("healthy", "none")


def time_to_healthy(state: ServiceState, since: datetime) -> str:
    """'after 4.2s' from container start to its first passing healthcheck, when known."""
    if state.started_at and state.started_at < since:
        return "(already running, unchanged)"
    if state.started_at and state.first_healthy_at:
        seconds = (state.first_healthy_at - state.started_at).total_seconds()
        return f"after {seconds:.1f}s from container start"
    return "(time to healthy unknown)"


def since_start(state: ServiceState, since: datetime) -> str:
    """'(+12.3s since start)' for a container that became healthy after `since`."""
    if state.first_healthy_at and state.first_healthy_at >= since:
        return f"(+{(state.first_healthy_at - since).total_seconds():.1f}s since start)"
    return ""


def cmd_build(target: Target) -> int:
    """Build all images of production + agents."""
    compose_run([*target.compose(PRODUCTION_FILE, AGENTS_FILE), "build"])
    return 0


def cmd_up(target: Target, timeout: float, build: bool) -> int:
    """Build, start the platform stack, then the agent swarm, then wait for healthy."""
    t0, started = time.monotonic(), datetime.now(UTC)
    if build:
        print("== build", flush=True)
        cmd_build(target)
    print(f"== up platform stack ({PRODUCTION_FILE})", flush=True)
    compose_run(
        [*target.compose(PRODUCTION_FILE), "up", "-d"], env={"COMPOSE_IGNORE_ORPHANS": "true"}
    )
    print(f"== up agent swarm ({AGENTS_FILE})", flush=True)
    compose_run([*target.compose(PRODUCTION_FILE, AGENTS_FILE), "up", "-d"])
    print(f"== waiting up to {timeout:.0f}s for every service to be healthy", flush=True)
    unhealthy = wait_healthy(target, expected_services(target), timeout, since=started)
    elapsed = time.monotonic() - t0
    if unhealthy:
        print(f"== NOT HEALTHY after {elapsed:.1f}s: {', '.join(unhealthy)}", flush=True)
        return 1
    print(f"== all services healthy; up took {elapsed:.1f}s", flush=True)
    return 0


def cmd_down(target: Target, volumes: bool) -> int:
    """Stop and remove the project's containers and networks (and volumes if asked)."""
    extra = ["--volumes"] if volumes else []
    compose_run([*target.compose(PRODUCTION_FILE, AGENTS_FILE), "down", "--remove-orphans", *extra])
    return 0


def cmd_status(target: Target) -> int:
    """Print service / state / health; exit 1 when any expected service is not healthy."""
    services = expected_services(target)
    states = project_states(docker_client(), target.project_name)
    print(f"{'SERVICE':<20} {'STATE':<10} {'HEALTH':<10} CONTAINER")
    for name in services:
        st = states.get(name)
        if st is None:
            print(f"{name:<20} {'missing':<10} {'-':<10} -")
        else:
            print(f"{name:<20} {st.state:<10} {st.health:<10} {st.container}")
    return 0 if all(is_healthy(states.get(s)) for s in services) else 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(
        prog="python -m runbook.stack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("command", choices=["build", "up", "down", "status"])
    p.add_argument(
        "--project-dir",
        type=Path,
        default=Path("stack"),
        help="directory with the compose files (default: %(default)s)",
    )
    p.add_argument(
        "--project-name",
        default=os.environ.get("COMPOSE_PROJECT_NAME", "hypercode"),
        help="compose project name (env COMPOSE_PROJECT_NAME; default %(default)s)",
    )
    p.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="env file for interpolation (default: <project-dir>/.env)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds to wait for healthy (default %(default)s)",
    )
    p.add_argument("--no-build", action="store_true", help="up: do not build images first")
    p.add_argument("--volumes", action="store_true", help="down: also remove named volumes")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the command; compose/engine failures exit 2 with the reason."""
    args = parse_args(argv)
    project_dir: Path = args.project_dir.resolve()
    env_file: Path = (args.env_file or project_dir / ".env").resolve()
    if not env_file.exists():
        print(
            f"error: env file {env_file} not found (run python3 -m runbook.bootstrap)",
            file=sys.stderr,
        )
        return 2
    target = Target(project_dir, args.project_name, env_file)
    try:
        if args.command == "build":
            return cmd_build(target)
        if args.command == "up":
            return cmd_up(target, args.timeout, build=not args.no_build)
        if args.command == "down":
            return cmd_down(target, args.volumes)
        return cmd_status(target)
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
