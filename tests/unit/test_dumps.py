"""Backups judged by their bytes, on real pg_dump output (tests/unit/data/dumps/README.md)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from readiness.parsers import dumps

DATA = Path(__file__).parent / "data" / "dumps"
TAKEN_PG15 = dt.datetime(2026, 11, 27, 17, 15, 53, tzinfo=dt.UTC)
TAKEN_PG17 = dt.datetime(2026, 11, 27, 17, 15, 54, tzinfo=dt.UTC)
PG15 = "15.18 (Debian 15.18-0+deb12u1)"
PG17 = "17.12 (Debian 17.12-0+deb13u1)"
MTIME = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def copy(name: str, tmp_path: Path) -> Path:
    """A sample copied to ``tmp_path`` with a fresh mtime (as after a git clone)."""
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    return target


@pytest.mark.parametrize(
    ("name", "kind", "version", "producer", "compression", "taken"),
    [
        ("shop-pg15.custom", "custom", "1.14", PG15, "gzip", TAKEN_PG15),
        ("shop-pg15.tar", "tar", "1.14", PG15, "none", TAKEN_PG15),
        ("shop-pg17.custom", "custom", "1.16", PG17, "gzip", TAKEN_PG17),
    ],
)
def test_archive_headers_of_real_dumps(
    name: str, kind: str, version: str, producer: str, compression: str, taken: dt.datetime
) -> None:
    info = dumps.inspect_dump(DATA / name, MTIME)
    assert (info.kind, info.archive_version, info.pg_dump_version) == (kind, version, producer)
    assert (info.server_version, info.database, info.compression) == (PG15, "shop", compression)
    assert (info.taken_at, info.taken_at_source) == (taken, "archive header")
    assert info.ok


def test_recent_mtime_does_not_make_an_old_custom_dump_new(tmp_path: Path) -> None:
    """The issue's miss: a fresh clone gives old dumps a new mtime; the header keeps the date."""
    path = copy("shop-pg15.custom", tmp_path)
    data = bytearray(path.read_bytes())
    year_at = data.index(bytes([0, 126, 0, 0, 0]))  # tm_year = 126 (2026), after sec..mon
    data[year_at : year_at + 5] = bytes([0, 119, 0, 0, 0])  # 2019
    path.write_bytes(bytes(data))
    now = time.time()
    os.utime(path, (now, now))
    info = dumps.inspect_dump(path, dt.datetime.fromtimestamp(now, dt.UTC))
    assert info.taken_at == TAKEN_PG15.replace(year=2019)
    assert info.taken_at_source == "archive header"
    age = info.age(dt.datetime.fromtimestamp(now, dt.UTC))
    assert age is not None
    assert age.days > 365


def test_directory_format_reads_toc_dat(tmp_path: Path) -> None:
    folder = tmp_path / "dump.d"
    folder.mkdir()
    shutil.copyfile(DATA / "shop-pg15.custom", folder / "toc.dat")
    data = bytearray((folder / "toc.dat").read_bytes())
    data[10] = 5  # format byte: directory (-Fd writes the same header into toc.dat)
    (folder / "toc.dat").write_bytes(bytes(data))
    info = dumps.inspect_dump(folder)
    assert (info.kind, info.archive_version, info.ok) == ("directory", "1.14", True)


def test_plain_dump_without_verbose_has_no_date_but_the_caller_mtime(tmp_path: Path) -> None:
    info = dumps.inspect_dump(copy("shop-pg15.sql", tmp_path), MTIME)
    assert (info.kind, info.complete, info.ok) == ("plain", True, True)
    assert (info.server_version, info.pg_dump_version) == (PG15, PG15)
    assert (info.taken_at, info.taken_at_source) == (MTIME, "file mtime")
    assert dumps.inspect_dump(DATA / "shop-pg15.sql").taken_at is None


@pytest.mark.parametrize(
    ("name", "producer", "taken"),
    [("shop-pg15-verbose.sql", PG15, TAKEN_PG15), ("shop-pg17-verbose.sql", PG17, TAKEN_PG17)],
)
def test_verbose_plain_dump_is_dated_by_its_text(
    name: str, producer: str, taken: dt.datetime
) -> None:
    info = dumps.inspect_dump(DATA / name, MTIME)
    assert (info.taken_at, info.taken_at_source, info.pg_dump_version) == (
        taken,
        "dump text",
        producer,
    )
    assert info.ok


def test_truncated_plain_dump_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cut.sql"
    text = (DATA / "shop-pg15-verbose.sql").read_text()
    path.write_text(text[: text.index("-- PostgreSQL database dump complete")])
    info = dumps.inspect_dump(path)
    assert (info.kind, info.complete, info.taken_at) == ("plain", False, TAKEN_PG15)
    (problem,) = info.problems
    assert "truncated" in problem
    assert "pg_dump -Fc" in problem


def test_gzip_plain_dump_and_a_cut_gzip_stream(tmp_path: Path) -> None:
    info = dumps.inspect_dump(DATA / "shop-pg15.sql.gz")
    assert (info.kind, info.compression, info.complete, info.ok) == (
        "plain-gzip",
        "gzip",
        True,
        True,
    )
    cut = tmp_path / "cut.sql.gz"
    cut.write_bytes((DATA / "shop-pg15.sql.gz").read_bytes()[:-40])
    broken = dumps.inspect_dump(cut)
    assert broken.kind == "plain-gzip"
    assert any("gzip stream is cut short" in p for p in broken.problems)


def test_utf16_dump_gets_its_own_message() -> None:
    info = dumps.inspect_dump(DATA / "shop-pg15-utf16le-bom.sql")
    assert (info.kind, info.complete, info.pg_dump_version) == ("utf16-bom", True, PG15)
    assert info.problems == (
        "the dump is UTF-16 with a byte-order mark (PowerShell `>` redirection); psql cannot"
        " restore it: write it with `pg_dump -f FILE` or `-Fc`, or convert it with"
        " `iconv -f UTF-16 -t UTF-8`",
    )


def test_utf16_big_endian_and_utf8_bom(tmp_path: Path) -> None:
    text = (DATA / "shop-pg15.sql").read_text()
    big = tmp_path / "be.sql"
    big.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    assert dumps.inspect_dump(big).kind == "utf16-bom"
    assert dumps.inspect_dump(big).complete
    bom8 = tmp_path / "bom8.sql"
    bom8.write_bytes(b"\xef\xbb\xbf" + text.encode())
    info = dumps.inspect_dump(bom8)
    assert (info.kind, info.complete) == ("utf8-bom", True)
    assert "UTF-8 byte-order mark" in info.problems[0]


def test_empty_unknown_and_broken_header(tmp_path: Path) -> None:
    empty = tmp_path / "empty.dump"
    empty.write_bytes(b"")
    assert dumps.inspect_dump(empty).kind == "empty"
    assert "empty" in dumps.inspect_dump(empty).problems[0]
    junk = tmp_path / "junk.dump"
    junk.write_text("SELECT 1;\n")
    assert dumps.inspect_dump(junk).kind == "unknown"
    cut = tmp_path / "cut.dump"
    cut.write_bytes((DATA / "shop-pg15.custom").read_bytes()[:20])
    info = dumps.inspect_dump(cut)
    assert info.kind == "custom"
    assert "header is unreadable (the header is cut short)" in info.problems[0]


def test_plain_text_timestamps_with_offsets(tmp_path: Path) -> None:
    text = (DATA / "shop-pg15-verbose.sql").read_text()
    path = tmp_path / "offset.sql"
    path.write_text(text.replace("17:15:53 UTC", "18:15:53 +0100", 1))
    info = dumps.inspect_dump(path)
    assert info.taken_at == TAKEN_PG15
    assert info.taken_at is not None
    assert info.taken_at.utcoffset() == dt.timedelta(hours=1)


def test_which_pg_restore_reads_which_archive() -> None:
    host15 = "pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
    assert dumps.pg_tool_version(host15) == (15, 18)
    assert dumps.restore_tool_reads("1.14", host15).can_read
    refused = dumps.restore_tool_reads("1.16", host15)  # seen for real: "unsupported version"
    assert not refused.can_read
    assert "pg_dump 17 or newer" in refused.reason
    assert dumps.restore_tool_reads("1.16", "pg_restore (PostgreSQL) 17.12").can_read
    assert not dumps.restore_tool_reads("1.15", "pg_restore (PostgreSQL) 15.1").can_read
    assert not dumps.restore_tool_reads("1.17", "pg_restore (PostgreSQL) 17.12").can_read
    assert dumps.restore_tool_reads("1.12", "pg_restore (PostgreSQL) 9.6.24").can_read
    assert not dumps.restore_tool_reads("1.14", "no version here").can_read


def test_plain_dump_tables_from_create_and_copy_not_from_data() -> None:
    """A plain dump's tables come from its CREATE TABLE and COPY statements, never from data."""
    lines = iter(
        [
            b"CREATE TABLE public.account (\n",
            b"    id integer NOT NULL\n",
            b");\n",
            b'COPY public."Payment" (id, memo) FROM stdin;\n',
            b"1\tCOPY public.ghost (id) FROM stdin;\n",
            b"2\tCREATE TABLE public.phantom (id int);\n",
            b"\\.\n",
            b"INSERT INTO public.audit (id) VALUES (1);\n",
        ]
    )
    assert dumps.plain_tables(lines) == ("public.Payment", "public.account", "public.audit")


def test_plain_dump_tables_of_a_real_dump() -> None:
    """The real pg_dump 15 plain sample names the tables it fills."""
    tables = dumps.plain_tables(dumps.plain_lines(DATA / "shop-pg15.sql", "plain"))
    gz = dumps.plain_tables(dumps.plain_lines(DATA / "shop-pg15.sql.gz", "plain-gzip"))
    assert tables == gz
    assert tables == ("public.customer", "public.orders")


def test_for_scratch_drops_ownership_outside_copy_data_only() -> None:
    """Restoring into a scratch database leaves out OWNER TO statements (pg_restore
    --no-owner), but keeps a data row that happens to read like one."""
    lines = [
        b"ALTER TABLE public.account OWNER TO ledger;\n",
        b"COPY public.payment (id, memo) FROM stdin;\n",
        b"1\tALTER TABLE public.payment OWNER TO nobody;\n",
        b"\\.\n",
        b"ALTER SEQUENCE public.payment_id_seq OWNER TO ledger;\n",
        b"SELECT 1;\n",
    ]
    kept = list(dumps.for_scratch(iter(lines), "x.sql"))
    assert kept == [lines[1], lines[2], lines[3], lines[5]]


@pytest.mark.parametrize(
    "line", [b"\\connect ledger\n", b"\\c ledger\n", b"CREATE DATABASE ledger WITH ...;\n"]
)
def test_for_scratch_refuses_a_dump_that_switches_database(line: bytes) -> None:
    """A plain dump made with --create (or pg_dumpall) would restore into the database it
    names: refused with the reason and the fix."""
    with pytest.raises(dumps.PlainDumpError, match="without --create"):
        list(dumps.for_scratch(iter([b"SET x = 1;\n", line]), "x.sql"))
