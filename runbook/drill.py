"""The database rollback drill (runbook 3.2) and the restore round-trip into a scratch database.

  python -m runbook.drill round-trip   restore the newest backup into a scratch db and compare
  python -m runbook.drill full --confirm DBNAME
                                       write known data, back up, damage, restore, compare

The full drill is disruptive (it stops services and overwrites the database) but leaves the
database as it found it: known rows it wrote are removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fixtures.errors import ConfigError
from runbook.backup import Backup, BackupError, latest_backup, take_backup
from runbook.compare import Fingerprint, differences, fingerprint
from runbook.db import DatabaseError, Postgres, literal
from runbook.restore import OK, RestoreResult, restore
from runbook.settings import Settings, add_target_options, settings_from_args
from runbook.stack import docker_client, is_healthy, project_states

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
    services = [settings.manifest.db_service, *settings.manifest.stop_services]
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
            confirm=settings.manifest.db_name,
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
                    confirm=settings.manifest.db_name,
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


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: round-trip (read-only for the live database) or the full drill (needs --confirm)."""
    parser = argparse.ArgumentParser(
        prog="python -m runbook.drill",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("mode", choices=["round-trip", "full"])
    add_target_options(parser)
    parser.add_argument(
        "--confirm",
        default="",
        metavar="DBNAME",
        help="full: the name of the database the drill overwrites",
    )
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        print(f"[drill] FAILED: {exc}", file=sys.stderr)
        return 2
    if args.mode == "round-trip":
        dump = latest_backup(settings.backup_dir, settings.manifest.backup_pattern)
        if dump is None:
            print(f"[drill] FAILED: no dump in {settings.backup_dir}", file=sys.stderr)
            return 2
        rt = round_trip(settings, dump, fingerprint(settings.db))
        for problem in rt.problems:
            print(f"[drill] DIFFERENCE: {problem}")
        print(
            f"[drill] round trip {rt.seconds:.2f}s (raw pg_dump+pg_restore {rt.raw_seconds:.2f}s)"
            f"; {rt.summary}"
        )
        return 1 if rt.problems or rt.scratch_left else 0
    if args.confirm != settings.manifest.db_name:
        print(f"[drill] refusing: pass --confirm {settings.manifest.db_name}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        result = full_drill(settings, Path(tmp))
    m = settings.manifest
    for problem in result.problems + result.cleanup_problems:
        print(f"[drill] PROBLEM: {problem}")
    print(
        f"[drill] recovery {result.recovery_seconds:.1f}s (RTO {m.rto_seconds:g}s); backup age "
        f"{result.backup_age_hours * 3600:.0f}s (RPO {m.rpo_hours:g} h) at "
        f"{dt.datetime.now(dt.UTC):%H:%M:%S}Z"
    )
    return 1 if result.problems or result.cleanup_problems or result.unhealthy else 0


if __name__ == "__main__":
    sys.exit(main())
