"""The newest database dump in the backup directory, and whether `pg_restore --list` reads it."""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from readiness.backends.tools import docker_run


@dataclass(frozen=True)
class Dump:
    """The newest backup file and what is known about it."""

    path: Path
    size: int
    age_hours: float
    restore_rc: int = 0
    restore_entries: int = 0
    restore_output: str = ""

    @property
    def valid(self) -> bool:
        """True when `pg_restore --list` read a table of contents with entries."""
        return self.restore_rc == 0 and self.restore_entries > 0


def newest_dump(directory: Path, pattern: str) -> Dump | None:
    """The most recently modified file matching ``pattern`` in ``directory`` (None if none)."""
    files = [p for p in directory.glob(pattern) if p.is_file()] if directory.is_dir() else []
    if not files:
        return None
    newest = max(files, key=lambda p: p.stat().st_mtime)
    stat = newest.stat()
    return Dump(newest, stat.st_size, (time.time() - stat.st_mtime) / 3600)


def list_archive(dump: Dump, docker_host: str, db_image: str) -> Dump:
    """``dump`` with the result of `pg_restore --list` (host binary, else the database image)."""
    if dump.size == 0:
        return Dump(dump.path, 0, dump.age_hours, 1, 0, "empty file")
    host_tool = shutil.which("pg_restore")
    if host_tool:
        proc = subprocess.run(
            [host_tool, "--list", str(dump.path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    else:
        proc = docker_run(
            docker_host,
            db_image,
            "pg_restore",
            ["--list", f"/readiness/{dump.path.name}"],
            [(dump.path.parent, "/readiness")],
        )
    entries = sum(1 for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith(";"))
    return Dump(
        dump.path,
        dump.size,
        dump.age_hours,
        proc.returncode,
        entries,
        (proc.stderr or proc.stdout).strip(),
    )
