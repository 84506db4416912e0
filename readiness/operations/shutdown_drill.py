"""The emergency shutdown drill (seed 6): cut, prove the data survives, come back healthy.

A marker row goes into the database, the runbook's shutdown runs for real (timed: seconds until
every public port refuses), then the stack is started again with the runbook's ``up`` and the
marker, the volumes and the health are compared with before. Disruptive: the whole stack stops.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from readiness.backends.pg_container import DatabaseError, literal, wait_ready
from readiness.model.errors import ProbeError
from readiness.operations import stack
from readiness.operations.shutdown import (
    Say,
    ShutdownResult,
    make_plan,
    project_volumes,
    shutdown,
)
from readiness.operations.target import Settings

MARKER_TABLE = "readiness_shutdown_marker"


@dataclass
class ShutdownDrill:
    """What the drill saw: the shutdown itself, the marker row, volumes and health after."""

    result: ShutdownResult
    marker_written: bool = False
    marker_problem: str = ""
    volatile_mounts: list[str] = field(default_factory=list)
    volumes_lost: list[str] = field(default_factory=list)
    unhealthy: list[str] = field(default_factory=list)
    comeback_seconds: float = 0.0
    cleanup_problems: list[str] = field(default_factory=list)


def volatile_mounts(client: Any, container: str) -> list[str]:
    """Mounts of a container whose content is gone once it stops (tmpfs)."""
    attrs = client.api.inspect_container(container)
    found = [
        f"tmpfs {m.get('Destination')}"
        for m in attrs.get("Mounts") or []
        if m.get("Type") == "tmpfs"
    ]
    found += [f"tmpfs {path}" for path in (attrs.get("HostConfig") or {}).get("Tmpfs") or {}]
    return sorted(set(found))


def run_drill(
    settings: Settings,
    incident_root: Path,
    reports_dir: Path | None,
    timeout: float,
    say: Say,
) -> ShutdownDrill:
    """Run the drill; ProbeError when the stack is not healthy to begin with."""
    m = settings.manifest
    project = settings.stack
    services = stack.expected_services(project)
    client = stack.docker_client()
    states = stack.project_states(client, settings.project_name)
    sick = [s for s in services if not stack.is_healthy(states.get(s))]
    if sick:
        raise ProbeError(
            f"project {settings.project_name}: expected healthy before the shutdown drill, got "
            f"not healthy: {', '.join(sick)} (bring it up first: python -m runbook.stack up)"
        )
    has_db = m.declares("database") and m.database.service in services
    token = secrets.token_hex(8)
    volatile: list[str] = []
    if has_db:
        db_state = states[m.database.service]
        volatile = volatile_mounts(client, db_state.container)
        try:
            settings.db.psql(
                f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (token text PRIMARY KEY, "
                f"written_at timestamptz NOT NULL DEFAULT now()); "
                f"INSERT INTO {MARKER_TABLE} (token) VALUES ({literal(token)})"
            )
        except DatabaseError as exc:
            raise ProbeError(f"Could not write the drill's marker row: {exc}") from None
    plan = make_plan(settings)
    result = shutdown(settings, plan, incident_root, reports_dir=reports_dir, say=say)
    drill = ShutdownDrill(result, marker_written=has_db, volatile_mounts=volatile)
    say("coming back: runbook.stack up (no build)")
    start = time.monotonic()
    drill.unhealthy = stack.up(project, timeout, with_build=False, say=say)
    drill.comeback_seconds = time.monotonic() - start
    kept = set(project_volumes(settings.project_name))
    drill.volumes_lost = [v for v in plan.volumes if v not in kept]
    if has_db:
        drill.marker_problem = _marker_after(settings, token)
        try:
            settings.db.psql(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        except DatabaseError as exc:
            drill.cleanup_problems.append(f"drop {MARKER_TABLE}: {exc}")
    return drill


def _marker_after(settings: Settings, token: str) -> str:
    """'' when the marker row written before the shutdown is still there; else what is wrong."""
    try:
        wait_ready(settings.db)
        rows = settings.db.psql(
            f"SELECT count(*) FROM {MARKER_TABLE} WHERE token = {literal(token)}"
        )
    except DatabaseError as exc:
        if "does not exist" in str(exc):
            return f"table {MARKER_TABLE} is gone"
        return f"could not read it: {exc}"
    return "" if rows and rows[0][0] == "1" else "the row is gone"
