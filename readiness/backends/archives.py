"""The newest backup in the backup directory, judged by its contents, and whether it restores.

The newest is the one taken last according to the dump itself (the archive header, or the
plain dump's own text), not the file's mtime: a fresh clone makes old dumps look new. Archives
are listed with a `pg_restore` that can read their format version: the host's when it is new
enough, else the database image's.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from readiness.backends.tools import docker_run
from readiness.parsers.dumps import DumpInfo, inspect_dump, restore_tool_reads

ARCHIVE_KINDS = ("custom", "tar", "directory")


@dataclass(frozen=True)
class Dump:
    """The newest backup and what is known about it."""

    path: Path
    size: int
    age_hours: float
    info: DumpInfo
    restore_rc: int = 0
    restore_entries: int = 0
    restore_output: str = ""
    restore_tool: str = ""

    @property
    def taken(self) -> str:
        """When it was taken and who says so: ``2026-11-27 17:01 UTC (archive header)``."""
        when = self.info.taken_at
        stamp = f"{when:%Y-%m-%d %H:%M} UTC" if when else "unknown"
        return f"{stamp} ({self.info.taken_at_source or 'no date'})"

    @property
    def is_archive(self) -> bool:
        """A pg_dump archive (custom, tar, directory) rather than a plain SQL script."""
        return self.info.kind in ARCHIVE_KINDS

    @property
    def valid(self) -> bool:
        """Nothing wrong in its content, and an archive's table of contents reads with entries."""
        if self.info.problems:
            return False
        return not self.is_archive or (self.restore_rc == 0 and self.restore_entries > 0)


def newest_dump(directory: Path, pattern: str, now: dt.datetime | None = None) -> Dump | None:
    """The backup matching ``pattern`` taken last (by its content; mtime only as a fallback)."""
    files = [p for p in directory.glob(pattern) if p.exists()] if directory.is_dir() else []
    if not files:
        return None
    now = now or dt.datetime.now(dt.UTC)
    infos = [inspect_dump(f, dt.datetime.fromtimestamp(f.stat().st_mtime, dt.UTC)) for f in files]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    newest = max(infos, key=lambda info: (info.taken_at or epoch, info.path.name))
    taken = newest.taken_at or now
    return Dump(newest.path, newest.size, (now - taken).total_seconds() / 3600, newest)


def list_archive(dump: Dump, docker_host: str, db_image: str) -> Dump:
    """``dump`` with `pg_restore --list` of an archive (a tool that reads its version)."""
    if dump.size == 0 or dump.info.problems or not dump.is_archive:
        return dump
    host_tool = shutil.which("pg_restore")
    use_host = bool(host_tool) and (
        not dump.info.archive_version or _host_reads(str(host_tool), dump.info.archive_version)
    )
    if use_host:
        proc = subprocess.run(
            [str(host_tool), "--list", str(dump.path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        tool = f"host {host_tool}"
    else:
        inside = f"/readiness/{dump.path.name}"
        proc = docker_run(
            docker_host,
            db_image,
            "pg_restore",
            ["--list", inside],
            [(dump.path.parent, "/readiness")],
        )
        tool = f"pg_restore of {db_image}"
    entries = sum(1 for ln in proc.stdout.splitlines() if ln.strip() and not ln.startswith(";"))
    return Dump(
        dump.path,
        dump.size,
        dump.age_hours,
        dump.info,
        proc.returncode,
        entries,
        (proc.stderr or proc.stdout).strip(),
        tool,
    )


def _host_reads(host_tool: str, archive_version: str) -> bool:
    proc = subprocess.run(
        [host_tool, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return restore_tool_reads(archive_version, proc.stdout).can_read
