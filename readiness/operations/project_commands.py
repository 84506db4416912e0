"""The project's own backup and restore commands (manifest ``backup.command`` and
``backup.restore_command``), run as the rollback suite's fixtures instead of our runbook.

Each runs in the project directory, without a shell, with the target's compose project in its
environment (``COMPOSE_PROJECT_NAME``, ``COMPOSE_FILE``, ``COMPOSE_ENV_FILES``) so that
``docker compose exec`` reaches the right containers. The backup command gets ``BACKUP_DIR``;
the restore command gets ``RESTORE_FILE`` (the dump, an absolute path) and ``RESTORE_DATABASE``
(an existing database whose contents it must replace with the dump's).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from readiness.backends import commands
from readiness.backends.commands import CommandRun
from readiness.backends.pg_container import verify_dump
from readiness.operations.backup import Backup, BackupError
from readiness.operations.target import Settings

RESTORE_FILE = "RESTORE_FILE"
RESTORE_DATABASE = "RESTORE_DATABASE"
BACKUP_DIR = "BACKUP_DIR"


def command_env(settings: Settings) -> dict[str, str]:
    """The target's compose project, as ``docker compose`` reads it from the environment."""
    m = settings.manifest
    return {
        "COMPOSE_PROJECT_NAME": settings.project_name,
        "COMPOSE_FILE": os.pathsep.join(str(f) for f in m.compose_files),
        "COMPOSE_ENV_FILES": str(settings.env_file),
    }


def backup_with_command(settings: Settings, command: str, directory: Path | None = None) -> Backup:
    """Run the project's backup command once and verify the newest dump it wrote.

    Raises BackupError when the command fails or writes no new file matching the pattern.
    """
    m = settings.manifest
    target = directory or settings.backup_dir
    start = time.time()
    env = {
        **command_env(settings),
        BACKUP_DIR: str(target),
        "READINESS_BACKUP_DIR": str(target),
    }
    run = commands.run_command(command, m.project_dir, m.backup.timeout_seconds, env)
    seconds = time.time() - start
    if not run.ok:
        raise BackupError(f"`{command}` exited {run.returncode}: {run.tail()}")
    written = [
        p for p in target.glob(m.backup.pattern) if p.is_file() and p.stat().st_mtime >= start - 1
    ]
    if not written:
        raise BackupError(
            f"`{command}` wrote no new {m.backup.pattern} in {target} "
            f"(it gets the directory as {BACKUP_DIR})"
        )
    newest = max(written, key=lambda p: p.stat().st_mtime)
    report = verify_dump(
        settings.db,
        newest,
        expected_db=m.database.name,
        tables=m.database.tables,
        max_age_hours=m.backup.max_age_hours,
    )
    return Backup(newest, report, seconds)


def restore_with_command(settings: Settings, command: str, dump: Path, database: str) -> CommandRun:
    """Run the project's restore command: ``dump`` into the existing ``database``."""
    m = settings.manifest
    env = {
        **command_env(settings),
        RESTORE_FILE: str(dump.resolve()),
        RESTORE_DATABASE: database,
        BACKUP_DIR: str(settings.backup_dir),
    }
    return commands.run_command(command, m.project_dir, m.backup.timeout_seconds, env)
