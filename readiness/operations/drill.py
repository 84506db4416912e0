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

from readiness.backends.pg_container import DatabaseError, Postgres, ident, literal
from readiness.operations.backup import Backup, BackupError, take_backup
from readiness.operations.fingerprint import Fingerprint, differences, fingerprint
from readiness.operations.project_commands import backup_with_command, restore_with_command
from readiness.operations.restore import OK, RestoreResult, restore, restore_by_command
from readiness.operations.stack import docker_client, is_healthy, project_states
from readiness.operations.target import Settings

DRILL_MARK = "rbk_drill_"


@dataclass
class RoundTrip:
    """A dump restored into a scratch database and compared with its source."""

    dump: Path
    scratch: str
    procedure: str = ""
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

    The restore is the project's ``backup.restore_command`` when the manifest names one, else
    pg_restore (archives) or psql (plain SQL). A restore that fails is a problem, not an error.
    With ``raw``, also time a plain pg_dump + pg_restore of the live database for comparison.
    """
    db = settings.db
    command = settings.manifest.backup.restore_command
    scratch = f"{db.name}__rbk_{secrets.token_hex(4)}"
    result = RoundTrip(dump, scratch, procedure=f"`{command}`" if command else "the runbook")
    try:
        start = time.monotonic()
        db.create(scratch)
        failed = _restore_into(settings, dump, scratch)
        result.restore_seconds = time.monotonic() - start
        if failed:
            result.problems = [failed]
            return result
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


def _restore_into(settings: Settings, dump: Path, database: str) -> str:
    """Restore ``dump`` into ``database``: "" on success, else why it failed."""
    command = settings.manifest.backup.restore_command
    if command:
        run = restore_with_command(settings, command, dump, database)
        return "" if run.ok else f"restore: `{command}` exited {run.returncode}: {run.tail()}"
    try:
        settings.db.restore(dump, database)
    except DatabaseError as exc:
        return f"restore: {exc}"
    return ""


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
    """Create the drill's own table ``marker`` holding one row (data the drill must get back)."""
    db.psql(
        f"CREATE TABLE {ident(marker)} (marker text PRIMARY KEY);"
        f"INSERT INTO {ident(marker)} VALUES ({literal(marker)})"
    )


def damage(db: Postgres, marker: str, tables: list[str]) -> None:
    """Simulate data loss: drop the drill's table and empty the manifest's application tables."""
    statements = [f"DROP TABLE {ident(marker)}"]
    if tables:
        names = ", ".join(ident(t) for t in tables)
        statements.append(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    db.psql(";".join(statements))


def remove_known_data(db: Postgres, marker: str) -> None:
    """Drop the drill's table."""
    db.psql(f"DROP TABLE IF EXISTS {ident(marker)}")


def application_tables(settings: Settings) -> list[str]:
    """The manifest's tables the application writes (its migrations table left alone)."""
    database = settings.manifest.database
    return [t for t in database.tables if t != database.migrations_table]


def full_drill(settings: Settings, workdir: Path, *, timeout: float = 300.0) -> DrillResult:
    """Write known data, back up, damage, restore, compare; always clean up.

    Backup and restore are the project's own commands when the manifest names them, else the
    runbook's. The clean-up restores the drill's backup with the runbook if the data differs.
    """
    db = settings.db
    services = [settings.manifest.database.service, *settings.manifest.backup.stop_services]
    result = DrillResult(marker=DRILL_MARK + secrets.token_hex(4))
    before: Fingerprint | None = None
    try:
        write_known_data(db, result.marker)
        before = fingerprint(db)
        backup_command = settings.manifest.backup.command
        result.backup = (
            backup_with_command(settings, backup_command, workdir)
            if backup_command
            else take_backup(settings, directory=workdir, create_dir=True)
        )
        if not result.backup.report.ok:
            result.problems.extend(result.backup.report.problems)
            return result
        damage(db, result.marker, application_tables(settings))
        result.damaged = fingerprint(db).tables != before.tables
        start = time.monotonic()
        if settings.manifest.backup.restore_command:
            result.restore = restore_by_command(settings, result.backup.path, timeout=timeout)
        else:
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
