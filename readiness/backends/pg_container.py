"""The stack's PostgreSQL through its own container tools (docker exec: psql, pg_dump, ...).

The host needs no PostgreSQL client or server: every command runs inside the postgres service's
container over its local socket, so no password is ever passed on a command line.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import re
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from readiness.backends.engine import (
    CONFIG_HASH_LABEL,
    ONEOFF_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
)
from readiness.model.errors import OperationError
from readiness.parsers.dumps import (
    PLAIN_KINDS,
    PlainDumpError,
    for_scratch,
    inspect_dump,
    plain_lines,
    plain_tables,
)

DUMP_MAGIC = b"PGDMP"
_HEADER_TIME = re.compile(r"^;\s+Archive created at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: (\S+))?")
_HEADER_DB = re.compile(r"^;\s+dbname: (.*)$")
_TABLE_DATA = re.compile(r"TABLE DATA (\S+) (\S+) ")
_NAME_TIME = re.compile(r"(\d{8}_\d{6})")


class DatabaseError(OperationError):
    """A database command failed; the message names the command and its error output."""


@dataclass(frozen=True)
class Postgres:
    """One database of the stack, reached through its compose project's postgres container."""

    project: str
    service: str
    user: str
    name: str

    def container(self) -> str:
        """The running container of the postgres service (DatabaseError when there is none)."""
        proc = _run(
            [
                "docker",
                "ps",
                "-q",
                "--filter",
                f"label={PROJECT_LABEL}={self.project}",
                "--filter",
                f"label={SERVICE_LABEL}={self.service}",
                "--filter",
                f"label={ONEOFF_LABEL}=False",
                "--filter",
                f"label={CONFIG_HASH_LABEL}",
            ],
        )
        ids = proc.stdout.split()
        if not ids:
            raise DatabaseError(
                f"project {self.project}: service {self.service}: expected a running container, "
                "got none"
            )
        return ids[0]

    def _exec(self, args: Sequence[str], *, stdin: bool = False) -> list[str]:
        flags = ["-i"] if stdin else []
        return ["docker", "exec", *flags, "-u", "postgres", self.container(), *args]

    def psql(self, sql: str, database: str | None = None) -> list[list[str]]:
        """Run SQL statements (each its own transaction); rows as lists of fields."""
        args = [
            "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\x1f",
            "-v",
            "ON_ERROR_STOP=1",
            "-U",
            self.user,
            "-d",
            database or self.name,
        ]
        for statement in _statements(sql):
            args += ["-c", statement]
        proc = _run(self._exec(args), what=f"psql on {database or self.name}")
        return [line.split("\x1f") for line in proc.stdout.splitlines() if line]

    def exists(self, database: str) -> bool:
        """Whether a database of that name exists."""
        rows = self.psql(
            f"SELECT 1 FROM pg_database WHERE datname = {literal(database)}", "postgres"
        )
        return bool(rows)

    def dump(self, path: Path, database: str | None = None, *, plain: bool = False) -> None:
        """pg_dump -Fc (or plain SQL) of the database into ``path`` (through ``docker exec``)."""
        args = ["pg_dump", "-Fp" if plain else "-Fc", "-U", self.user, "-d", database or self.name]
        with path.open("wb") as out:
            proc = subprocess.run(self._exec(args), stdout=out, stderr=subprocess.PIPE, check=False)
        if proc.returncode != 0:
            raise DatabaseError(
                f"pg_dump of {database or self.name} failed: {_last_line(proc.stderr)}"
            )

    def list_archive(self, path: Path) -> str:
        """``pg_restore --list`` of a dump file (its header and table of contents)."""
        return self._pg_restore(path, ["--list"], "pg_restore --list")

    def read_archive(self, path: Path) -> None:
        """Read the whole dump (as a restore would, output discarded): finds truncated data."""
        self._pg_restore(path, ["-f", "/dev/null"], "pg_restore (full read)")

    def restore(self, path: Path, database: str) -> None:
        """Restore ``path`` into the (empty) ``database``; stops at the first error.

        An archive goes through pg_restore; a plain-SQL dump (gzip too) through psql in one
        transaction, ownership statements left out as pg_restore's --no-owner does.
        """
        kind = inspect_dump(path).kind
        if kind in PLAIN_KINDS:
            self._psql_script(for_scratch(plain_lines(path, kind), path.name), database)
            return
        self._pg_restore(
            path,
            ["--exit-on-error", "--no-owner", "-U", self.user, "-d", database],
            f"pg_restore into {database}",
        )

    def _psql_script(self, lines: Iterator[bytes], database: str) -> None:
        """Feed an SQL script to psql on ``database`` (single transaction, stop at an error)."""
        what = f"psql restore into {database}"
        args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        args += ["-U", self.user, "-d", database]
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                self._exec(args, stdin=True),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            assert proc.stdin is not None
            refused = ""
            try:
                _feed(proc.stdin, lines)
            except PlainDumpError as exc:
                refused = str(exc)
                proc.kill()
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                refused = f"dump unreadable to the end ({exc})"
                proc.kill()
            except BrokenPipeError:
                pass  # psql stopped at an error: its message is in err
            finally:
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.close()
                returncode = proc.wait(timeout=600)
            err.seek(0)
            message = err.read()
        if refused:
            raise DatabaseError(f"{what} refused: {refused}")
        if returncode != 0:
            raise DatabaseError(f"{what} failed: {_last_line(message)}")

    def _pg_restore(self, path: Path, args: list[str], what: str) -> str:
        with path.open("rb") as data:
            proc = subprocess.run(
                self._exec(["pg_restore", *args], stdin=True),
                stdin=data,
                capture_output=True,
                check=False,
            )
        if proc.returncode != 0:
            raise DatabaseError(f"{what} failed: {_last_line(proc.stderr)}")
        return proc.stdout.decode("utf-8", "replace")

    def create(self, database: str) -> None:
        """CREATE DATABASE owned by the stack's user."""
        self.psql(f"CREATE DATABASE {ident(database)} OWNER {ident(self.user)}", "postgres")

    def drop(self, database: str) -> None:
        """DROP DATABASE IF EXISTS ... WITH (FORCE) (ends its sessions first)."""
        self.psql(f"DROP DATABASE IF EXISTS {ident(database)} WITH (FORCE)", "postgres")

    def replace_with(self, source: str) -> None:
        """Make ``source`` the database: drop the current one (forcing sessions out), rename."""
        self.psql(
            f"DROP DATABASE IF EXISTS {ident(self.name)} WITH (FORCE);"
            f"ALTER DATABASE {ident(source)} RENAME TO {ident(self.name)}",
            "postgres",
        )


def _feed(stream: IO[bytes], lines: Iterator[bytes], chunk: int = 1 << 20) -> None:
    """Write ``lines`` to ``stream`` in chunks of about ``chunk`` bytes."""
    buffer: list[bytes] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= chunk:
            stream.write(b"".join(buffer))
            buffer, size = [], 0
    stream.write(b"".join(buffer))


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]


def _run(cmd: list[str], *, what: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DatabaseError(f"{what or cmd[0]}: {exc}") from None
    if proc.returncode != 0:
        raise DatabaseError(f"{what or ' '.join(cmd[:3])} failed: {_last_line(proc.stderr)}")
    return proc


def _last_line(err: bytes | str) -> str:
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else err
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no error output)"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


# --- dump files -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveHeader:
    """What ``pg_restore --list`` says about a dump: its database, creation time and tables."""

    dbname: str
    created: dt.datetime | None
    tables: tuple[str, ...]


def parse_listing(listing: str) -> ArchiveHeader:
    """Parse the header and TABLE DATA entries of ``pg_restore --list`` output."""
    dbname, created = "", None
    tables: list[str] = []
    for line in listing.splitlines():
        if match := _HEADER_DB.match(line):
            dbname = match.group(1).strip()
        elif match := _HEADER_TIME.match(line):
            created = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
            zone = match.group(2) or "UTC"
            if zone.upper() in ("UTC", "GMT", "Z"):
                created = created.replace(tzinfo=dt.UTC)
            else:
                created = created.astimezone()
        elif match := _TABLE_DATA.search(line):
            tables.append(f"{match.group(1)}.{match.group(2)}")
    return ArchiveHeader(dbname, created, tuple(sorted(tables)))


def name_time(path: Path) -> dt.datetime | None:
    """The UTC time in a ``backup_YYYYMMDD_HHMMSS`` file name, if there is one."""
    match = _NAME_TIME.search(path.name)
    if match is None:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%Y%m%d_%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


@dataclass
class DumpReport:
    """The verification of one dump file: its facts, and the problems found (empty = valid)."""

    path: Path
    size: int = 0
    kind: str = ""
    dbname: str = ""
    created: dt.datetime | None = None
    tables: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    def age_hours(self, now: dt.datetime | None = None) -> float | None:
        """Hours since the dump was created (header time, else the file name's, else mtime)."""
        created = self.created or name_time(self.path)
        if created is None and self.path.exists():
            created = dt.datetime.fromtimestamp(self.path.stat().st_mtime, dt.UTC)
        if created is None:
            return None
        return ((now or dt.datetime.now(dt.UTC)) - created).total_seconds() / 3600


def verify_dump(
    db: Postgres,
    path: Path,
    *,
    expected_db: str,
    tables: Sequence[str] = (),
    max_age_hours: float | None = None,
    now: dt.datetime | None = None,
) -> DumpReport:
    """Check a dump file: present, non-empty, a pg_dump archive readable to the end or a complete
    plain-SQL dump (gzip too), of the expected database (when the dump names it), holding the
    expected tables, not older than ``max_age_hours``."""
    report = DumpReport(path)
    if not path.is_file():
        report.problems.append(f"dump {path}: exists: expected a file, got missing")
        return report
    report.size = path.stat().st_size
    if report.size == 0:
        report.problems.append(f"dump {path.name}: size: expected > 0 bytes, got 0 (empty file)")
        return report
    content = inspect_dump(path)
    if content.problems:
        report.problems += [f"dump {path.name}: {problem}" for problem in content.problems]
        return report
    report.kind = content.kind
    if content.kind in PLAIN_KINDS:
        report.dbname, report.created = content.database or "", content.taken_at
        try:
            report.tables = plain_tables(plain_lines(path, content.kind))
        except (OSError, EOFError, zlib.error) as exc:
            report.problems.append(f"dump {path.name}: data: expected readable, got {exc}")
            return report
        report.problems.extend(
            dump_content_problems(report, expected_db, tables, max_age_hours, now)
        )
        return report
    if content.kind != "custom":
        report.problems.append(
            f"dump {path.name}: format: expected a pg_dump custom archive (-Fc) or a plain SQL "
            f"dump, got {content.kind} (the restore checks and drills use pg_restore or psql; "
            "write the backup with `pg_dump -Fc` or `pg_dump -f FILE`)"
        )
        return report
    try:
        header = parse_listing(db.list_archive(path))
    except DatabaseError as exc:
        report.problems.append(f"dump {path.name}: table of contents: expected readable, got {exc}")
        return report
    report.dbname, report.created, report.tables = header.dbname, header.created, header.tables
    try:
        db.read_archive(path)
    except DatabaseError as exc:
        report.problems.append(
            f"dump {path.name}: data: expected readable to the end, got {exc} "
            f"({report.size} bytes: truncated?)"
        )
    report.problems.extend(dump_content_problems(report, expected_db, tables, max_age_hours, now))
    return report


def dump_content_problems(
    report: DumpReport,
    expected_db: str,
    tables: Sequence[str],
    max_age_hours: float | None,
    now: dt.datetime | None = None,
) -> list[str]:
    """Problems with what a readable dump holds: wrong database, missing tables, too old."""
    problems = []
    name = report.path.name
    unnamed_plain = report.kind in PLAIN_KINDS and not report.dbname  # pg_dump without -C
    if report.dbname != expected_db and not unnamed_plain:
        problems.append(
            f"dump {name}: database: expected {expected_db}, got {report.dbname or 'unknown'}"
        )
    present = {t.split(".", 1)[-1] for t in report.tables} | set(report.tables)
    missing = [t for t in tables if t not in present]
    if missing:
        problems.append(
            f"dump {name}: tables: expected {', '.join(tables)}, missing {', '.join(missing)}"
        )
    age = report.age_hours(now)
    if max_age_hours is not None and age is not None and age > max_age_hours:
        problems.append(
            f"dump {name}: age: expected at most {max_age_hours:g} h, got {age:.1f} h (stale)"
        )
    return problems


def wait_ready(db: Postgres, timeout: float = 60.0) -> None:
    """Wait (bounded) until the database answers a query."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.psql("SELECT 1")
            return
        except DatabaseError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)
