"""Judge a PostgreSQL backup file by its contents: format, when it was taken, whether it is whole.

The file's mtime says when it was copied, not when it was dumped (a fresh clone makes old dumps
look new), so the date comes from the custom/tar archive header or from the plain dump's text;
the caller may pass the mtime as a last resort. Header layout: PostgreSQL's
src/bin/pg_dump/pg_backup_archiver.c (WriteHead/ReadHead).
"""

from __future__ import annotations

import collections
import gzip
import io
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

DumpKind = Literal[
    "custom", "tar", "directory", "plain", "plain-gzip", "utf16-bom", "utf8-bom", "empty", "unknown"
]
TakenAtSource = Literal["archive header", "dump text", "file mtime"]

MAGIC = b"PGDMP"
FORMATS = {1: "custom", 3: "tar", 5: "directory"}
COMPRESSION = {0: "none", 1: "gzip", 2: "lz4", 3: "zstd"}
NEWEST_KNOWN = (1, 16)
ARCHIVE_WRITTEN_SINCE: dict[tuple[int, int], int] = {
    (1, 12): 9,  # 9.0: separate BLOB entries
    (1, 13): 11,  # search_path change; also in the 2018 minor releases 9.3.22 .. 10.3
    (1, 14): 12,  # table access methods
    (1, 15): 16,  # compression algorithm byte in the header
    (1, 16): 17,  # BLOB METADATA entries
}
"""Archive version -> first PostgreSQL major whose pg_dump writes it (and pg_restore reads it).
Checked: 15 writes 1.14, 17 writes 1.16, pg_restore 15 refuses 1.16 (tests/unit/data/dumps)."""

_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 64 * 1024
_FIX_REDUMP = "take a new backup with `pg_dump -Fc -f FILE`"
_HEADER = re.compile(r"\A--\n-- PostgreSQL database (cluster )?dump\n")
_TRAILER = re.compile(r"^-- PostgreSQL database (cluster )?dump complete$", re.M)
_FROM = re.compile(r"^-- Dumped from database version (.+)$", re.M)
_BY = re.compile(r"^-- Dumped by pg_dump(?:all)? version (.+)$", re.M)
_STARTED = re.compile(r"^-- Started on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: (\S.*))?$", re.M)
_COMPLETED = re.compile(r"^-- Completed on (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?: (\S.*))?$", re.M)
_CONNECT = re.compile(r"^\\connect (?:-reuse-previous=on )?\"?([^\s\"]+)\"?", re.M)


@dataclass(frozen=True)
class ArchiveHeader:
    """The header pg_dump writes at the start of a custom/tar/directory archive."""

    version: tuple[int, int, int]
    int_size: int
    off_size: int
    format: str
    compression: str
    created: datetime | None
    database: str | None
    server_version: str | None
    pg_dump_version: str | None

    @property
    def version_text(self) -> str:
        """``1.14`` (the revision is shown only when not 0)."""
        major, minor, rev = self.version
        return f"{major}.{minor}" + (f".{rev}" if rev else "")


@dataclass(frozen=True)
class DumpInfo:
    """What a backup file is, when it was taken, what made it, and what is wrong with it."""

    path: Path
    kind: DumpKind
    size: int
    taken_at: datetime | None = None
    taken_at_source: TakenAtSource | None = None
    archive_version: str | None = None
    server_version: str | None = None
    pg_dump_version: str | None = None
    database: str | None = None
    compression: str | None = None
    complete: bool | None = None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the file is a pg_dump output with nothing wrong found."""
        return not self.problems

    def age(self, now: datetime) -> timedelta | None:
        """How long before ``now`` (timezone-aware) the dump was taken."""
        return None if self.taken_at is None else now - self.taken_at


class ArchiveError(ValueError):
    """The bytes after ``PGDMP`` are not a header pg_restore would read."""


def inspect_dump(path: Path, mtime_fallback: datetime | None = None) -> DumpInfo:
    """What ``path`` holds, judged by its bytes; ``mtime_fallback`` dates it when they cannot.

    Dates are timezone-aware. The archive header stores pg_dump's local time without a zone; it
    is read as UTC (the postgres images run in UTC). A plain dump's ``-- Started on`` is read
    with its zone when that is UTC/GMT or a numeric offset, otherwise as UTC too.
    """
    if path.is_dir():
        info = _directory(path)
    else:
        with path.open("rb") as stream:
            head = stream.read(_HEAD_BYTES)
        info = _by_content(path, head)
    if info.taken_at is None and mtime_fallback is not None:
        return replace(info, taken_at=mtime_fallback, taken_at_source="file mtime")
    return info


def _by_content(path: Path, head: bytes) -> DumpInfo:
    size = path.stat().st_size
    if not head:
        return DumpInfo(path, "empty", 0, problems=(f"the file is empty: {_FIX_REDUMP}",))
    if head.startswith(MAGIC):
        return _archive(path, "custom", size, head)
    if _is_tar(head):
        return _tar(path, size)
    if head.startswith(b"\x1f\x8b"):
        return _plain(path, "plain-gzip", size, _gzip_text(path))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _plain(path, "utf16-bom", size, _utf16_text(path, head))
    if head.startswith(b"\xef\xbb\xbf"):
        return _plain(path, "utf8-bom", size, _text(path, 3, "utf-8"))
    text_head = head.decode("utf-8", "replace").replace("\r\n", "\n")
    if _HEADER.match(text_head):
        return _plain(path, "plain", size, _text(path, 0, "utf-8"))
    return DumpInfo(
        path,
        "unknown",
        size,
        problems=(
            "not a pg_dump output (no PGDMP archive header, no tar, no"
            f" `-- PostgreSQL database dump` header): {_FIX_REDUMP}",
        ),
    )


def read_archive_header(data: bytes) -> ArchiveHeader:
    """Parse the archive header at the start of ``data`` (ReadHead in pg_backup_archiver.c)."""
    reader = _Bytes(data)
    if reader.take(5) != MAGIC:
        raise ArchiveError("no PGDMP magic")
    vmaj, vmin = reader.byte(), reader.byte()
    vrev = reader.byte() if vmaj > 1 or (vmaj == 1 and vmin > 0) else 0
    version = (vmaj, vmin, vrev)
    int_size = reader.byte()
    if not 1 <= int_size <= 32:
        raise ArchiveError(f"integer size {int_size} fails the sanity check")
    reader.int_size = int_size
    off_size = reader.byte() if version >= (1, 7, 0) else int_size
    fmt = reader.byte()
    if version >= (1, 15, 0):
        compression = COMPRESSION.get(reader.byte(), "unknown")
    elif version >= (1, 4, 0):
        compression = "none" if reader.int() == 0 else "gzip"
    elif version >= (1, 2, 0):
        compression = "none" if reader.byte() == 0 else "gzip"
    else:
        compression = "gzip"
    created = database = server = producer = None
    if version >= (1, 4, 0):
        sec, minute, hour, mday, mon, year, _isdst = (reader.int() for _ in range(7))
        try:
            created = datetime(year + 1900, mon + 1, mday, hour, minute, sec, tzinfo=UTC)
        except ValueError as exc:
            raise ArchiveError(f"creation date is not a date ({exc})") from exc
        database = reader.string()
    if version >= (1, 10, 0):
        server, producer = reader.string(), reader.string()
    return ArchiveHeader(
        version,
        int_size,
        off_size,
        FORMATS.get(fmt, f"format {fmt}"),
        compression,
        created,
        database,
        server,
        producer,
    )


class _Bytes:
    """A cursor over the header bytes with pg_dump's integer and string encodings."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        self.int_size = 4

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise ArchiveError("the header is cut short")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def int(self) -> int:
        """A sign byte, then ``int_size`` bytes little-endian (WriteInt)."""
        negative = self.byte() != 0
        value = int.from_bytes(self.take(self.int_size), "little")
        return -value if negative else value

    def string(self) -> str | None:
        """A length (-1 for NULL), then that many bytes (WriteStr)."""
        length = self.int()
        if length < 0:
            return None
        return self.take(length).decode("utf-8", "replace")


def _archive(path: Path, kind: DumpKind, size: int, head: bytes) -> DumpInfo:
    try:
        header = read_archive_header(head)
    except ArchiveError as exc:
        return DumpInfo(
            path, kind, size, problems=(f"the archive header is unreadable ({exc}): {_FIX_REDUMP}",)
        )
    problems = []
    if header.version[:2] > NEWEST_KNOWN:
        problems.append(
            f"archive version {header.version_text} is newer than this suite knows"
            f" ({NEWEST_KNOWN[0]}.{NEWEST_KNOWN[1]}): check it with a matching pg_restore --list"
        )
    if header.format != kind:
        problems.append(f"the header says {header.format} format inside a {kind} file")
    return DumpInfo(
        path,
        kind,
        size,
        taken_at=header.created,
        taken_at_source="archive header" if header.created else None,
        archive_version=header.version_text,
        server_version=header.server_version,
        pg_dump_version=header.pg_dump_version,
        database=header.database,
        compression=header.compression,
        problems=tuple(problems),
    )


def _is_tar(head: bytes) -> bool:
    return len(head) >= 512 and head[257:262] == b"ustar"


def _tar(path: Path, size: int) -> DumpInfo:
    """A tar archive from ``pg_dump -Ft``: its ``toc.dat`` member holds the archive header."""
    try:
        with tarfile.open(path, "r:") as archive:
            member = archive.extractfile("toc.dat")
            head = member.read(_HEAD_BYTES) if member else b""
    except (tarfile.TarError, KeyError, OSError):
        head = b""
    if not head.startswith(MAGIC):
        return DumpInfo(
            path,
            "unknown",
            size,
            problems=(f"a tar file without a pg_dump toc.dat: {_FIX_REDUMP}",),
        )
    return _archive(path, "tar", size, head)


def _directory(path: Path) -> DumpInfo:
    """A directory from ``pg_dump -Fd``: ``toc.dat`` (or ``toc.dat.gz``) holds the header."""
    toc = path / "toc.dat"
    size = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    if not toc.is_file():
        return DumpInfo(
            path, "unknown", size, problems=(f"a directory without toc.dat: {_FIX_REDUMP}",)
        )
    with toc.open("rb") as stream:
        return _archive(path, "directory", size, stream.read(_HEAD_BYTES))


def _gzip_text(path: Path) -> _Text:
    """Head and tail of a gzip-compressed text, streamed; a cut stream is noted."""
    head = b""
    tail: collections.deque[bytes] = collections.deque()
    kept = 0
    problem = None
    try:
        with gzip.open(path, "rb") as stream:
            for chunk in _chunks(stream):
                if len(head) < _HEAD_BYTES:
                    head += chunk[: _HEAD_BYTES - len(head)]
                tail.append(chunk)
                kept += len(chunk)
                while kept - len(tail[0]) >= _TAIL_BYTES:
                    kept -= len(tail.popleft())
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        problem = f"the gzip stream is cut short or corrupt ({exc})"
    return _Text(_decode(head, "utf-8"), _decode(b"".join(tail)[-_TAIL_BYTES:], "utf-8"), problem)


def _chunks(stream: io.BufferedIOBase) -> Iterator[bytes]:
    while chunk := stream.read(1024 * 1024):
        yield chunk


def _text(path: Path, skip: int, encoding: str) -> _Text:
    size = path.stat().st_size
    with path.open("rb") as stream:
        stream.seek(skip)
        head = stream.read(_HEAD_BYTES)
        stream.seek(max(skip, size - _TAIL_BYTES))
        tail = stream.read()
    return _Text(_decode(head, encoding), _decode(tail, encoding))


def _utf16_text(path: Path, head: bytes) -> _Text:
    encoding = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
    size = path.stat().st_size
    start = max(2, size - _TAIL_BYTES)
    start -= start % 2  # stay on a code-unit boundary (the BOM is 2 bytes)
    with path.open("rb") as stream:
        first = stream.read(_HEAD_BYTES)[2:]
        stream.seek(start)
        tail = stream.read()
    return _Text(_decode(first, encoding), _decode(tail, encoding))


def _decode(data: bytes, encoding: str) -> str:
    return data.decode(encoding, "replace").replace("\r\n", "\n")


@dataclass(frozen=True)
class _Text:
    head: str
    tail: str
    problem: str | None = None


def _plain(path: Path, kind: DumpKind, size: int, text: _Text) -> DumpInfo:
    """A plain SQL dump: header, versions, dates and the closing line."""
    problems = []
    if kind == "utf16-bom":
        problems.append(
            "the dump is UTF-16 with a byte-order mark (PowerShell `>` redirection); psql cannot"
            " restore it: write it with `pg_dump -f FILE` or `-Fc`, or convert it with"
            " `iconv -f UTF-16 -t UTF-8`"
        )
    elif kind == "utf8-bom":
        problems.append(
            "the dump starts with a UTF-8 byte-order mark; psql reads it as part of the first"
            " statement: write it with `pg_dump -f FILE`, or strip the first 3 bytes"
        )
    if text.problem:
        problems.append(f"{text.problem}: {_FIX_REDUMP}")
    header = _HEADER.match(text.head)
    if not header:
        problems.append(
            f"no `-- PostgreSQL database dump` header: not a pg_dump output; {_FIX_REDUMP}"
        )
    complete = bool(_TRAILER.search(text.tail))
    if header and not complete and not text.problem:
        problems.append(
            "the dump has no `-- PostgreSQL database dump complete` line: it is truncated"
            f" (pg_dump was interrupted or the disk filled); {_FIX_REDUMP}"
        )
    started = _timestamp(_STARTED.search(text.head))
    database = _CONNECT.search(text.head)
    return DumpInfo(
        path,
        kind,
        size,
        taken_at=started,
        taken_at_source="dump text" if started else None,
        server_version=_group(_FROM.search(text.head)),
        pg_dump_version=_group(_BY.search(text.head)),
        database=database.group(1) if database else None,
        compression="gzip" if kind == "plain-gzip" else None,
        complete=complete,
        problems=tuple(problems),
    )


def _group(match: re.Match[str] | None) -> str | None:
    return match.group(1).strip() if match else None


def _timestamp(match: re.Match[str] | None) -> datetime | None:
    """``2026-11-27 17:15:53 UTC`` -> aware datetime (unknown zone names read as UTC)."""
    if not match:
        return None
    moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    zone = (match.group(2) or "").strip()
    offset = re.fullmatch(r"([+-])(\d\d):?(\d\d)", zone)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3)))
        return moment.replace(tzinfo=timezone(sign * delta))
    return moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RestoreToolVerdict:
    """Whether a pg_restore can read an archive, and the one-line reason."""

    can_read: bool
    reason: str


def pg_tool_version(version_output: str) -> tuple[int, ...] | None:
    """``pg_restore (PostgreSQL) 15.18 (Debian ...)`` -> ``(15, 18)``; None if no version."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+(?:\.\d+)*)", version_output)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def restore_tool_reads(archive_version: str, pg_restore_version: str) -> RestoreToolVerdict:
    """Can the pg_restore whose ``--version`` output is given read archive ``1.N``?

    pg_restore of major M reads every archive version up to the one M's pg_dump writes. The
    2018 minor releases that back-ported 1.13 (9.3.22 .. 10.3) are judged by their major: "no".
    """
    tool = pg_tool_version(pg_restore_version)
    parts = tuple(int(p) for p in re.findall(r"\d+", archive_version)[:2])
    if tool is None or len(parts) != 2:
        return RestoreToolVerdict(False, f"cannot tell: unreadable version {pg_restore_version!r}")
    archive = (parts[0], parts[1])
    major = tool[0]  # 9.x counts as 9: the table's only 9.x entry is 9.0
    needed = ARCHIVE_WRITTEN_SINCE.get(archive)
    if needed is None:
        if archive < min(ARCHIVE_WRITTEN_SINCE):
            return RestoreToolVerdict(True, f"archive {archive_version} is older than 9.0's")
        return RestoreToolVerdict(
            False,
            f"archive {archive_version} is newer than this suite knows: use the pg_restore of"
            " the PostgreSQL that wrote it",
        )
    if major >= needed:
        return RestoreToolVerdict(
            True, f"pg_restore {_dotted(tool)} reads archive {archive_version}"
        )
    return RestoreToolVerdict(
        False,
        f"pg_restore {_dotted(tool)} cannot read archive {archive_version} (written by pg_dump"
        f" {needed} or newer): use pg_restore {needed}+ (e.g. from the database image)",
    )


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


# --- plain SQL dumps: what they hold and how they restore into a scratch database -----------

PLAIN_KINDS = ("plain", "plain-gzip")
"""Plain-SQL dumps that psql restores (UTF-16 and BOM dumps are not restorable as they are)."""

_COPY_START = re.compile(rb"^COPY (\S+) .*FROM stdin;\s*$")
_COPY_END = b"\\."
_INSERT_INTO = re.compile(rb"^INSERT INTO (\S+?)[\s(]")
_CREATE_TABLE = re.compile(rb"^CREATE (?:UNLOGGED |FOREIGN )?TABLE (?:IF NOT EXISTS )?(\S+) ")
_OWNER_TO = re.compile(rb"^ALTER [A-Z ]+ .+ OWNER TO .+;\s*$")
_SWITCHES_DATABASE = re.compile(rb"^(?:\\c(?:onnect)?\s|(?:CREATE|DROP) DATABASE\s)")


class PlainDumpError(ValueError):
    """A plain dump that cannot be restored into a database of our choosing; says why."""


def plain_lines(path: Path, kind: str) -> Iterator[bytes]:
    """The lines of a plain (or gzip-compressed plain) dump, as bytes with their newline."""
    opener = gzip.open if kind == "plain-gzip" else open
    with opener(path, "rb") as stream:
        yield from stream


def _table_name(raw: bytes) -> str:
    return raw.decode("utf-8", "replace").replace('"', "")


def plain_tables(lines: Iterator[bytes]) -> tuple[str, ...]:
    """Every table a plain dump creates or fills (``schema.name``), sorted.

    Lines inside ``COPY ... FROM stdin`` data are data, never statements.
    """
    tables: set[str] = set()
    in_copy = False
    for line in lines:
        if in_copy:
            in_copy = line.rstrip(b"\r\n") != _COPY_END
            continue
        if match := _COPY_START.match(line):
            tables.add(_table_name(match.group(1)))
            in_copy = True
        elif match := _INSERT_INTO.match(line) or _CREATE_TABLE.match(line):
            tables.add(_table_name(match.group(1)))
    return tuple(sorted(tables))


def for_scratch(lines: Iterator[bytes], name: str) -> Iterator[bytes]:
    """A plain dump's lines as psql must read them to restore into a scratch database.

    Ownership statements are left out (as ``pg_restore --no-owner`` does: the restoring user
    owns what it creates). A dump that switches database (``pg_dump -C``, ``pg_dumpall``) raises
    PlainDumpError: it would restore into the database it names, not into the scratch one.
    """
    in_copy = False
    for line in lines:
        if in_copy:
            in_copy = line.rstrip(b"\r\n") != _COPY_END
            yield line
            continue
        if _SWITCHES_DATABASE.match(line):
            statement = line.decode("utf-8", "replace").strip()[:80]
            raise PlainDumpError(
                f"dump {name} switches database ({statement!r}: written with `pg_dump -C` or"
                " pg_dumpall): it would restore into that database, not the one chosen; write"
                " the backup without --create"
            )
        if _OWNER_TO.match(line):
            continue
        in_copy = bool(_COPY_START.match(line))
        yield line
