"""Pure logic of the rollback runbook: dump headers, dump problems, fingerprints, release tags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from readiness.backends.pg_container import (
    DumpReport,
    dump_content_problems,
    name_time,
    parse_listing,
)
from readiness.operations.backup import backup_name, latest_backup
from readiness.operations.fingerprint import Fingerprint, TableFacts, differences
from readiness.operations.release import pick_previous, version_key

LISTING = """;
; Archive created at 2026-11-27 11:04:27 UTC
;     dbname: hypercode
;     TOC Entries: 23
;     Format: CUSTOM
;
216; 1259 16393 TABLE public projects hypercode
3360; 0 16393 TABLE DATA public projects hypercode
3359; 0 16384 TABLE DATA public schema_migrations hypercode
3362; 0 16404 TABLE DATA public tasks hypercode
"""
NOW = dt.datetime(2026, 11, 27, 12, 4, 27, tzinfo=dt.UTC)


def test_parse_listing_reads_database_time_and_tables() -> None:
    header = parse_listing(LISTING)
    assert header.dbname == "hypercode"
    assert header.created == dt.datetime(2026, 11, 27, 11, 4, 27, tzinfo=dt.UTC)
    assert header.tables == ("public.projects", "public.schema_migrations", "public.tasks")


def _report(dbname: str = "hypercode", hours_old: float = 1.0) -> DumpReport:
    return DumpReport(
        Path("backup_20261127_110427.dump"),
        size=100,
        dbname=dbname,
        created=NOW - dt.timedelta(hours=hours_old),
        tables=("public.projects", "public.tasks"),
    )


def test_bak04_logic_valid_dump_has_no_problems() -> None:
    assert dump_content_problems(_report(), "hypercode", ["projects", "tasks"], 24, NOW) == []


def test_bak04_logic_wrong_database_is_named() -> None:
    problems = dump_content_problems(_report(dbname="postgres"), "hypercode", [], 24, NOW)
    assert problems == [
        "dump backup_20261127_110427.dump: database: expected hypercode, got postgres"
    ]


def test_bak04_logic_stale_dump_is_named() -> None:
    problems = dump_content_problems(_report(hours_old=30), "hypercode", [], 24, NOW)
    assert problems == [
        "dump backup_20261127_110427.dump: age: expected at most 24 h, got 30.0 h (stale)"
    ]


def test_bak04_logic_missing_table_is_named() -> None:
    problems = dump_content_problems(_report(), "hypercode", ["projects", "users"], None, NOW)
    assert problems == [
        "dump backup_20261127_110427.dump: tables: expected projects, users, missing users"
    ]


def test_backup_names_sort_by_time_and_parse_back() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert backup_name(when) == "backup_20260102_030405.dump"
    assert name_time(Path(backup_name(when))) == when
    assert name_time(Path("other.dump")) is None


def test_latest_backup_ignores_safety_backups(tmp_path: Path) -> None:
    for name in (
        "backup_20260101_000000.dump",
        "backup_20260102_000000.dump",
        "pre-restore_20260103_000000.dump",
    ):
        (tmp_path / name).write_bytes(b"PGDMP")
    assert latest_backup(tmp_path) == tmp_path / "backup_20260102_000000.dump"
    assert latest_backup(tmp_path / "missing") is None


def _fp(rows: int = 3, checksum: str = "a", seq: int = 3) -> Fingerprint:
    return Fingerprint(
        schema={"column public.projects.id integer"},
        tables={"public.projects": TableFacts(rows, checksum)},
        sequences={"public.projects_id_seq": seq},
        owned_max={"public.projects_id_seq": rows},
    )


def test_rbk01_logic_identical_fingerprints_have_no_differences() -> None:
    assert differences(_fp(), _fp()) == []


def test_rbk01_logic_row_count_and_checksum_differences() -> None:
    assert differences(_fp(), _fp(rows=2, seq=3)) == [
        "table public.projects: row count: expected 3, got 2"
    ]
    assert differences(_fp(), _fp(checksum="b")) == [
        "table public.projects: content checksum: expected a, got b"
    ]


def test_rbk01_logic_sequence_behind_is_named() -> None:
    assert differences(_fp(seq=5), _fp(seq=3)) == [
        "sequence public.projects_id_seq: position: expected at least 5, got 3"
    ]


def test_rbk01_logic_schema_difference_is_named() -> None:
    restored = _fp()
    restored.schema = set()
    assert differences(_fp(), restored) == [
        "schema: column public.projects.id integer: expected present, got missing"
    ]


def test_rbk03_logic_previous_release_is_highest_common_lower_tag() -> None:
    tags = {"a": ["2.0.0", "1.9.0", "1.8.0", "latest"], "b": ["2.0.0", "1.8.0", "1.9.0"]}
    assert pick_previous(tags, "2.0.0") == "1.9.0"
    assert pick_previous({"a": ["2.0.0", "1.9.0"], "b": ["2.0.0"]}, "2.0.0") is None
    assert pick_previous(tags, "latest") is None
    assert (version_key("1.10.0") or ()) > (version_key("1.9.0") or ())
