"""Back up the target's PostgreSQL (seed 3.1): a verified pg_dump -Fc in the backup directory.

The CLI is ``python -m runbook.backup``; this module is the operation the CLI and the rollback
checks share.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from readiness.backends.pg_container import DatabaseError, DumpReport, verify_dump
from readiness.model.errors import ExitCode, OperationError
from readiness.operations.target import Settings

PREFIX = "backup_"
SAFETY_PREFIX = "pre-restore_"
SUFFIX = ".dump"


class BackupError(OperationError):
    """The backup could not be taken; the message says why and what to do."""


class BackupDirectoryMissing(BackupError):
    """The backup directory does not exist (and was not to be created): bad input."""

    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class Backup:
    """A dump written by this script, its verification and how long it took."""

    path: Path
    report: DumpReport
    seconds: float


def backup_name(now: dt.datetime, prefix: str = PREFIX) -> str:
    """``backup_YYYYMMDD_HHMMSS.dump`` for a UTC time."""
    return f"{prefix}{now.astimezone(dt.UTC):%Y%m%d_%H%M%S}{SUFFIX}"


def take_backup(
    settings: Settings,
    *,
    directory: Path | None = None,
    prefix: str = PREFIX,
    create_dir: bool = False,
    log: bool = False,
) -> Backup:
    """Dump the database into ``directory`` (default: the backup dir) and verify the file.

    Raises BackupError when the directory is missing (and not to be created) or pg_dump fails.
    """
    target = directory or settings.backup_dir
    if not target.is_dir():
        if target.exists() or not create_dir:
            raise BackupDirectoryMissing(
                f"backup directory {target}: exists: expected a directory, got "
                f"{'a file' if target.exists() else 'missing'} (create it or mount the backup "
                "volume; the CLI creates it unless --no-create-dir)"
            )
        target.mkdir(parents=True)
        _say(log, f"created backup directory {target}")
    path = _free_path(target, prefix)
    partial = partial_path(path)
    db = settings.db
    _say(log, f"dumping database {db.name} of project {db.project} to {path}")
    start = time.monotonic()
    try:
        db.dump(partial)  # never under the final name until complete: a cut dump is no backup
        if partial.stat().st_size == 0:
            raise DatabaseError(f"pg_dump wrote nothing to {partial.parent}")
        partial.rename(path)
    except DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"{exc} (nothing kept in {target})") from None
    except OSError as exc:  # the directory filled up or went away during the dump
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"writing the dump into {target} failed: {exc.strerror or exc} (nothing kept)"
        ) from None
    seconds = time.monotonic() - start
    _say(log, f"written {path.stat().st_size} bytes in {seconds:.2f}s; verifying")
    m = settings.manifest
    report = verify_dump(
        db,
        path,
        expected_db=m.database.name,
        tables=m.database.tables,
        max_age_hours=m.backup.max_age_hours,
    )
    if not report.ok:
        invalid = path.with_suffix(path.suffix + ".invalid")
        path.rename(invalid)
        report.path = invalid
    return Backup(report.path, report, seconds)


def partial_path(path: Path) -> Path:
    """Where a dump is written until complete (hidden, and no backup pattern matches it)."""
    return path.with_name(f".{path.name}.partial")


def _free_path(directory: Path, prefix: str) -> Path:
    """A file name for now that is not taken yet (waits a second on a same-second clash)."""
    while True:
        path = directory / backup_name(dt.datetime.now(dt.UTC), prefix)
        if not path.exists():
            return path
        time.sleep(0.2)


def latest_backup(directory: Path, pattern: str = f"{PREFIX}*{SUFFIX}") -> Path | None:
    """The newest dump matching the pattern (by the time in its name, then mtime)."""
    candidates = [p for p in directory.glob(pattern) if p.is_file()] if directory.is_dir() else []
    if not candidates:
        return None
    return max(candidates, key=lambda p: (p.name, p.stat().st_mtime))


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(f"[backup] {message}", flush=True)
