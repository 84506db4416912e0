"""Restore the target's PostgreSQL from a dump (seed 3.2), made safe.

Verify the dump, stop the writers (``backup.stop_services``), take a safety backup, restore into a
scratch database and swap it in, restart and wait until healthy. Each failure has its own exit
code (``readiness.model.errors``); the CLI is ``python -m runbook.restore``.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from readiness.backends.pg_container import DatabaseError, verify_dump, wait_ready
from readiness.model.errors import ExitCode
from readiness.operations.backup import SAFETY_PREFIX, BackupError, latest_backup, take_backup
from readiness.operations.project_commands import restore_with_command
from readiness.operations.stack import StackError, wait_healthy
from readiness.operations.target import Settings

OK = ExitCode.READY
UNHEALTHY = ExitCode.NOT_READY
USAGE = ExitCode.BAD_INPUT
INVALID_DUMP = ExitCode.INVALID_DUMP
SAFETY_FAILED = ExitCode.SAFETY_BACKUP_FAILED
RESTORE_FAILED = ExitCode.RESTORE_FAILED
SCRATCH_SUFFIX = "__restore"


@dataclass
class RestoreResult:
    """What the restore did: exit code, files, and how long each phase took (seconds)."""

    code: int
    message: str
    backup_file: Path | None = None
    safety_file: Path | None = None
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Total time of the run."""
        return sum(self.phases.values())


def restore(
    settings: Settings,
    *,
    confirm: str,
    backup_file: Path | None = None,
    safety_dir: Path | None = None,
    timeout: float = 300.0,
    log: bool = True,
) -> RestoreResult:
    """Run the whole procedure; never raises for an expected failure (see the exit codes)."""
    say = _Logger(log)
    m = settings.manifest
    db = settings.db
    if confirm != m.database.name:
        return RestoreResult(
            USAGE,
            f"refusing to overwrite database {m.database.name} of project "
            f"{settings.project_name}: pass --confirm {m.database.name}",
        )
    dump = backup_file or latest_backup(settings.backup_dir, m.backup.pattern)
    if dump is None:
        return RestoreResult(
            USAGE,
            f"no dump matching {m.backup.pattern} in {settings.backup_dir}; pass --backup-file",
        )
    result = RestoreResult(OK, "", backup_file=dump)
    clock = _Phases(result.phases)

    with clock("verify"):
        say(f"verifying {dump}")
        report = verify_dump(db, dump, expected_db=m.database.name, tables=m.database.tables)
    if not report.ok:
        result.code, result.message = INVALID_DUMP, "; ".join(report.problems)
        return result
    age = report.age_hours()
    if age is not None and age > m.backup.rpo_hours:
        say(
            f"WARNING: the dump is {age:.1f} h old; "
            f"the RPO allows {m.backup.rpo_hours:g} h of data loss"
        )

    services = list(m.backup.stop_services)
    try:
        if services:
            with clock("stop"):
                say(f"stopping {', '.join(services)}")
                _compose(settings, "stop", *services)
        with clock("safety backup"):
            try:
                safety = take_backup(
                    settings, directory=safety_dir, prefix=SAFETY_PREFIX, create_dir=True
                )
            except BackupError as exc:
                result.code, result.message = SAFETY_FAILED, f"safety backup failed: {exc}"
                return result
            if not safety.report.ok:
                result.code = SAFETY_FAILED
                result.message = "safety backup invalid: " + "; ".join(safety.report.problems)
                return result
            result.safety_file = safety.path
            say(f"safety backup of the current database: {safety.path}")
        with clock("restore"):
            scratch = m.database.name + SCRATCH_SUFFIX
            try:
                db.drop(scratch)
                db.create(scratch)
                say(f"restoring {dump.name} into {scratch}")
                db.restore(dump, scratch)
                say(f"swapping {scratch} in for {m.database.name}")
                db.replace_with(scratch)
            except DatabaseError as exc:
                _drop_quietly(settings, scratch)
                result.code = RESTORE_FAILED
                result.message = f"restore failed, live database unchanged: {exc}"
                return result
    except (StackError, DatabaseError) as exc:
        result.code, result.message = RESTORE_FAILED, str(exc)
        return result
    finally:
        if services:
            with clock("start"):
                say(f"starting {', '.join(services)}")
                try:
                    _compose(settings, "start", *services)
                except StackError as exc:
                    result.code = result.code or UNHEALTHY
                    result.message = (result.message + "; " if result.message else "") + str(exc)
    with clock("wait healthy"):
        say(f"waiting (up to {timeout:.0f}s) for {', '.join([m.database.service, *services])}")
        wait_ready(db)
        pending = wait_healthy(
            settings.stack, [m.database.service, *services], timeout, say=say if log else _quiet
        )
    if pending:
        result.code = UNHEALTHY
        result.message = f"restored, but not healthy after {timeout:.0f}s: {', '.join(pending)}"
    else:
        result.message = f"restored {dump.name} into {m.database.name}; services healthy"
    return result


def _quiet(message: str) -> None:
    """Say nothing (the restore runs without logging)."""


def restore_by_command(settings: Settings, dump: Path, *, timeout: float = 300.0) -> RestoreResult:
    """Restore the live database with the project's ``backup.restore_command``, wait healthy.

    The command gets the dump as RESTORE_FILE and the live database as RESTORE_DATABASE; it is
    the project's procedure (stopping writers, a safety copy) and runs as it is.
    """
    m = settings.manifest
    command = m.backup.restore_command
    result = RestoreResult(OK, "", backup_file=dump)
    clock = _Phases(result.phases)
    with clock("restore"):
        run = restore_with_command(settings, command, dump, m.database.name)
    if not run.ok:
        result.code = RESTORE_FAILED
        result.message = f"`{command}` exited {run.returncode}: {run.tail()}"
        return result
    with clock("wait healthy"):
        try:
            wait_ready(settings.db)
        except DatabaseError as exc:
            result.code, result.message = UNHEALTHY, f"database not answering: {exc}"
            return result
        pending = wait_healthy(
            settings.stack, [m.database.service, *m.backup.stop_services], timeout
        )
    if pending:
        result.code = UNHEALTHY
        result.message = f"restored, but not healthy after {timeout:.0f}s: {', '.join(pending)}"
    else:
        result.message = f"`{command}` restored {dump.name} into {m.database.name}"
    return result


def _compose(settings: Settings, *args: str) -> None:
    cmd = [*settings.compose(), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise StackError(f"docker compose {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")


def _drop_quietly(settings: Settings, database: str) -> None:
    with contextlib.suppress(DatabaseError):
        settings.db.drop(database)


class _Logger:
    """``[restore] +12.3s message``: each step with the time since the restore began."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.start = time.monotonic()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[restore] +{time.monotonic() - self.start:.1f}s {message}", flush=True)


class _Phases:
    """Context manager factory adding each phase's duration to a dict."""

    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases
        self.name = ""
        self.start = 0.0

    def __call__(self, name: str) -> _Phases:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        self.phases[self.name] = self.phases.get(self.name, 0.0) + time.monotonic() - self.start
