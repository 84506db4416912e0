"""Deploy, watch and tear down a compose project the manifest describes (runbook phase 2).

The compose files are started in the manifest's order, one stage per file: the first file
alone (the seed's platform stack), then the first two together (the agent swarm joining
``platform-net``), and so on; then a bounded wait until every service is healthy.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from readiness.backends.commands import environment_with
from readiness.backends.engine import (
    PROJECT_LABEL,
    SERVICE_LABEL,
    connect,
    is_service_container,
    parse_time,
)
from readiness.model.errors import EngineError
from readiness.operations.health import healthy_state
from readiness.operations.progress import Waiting

Say = Callable[[str], None]


def _print(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class ComposeProject:
    """Where the stack lives and how compose addresses it: directory, name, .env and files."""

    project_dir: Path
    project_name: str
    env_file: Path
    files: tuple[Path, ...]

    def compose(self, *files: Path) -> list[str]:
        """The ``docker compose`` prefix for ``files`` (default: every file of the project)."""
        cmd = [
            "docker",
            "compose",
            "-p",
            self.project_name,
            "--project-directory",
            str(self.project_dir),
        ]
        if self.env_file.exists():
            cmd += ["--env-file", str(self.env_file)]
        for path in files or self.files:
            cmd += ["-f", str(path)]
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


StackError = EngineError
"""Compose or the engine failed (exit code 10); the message names the command."""


def compose_run(
    cmd: Sequence[str], *, capture: bool = False, env: dict[str, str] | None = None
) -> str:
    """Run a compose command (streaming its output unless captured); raise on failure."""
    try:
        proc = subprocess.run(
            list(cmd),
            capture_output=capture,
            text=True,
            check=False,
            env=environment_with(env) if env else None,
        )
    except FileNotFoundError as exc:
        raise EngineError(f"cannot run {cmd[0]}: {exc.strerror}") from None
    if proc.returncode != 0:
        detail = (proc.stderr or "").strip() if capture else ""
        raise EngineError(f"failed ({proc.returncode}): {' '.join(cmd)}\n{detail}".rstrip())
    return proc.stdout if capture else ""


def expected_services(project: ComposeProject) -> list[str]:
    """Service names of every compose file, as compose renders them."""
    out = compose_run([*project.compose(), "config", "--services"], capture=True)
    return sorted(line.strip() for line in out.splitlines() if line.strip())


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
    states = [service_state(c) for c in containers if is_service_container(c.labels)]
    return {s.service: s for s in sorted(states, key=lambda s: s.container)}


def docker_client() -> Any:
    """A docker SDK client for the engine in the environment (EngineError if unreachable)."""
    from docker.errors import DockerException

    try:
        client = connect("")
        client.ping()
    except (DockerException, ConnectionError) as exc:
        raise EngineError(f"cannot reach the Docker engine: {exc}") from None
    return client


def is_healthy(state: ServiceState | None) -> bool:
    """Running, and healthy (or running without a healthcheck)."""
    return state is not None and healthy_state(state.state, state.health)


def wait_healthy(
    project: ComposeProject,
    services: list[str],
    timeout: float,
    since: datetime | None = None,
    say: Say = _print,
) -> list[str]:
    """Poll until every expected service is running and healthy; return the ones that are not.

    Says each service once it is healthy: time from its container start to its first passing
    healthcheck, and from `since` (e.g. the start of `up`) to that first passing healthcheck;
    while waiting, every 10 s, the elapsed time and what it still waits for.
    """
    client = docker_client()
    since = datetime.now(UTC) if since is None else since
    start = time.monotonic()
    deadline = start + timeout
    waiting = Waiting(say, timeout=timeout)
    reported: set[str] = set()
    pending = list(services)
    while True:
        states = project_states(client, project.project_name)
        pending = [s for s in services if not is_healthy(states.get(s))]
        for name in services:
            st = states.get(name)
            if name not in reported and st is not None and is_healthy(st):
                reported.add(name)
                took = time_to_healthy(st, since)
                say(f"  {name:<20} healthy {took:<32} {since_start(st, since)}")
        now = time.monotonic()
        if not pending or now >= deadline:
            break
        waiting.update(", ".join(_awaited(pending, states)))
        time.sleep(0.5)
    for name in pending:
        st = states.get(name)
        if st is None:
            say(f"  {name:<20} NOT HEALTHY: no container")
        else:
            say(
                f"  {name:<20} NOT HEALTHY: state={st.state} health={st.health} "
                f"last check: {st.last_health_output or '-'}"
            )
    return pending


def _awaited(pending: list[str], states: dict[str, ServiceState]) -> list[str]:
    """``hypercode-core (starting)``: each awaited service and its state, for the progress line."""
    out = []
    for name in pending:
        st = states.get(name)
        if st is None:
            out.append(f"{name} (no container)")
        else:
            out.append(f"{name} ({st.health if st.health != 'none' else st.state})")
    return out


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


def build(project: ComposeProject) -> None:
    """Build the images of every compose file."""
    compose_run([*project.compose(), "build"])


WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"


def other_checkouts(labels: list[dict[str, str]], project_dir: Path) -> list[str]:
    """Directories other than ``project_dir`` that existing containers of the project came
    from (``up`` from here recreates them with this checkout's files)."""
    here = str(project_dir.resolve())
    found = {str(lab.get(WORKING_DIR_LABEL, "")) for lab in labels}
    return sorted(d for d in found if d and d != here)


def warn_other_checkouts(project: ComposeProject, say: Say) -> None:
    """Say so when the project's containers were created from another directory."""
    try:
        client = docker_client()
    except EngineError:  # no engine yet: compose reports it with its own message
        return
    try:
        listed = client.api.containers(
            all=True, filters={"label": f"{PROJECT_LABEL}={project.project_name}"}
        )
    except Exception:  # the engine went away: compose reports it
        return
    finally:
        client.close()
    others = other_checkouts([row.get("Labels") or {} for row in listed], project.project_dir)
    if others:
        say(
            f"== warning: containers of project {project.project_name} were created from "
            f"{', '.join(others)}; up from {project.project_dir} replaces those that mount "
            "files from there (another --project-name keeps both)"
        )


def up(
    project: ComposeProject, timeout: float, *, with_build: bool, say: Say = _print
) -> list[str]:
    """Build, start the compose files stage by stage, then wait; return the unhealthy services."""
    t0, started = time.monotonic(), datetime.now(UTC)
    warn_other_checkouts(project, say)
    if with_build:
        say("== build")
        build(project)
    files = project.files
    for count in range(1, len(files) + 1):
        stage = files[:count]
        say(f"== up {', '.join(f.name for f in stage)} ({time.monotonic() - t0:.1f}s)")
        partial = {"COMPOSE_IGNORE_ORPHANS": "true"} if count < len(files) else None
        compose_run([*project.compose(*stage), "up", "-d"], env=partial)
    say(f"== waiting up to {timeout:.0f}s for every service to be healthy")
    unhealthy = wait_healthy(project, expected_services(project), timeout, since=started, say=say)
    elapsed = time.monotonic() - t0
    if unhealthy:
        say(f"== NOT HEALTHY after {elapsed:.1f}s: {', '.join(unhealthy)}")
    else:
        say(f"== all services healthy; up took {elapsed:.1f}s")
    return unhealthy


def down(project: ComposeProject, *, volumes: bool) -> None:
    """Stop and remove the project's containers and networks (and volumes if asked)."""
    extra = ["--volumes"] if volumes else []
    compose_run([*project.compose(), "down", "--remove-orphans", *extra])


def status(project: ComposeProject, say: Say = _print) -> bool:
    """Say service / state / health; True when every expected service is healthy."""
    services = expected_services(project)
    states = project_states(docker_client(), project.project_name)
    say(f"{'SERVICE':<20} {'STATE':<10} {'HEALTH':<10} CONTAINER")
    for name in services:
        st = states.get(name)
        if st is None:
            say(f"{name:<20} {'missing':<10} {'-':<10} -")
        else:
            say(f"{name:<20} {st.state:<10} {st.health:<10} {st.container}")
    return all(is_healthy(states.get(s)) for s in services)
