"""The database rollback drill (seed 3.2) and the restore round trip into a scratch database.

The full drill is disruptive but leaves the database as it found it; the CLI is
``python -m runbook.drill``.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from readiness.backends.pg_container import DatabaseError, Postgres, literal
from readiness.operations.backup import Backup, BackupError, take_backup
from readiness.operations.fingerprint import Fingerprint, differences, fingerprint
from readiness.operations.restore import OK, RestoreResult, restore
from readiness.operations.stack import docker_client, is_healthy, project_states
from readiness.operations.target import Settings

DRILL_MARK = "rbk-drill-"


@dataclass
class RoundTrip:
    """A dump restored into a scratch database and compared with its source."""

    dump: Path
    scratch: str
    problems: list[str] = field(default_factory=list)
    scratch_left: bool = False
    restore_seconds: float = 0.0
    compare_seconds: float = 0.0
    raw_seconds: float = 0.0
    summary: str = ""

    @property
    def seconds(self) -> float:
        """Round trip: restore plus comparison."""
        return self.restore_seconds + self.compare_seconds


def round_trip(
    settings: Settings, dump: Path, source: Fingerprint, *, raw: bool = True
) -> RoundTrip:
    """Restore ``dump`` into a scratch database, compare with ``source``, drop the scratch.

    With ``raw``, also time a plain pg_dump + pg_restore of the live database for comparison.
    """
    db = settings.db
    scratch = f"{db.name}__rbk_{secrets.token_hex(4)}"
    result = RoundTrip(dump, scratch)
    try:
        start = time.monotonic()
        db.create(scratch)
        db.restore(dump, scratch)
        result.restore_seconds = time.monotonic() - start
        start = time.monotonic()
        restored = fingerprint(db, scratch)
        result.problems = differences(source, restored)
        result.compare_seconds = time.monotonic() - start
        result.summary = restored.summary()
    finally:
        db.drop(scratch)
        result.scratch_left = db.exists(scratch)
    if raw:
        result.raw_seconds = raw_dump_restore_seconds(db)
    return result


def raw_dump_restore_seconds(db: Postgres) -> float:
    """Time of a bare pg_dump -Fc + pg_restore of the same database (no checks), for reference."""
    scratch = f"{db.name}__raw_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.dump"
        try:
            start = time.monotonic()
            db.dump(path)
            db.create(scratch)
            db.restore(path, scratch)
            return time.monotonic() - start
        finally:
            db.drop(scratch)


@dataclass
class DrillResult:
    """The full 3.2 drill: each step's outcome and the measured recovery time."""

    marker: str = ""
    backup: Backup | None = None
    backup_age_hours: float = 0.0
    damaged: bool = False
    restore: RestoreResult | None = None
    recovery_seconds: float = 0.0
    unhealthy: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    cleanup_problems: list[str] = field(default_factory=list)


def write_known_data(db: Postgres, marker: str) -> None:
    """Insert a project and a task carrying ``marker`` (the data the drill must get back)."""
    db.psql(
        f"INSERT INTO projects (name, description) VALUES ({literal(marker)}, 'rollback drill');"
        "INSERT INTO tasks (project_id, kind, status) SELECT id, 'drill', 'done' FROM projects "
        f"WHERE name = {literal(marker)}"
    )


def damage(db: Postgres) -> None:
    """Simulate data loss: empty every table the application writes."""
    db.psql("TRUNCATE projects, tasks RESTART IDENTITY CASCADE")


def remove_known_data(db: Postgres, marker: str) -> None:
    """Delete the drill's rows (tasks go with their project)."""
    db.psql(f"DELETE FROM projects WHERE name = {literal(marker)}")


def full_drill(settings: Settings, workdir: Path, *, timeout: float = 300.0) -> DrillResult:
    """Write known data, back up, damage, restore with the runbook, compare; always clean up."""
    db = settings.db
    services = [settings.manifest.database.service, *settings.manifest.backup.stop_services]
    result = DrillResult(marker=DRILL_MARK + secrets.token_hex(4))
    before: Fingerprint | None = None
    try:
        write_known_data(db, result.marker)
        before = fingerprint(db)
        result.backup = take_backup(settings, directory=workdir, create_dir=True)
        if not result.backup.report.ok:
            result.problems.extend(result.backup.report.problems)
            return result
        damage(db)
        result.damaged = fingerprint(db).tables != before.tables
        start = time.monotonic()
        result.restore = restore(
            settings,
            confirm=settings.manifest.database.name,
            backup_file=result.backup.path,
            safety_dir=workdir,
            timeout=timeout,
            log=False,
        )
        result.recovery_seconds = time.monotonic() - start
        age = result.backup.report.age_hours()
        result.backup_age_hours = age or 0.0
        if result.restore.code != OK:
            result.problems.append(f"restore: exit {result.restore.code}: {result.restore.message}")
        states = project_states(docker_client(), settings.project_name)
        result.unhealthy = [s for s in services if not is_healthy(states.get(s))]
        result.problems.extend(differences(before, fingerprint(db)))
    except (DatabaseError, BackupError) as exc:
        result.problems.append(f"drill step failed: {exc}")
    finally:
        result.cleanup_problems = _clean_up(settings, result, before)
    return result


def _clean_up(settings: Settings, result: DrillResult, before: Fingerprint | None) -> list[str]:
    """Put the database back as found: recover from the drill's backup if needed, drop marks."""
    db = settings.db
    problems = []
    try:
        if before is not None and result.backup is not None and result.backup.report.ok:
            now = fingerprint(db)
            if now.tables != before.tables:
                again = restore(
                    settings,
                    confirm=settings.manifest.database.name,
                    backup_file=result.backup.path,
                    safety_dir=result.backup.path.parent,
                    log=False,
                )
                if again.code != OK:
                    problems.append(f"recovery restore: exit {again.code}: {again.message}")
        remove_known_data(db, result.marker)
    except DatabaseError as exc:
        problems.append(f"clean-up failed: {exc}")
    return problems
