"""Planted faults for the rollback suite: BAK-04, RBK-01, RBK-02, RBK-03 each fail when they should.

Every test runs the checklist (``-m rollback``) as an operator would against the live test
instance, with the fault planted in a dump file, a backup directory or a manifest copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.operations.backup import take_backup
from readiness.operations.target import Settings, settings_from
from tests.conftest import LIVE_ENV_FILE, live_args
from tests.harness import MANIFEST, ROOT, Run, assert_only_new_failure, run_runbook, run_suite
from tests.preflight_support import manifest_copy

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def settings(live_stack_up: str) -> Settings:
    """The runbook's view of the live test instance (backups kept out of the repository)."""
    return settings_from(MANIFEST, live_stack_up, Path(LIVE_ENV_FILE))


@pytest.fixture(scope="module")
def good_dump(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid dump of the live database, taken with the backup runbook."""
    taken = take_backup(settings, directory=tmp_path_factory.mktemp("dumps"))
    assert taken.report.ok, taken.report.problems
    return taken.path


@pytest.fixture(scope="module")
def rollback_baseline(live_stack_up: str, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The non-disruptive rollback checks on the healthy live instance."""
    tmp = tmp_path_factory.mktemp("rollback-baseline")
    backups = tmp / "backups"
    backups.mkdir()
    run = run_suite(tmp, "-m", "rollback", *live_args(live_stack_up), f"--backup-dir={backups}")
    assert run.outcomes("BAK-04") == {"-": "passed"}, run.output[-3000:]
    assert run.outcomes("RBK-01") == {"-": "passed"}, run.output[-3000:]
    return run


def _rollback(tmp_path: Path, project: str, *args: str) -> Run:
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    return run_suite(
        tmp_path, "-m", "rollback", *live_args(project), f"--backup-dir={backups}", *args
    )


def _bak04_fault(rollback_baseline: Run, run: Run) -> str:
    message = assert_only_new_failure(rollback_baseline, run, "BAK-04", "-")
    assert run.verdict == "NOT READY"
    assert run.outcomes("RBK-01") == {"-": "skipped"}, "RBK-01 must not cascade on a bad dump"
    return message


def test_bak04_truncated_dump_fails(
    rollback_baseline: Run, good_dump: Path, tmp_path: Path, live_stack_up: str
) -> None:
    """BAK-04 fails on a truncated dump: the data cannot be read to the end."""
    data = good_dump.read_bytes()
    truncated = tmp_path / "backup_truncated.dump"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    run = _rollback(tmp_path, live_stack_up, f"--backup-file={truncated}")
    message = _bak04_fault(rollback_baseline, run)
    assert "backup_truncated.dump" in message
    assert "end of file" in message


def test_bak04_empty_dump_fails(rollback_baseline: Run, tmp_path: Path, live_stack_up: str) -> None:
    """BAK-04 fails on an empty dump file."""
    empty = tmp_path / "backup_empty.dump"
    empty.write_bytes(b"")
    run = _rollback(tmp_path, live_stack_up, f"--backup-file={empty}")
    message = _bak04_fault(rollback_baseline, run)
    assert "size: expected > 0 bytes, got 0" in message


def stale_copy(dump: Path, target: Path, years: int = 1) -> Path:
    """A copy of a custom-format dump whose header says it was made ``years`` earlier."""
    data = bytearray(dump.read_bytes())
    assert data[:5] == b"PGDMP"
    version = (data[5], data[6])
    compression = 5 if version < (1, 15) else 1  # an int (sign + 4 bytes) before 1.15
    year_offset = 11 + compression + 5 * 5 + 1  # sec, min, hour, mday, mon, then the year
    data[year_offset] -= years
    target.write_bytes(bytes(data))
    return target


def test_bak04_stale_dump_fails(
    rollback_baseline: Run, good_dump: Path, tmp_path: Path, live_stack_up: str
) -> None:
    """BAK-04 fails on a dump older than backup.max_age_hours (age read from the dump header)."""
    stale = stale_copy(good_dump, tmp_path / "backup_stale.dump")
    run = _rollback(tmp_path, live_stack_up, f"--backup-file={stale}")
    message = _bak04_fault(rollback_baseline, run)
    assert re.search(r"age: expected at most 24 h, got \d+\.\d h \(stale\)", message), message


def test_bak04_dump_of_wrong_database_fails(
    rollback_baseline: Run, settings: Settings, tmp_path: Path, live_stack_up: str
) -> None:
    """BAK-04 fails on a valid dump of another database (header dbname is not database.name)."""
    wrong = tmp_path / "backup_wrong.dump"
    settings.db.dump(wrong, "postgres")
    run = _rollback(tmp_path, live_stack_up, f"--backup-file={wrong}")
    message = _bak04_fault(rollback_baseline, run)
    assert "database: expected hypercode, got postgres" in message


def test_bak04_missing_backup_directory_fails(
    rollback_baseline: Run, tmp_path: Path, live_stack_up: str
) -> None:
    """BAK-04 fails when the backup directory does not exist (the check never creates it)."""
    missing = tmp_path / "no-such-dir"
    run = _rollback(tmp_path, live_stack_up, f"--backup-dir={missing}")
    message = _bak04_fault(rollback_baseline, run)
    assert f"backup directory {missing}: exists: expected a directory, got missing" in message
    assert not missing.exists()


@pytest.fixture
def extra_row(settings: Settings) -> Iterator[str]:
    """A project row added to the live database (removed afterwards)."""
    name = "rbk01-fault-row"
    settings.db.psql(f"INSERT INTO projects (name) VALUES ('{name}')")
    try:
        yield name
    finally:
        settings.db.psql(f"DELETE FROM projects WHERE name = '{name}'")


def test_rbk01_dump_not_matching_database_fails(
    rollback_baseline: Run, good_dump: Path, extra_row: str, tmp_path: Path, live_stack_up: str
) -> None:
    """RBK-01 fails, naming table and row counts, when the restored data differs from the source."""
    run = _rollback(tmp_path, live_stack_up, f"--backup-file={good_dump}")
    message = assert_only_new_failure(rollback_baseline, run, "RBK-01", "-")
    assert re.search(r"table public\.projects: row count: expected (\d+), got (\d+)", message)
    assert "differences" in message


def _manifest_copy(tmp_path: Path, old: str, new: str) -> str:
    """``--manifest=`` for a copy of the reference manifest with one text replaced."""
    text = MANIFEST.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    text = text.replace("  project_dir: stack\n", f"  project_dir: {ROOT / 'stack'}\n")
    copy = tmp_path / "readiness.yml"
    copy.write_text(text)
    return f"--manifest={copy}"


def test_rbk02_recovery_slower_than_rto_fails(tmp_path: Path, live_stack_up: str) -> None:
    """RBK-02 (drill) fails when the measured recovery exceeds the manifest's RTO."""
    manifest = _manifest_copy(tmp_path, "  rto_seconds: 300\n", "  rto_seconds: 1\n")
    run = _rollback(tmp_path, live_stack_up, manifest, "--disruptive", "-k", "drill")
    assert run.outcomes("RBK-02") == {"-": "failed"}, run.output[-3000:]
    assert re.search(
        r"recovery time: expected at most 1 s \(RTO\), got \d+\.\d s", run.message("RBK-02")
    )
    assert _stack_healthy(live_stack_up)


def test_rbk03_previous_release_images_missing_fails(tmp_path: Path, live_stack_up: str) -> None:
    """RBK-03 fails, naming the missing images, when the previous release is not tagged."""
    manifest = _manifest_copy(
        tmp_path, "  rpo_hours: 24\n", "  rpo_hours: 24\n  previous_release: 0.0.1\n"
    )
    run = _rollback(tmp_path, live_stack_up, manifest, "--disruptive", "-k", "application")
    assert run.outcomes("RBK-03") == {"-": "failed"}, run.output[-3000:]
    message = run.message("RBK-03")
    assert "release 0.0.1: images: expected present, got missing:" in message
    assert "hypercode/hypercode-core:0.0.1" in message


def test_rbk02_rbk03_shd01_drills_pass_on_reference_stack(
    tmp_path: Path, live_stack_up: str
) -> None:
    """RBK-02, RBK-03 and the shutdown drill SHD-01 pass against the reference stack; the stack
    is healthy afterwards."""
    build = run_runbook(
        "release", live_stack_up, LIVE_ENV_FILE, "build-previous", "--release", "1.9.0"
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    run = _rollback(tmp_path, live_stack_up, "--disruptive")
    assert run.outcomes("RBK-02") == {"-": "passed"}, run.output[-3000:]
    assert run.outcomes("RBK-03") == {"-": "passed"}, run.output[-3000:]
    assert run.outcomes("BAK-04") == {"-": "passed"}
    assert run.outcomes("RBK-01") == {"-": "passed"}
    assert set(run.outcomes("SHD-01").values()) == {"passed"}, run.output[-3000:]
    assert _stack_healthy(live_stack_up)


def _stack_healthy(project: str) -> bool:
    return run_runbook("stack", project, LIVE_ENV_FILE, "status").returncode == 0


def test_rbk01_round_trip_time_is_reported_next_to_raw(rollback_baseline: Run) -> None:
    """RBK-01's restore round-trip time is printed next to a raw pg_dump + pg_restore's."""
    output = rollback_baseline.output
    assert "rollback timings (seconds)" in output, output[-2000:]
    section = output.split("rollback timings (seconds)", 1)[1]
    for label in (
        "restore round trip into a scratch database",
        "raw pg_dump + pg_restore of the same data",
        "backup (runbook, dump + verify)",
    ):
        assert re.search(re.escape(label) + r"\s+\d+\.\d\d", section), section[:800]


def test_bak04_project_backup_command_writing_utf16_fails(
    rollback_baseline: Run, good_dump: Path, tmp_path: Path, live_stack_up: str
) -> None:
    """BAK-04 runs the project's own backup command (backup.command) and judges its dump: a
    script that writes the dump through a UTF-16 redirection fails with that reason."""
    script = tmp_path / "backup_like_powershell.sh"
    script.write_text(
        "#!/bin/sh\n# pg_dump -Fp > file, as PowerShell's `>` writes it: UTF-16 with a BOM\n"
        'printf -- "--\\n-- PostgreSQL database dump\\n--\\n" | iconv -t UTF-16 '
        '> "$BACKUP_DIR/backup_from_script.dump"\n'
    )
    script.chmod(0o755)
    manifest = manifest_copy(tmp_path, backup__command=str(script))
    run = _rollback(
        tmp_path, live_stack_up, f"--manifest={manifest}", f"--project-dir={ROOT / 'stack'}"
    )
    message = _bak04_fault(rollback_baseline, run)
    assert f"`{script}`" in message
    assert "UTF-16 with a byte-order mark" in message
    assert "iconv -f UTF-16 -t UTF-8" in message
