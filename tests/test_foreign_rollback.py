"""The rollback suite on a foreign project's database, with the project's own procedures.

The ledger's backup script writes plain-SQL dumps and its restore script restores them with
psql (tests/foreign/ledger/scripts). Only ledger-db runs, as compose project "ledger", seeded
with accounts and payments; it is removed (with its volume) afterwards. The expected findings
are tests/foreign/ledger/expected-rollback.yml, written before the suite was run.
"""

from __future__ import annotations

import gzip
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness.operations.target import Settings, settings_from
from tests.foreign_support import compare, load_expected, prepare
from tests.harness import Run, run_suite

PROJECT = "ledger"
SEED = r"""
CREATE TABLE account (id serial PRIMARY KEY, owner text NOT NULL, balance numeric(12,2) NOT NULL);
CREATE TABLE payment (id bigserial PRIMARY KEY, account_id int NOT NULL REFERENCES account(id),
                      amount numeric(12,2) NOT NULL, memo text);
INSERT INTO account (owner, balance) VALUES ('ada', 120.50), ('bo', 0), ('cy', 9999.99);
INSERT INTO payment (account_id, amount, memo) VALUES
  (1, 10.00, 'rent'), (1, 2.50, E'tab\tand newline\n'), (2, 7.25, NULL),
  (3, 100.00, 'ALTER TABLE public.payment OWNER TO nobody'), (3, 1.00, '\.');
"""
"""Two tables, a foreign key, sequences, and data that looks like a statement or COPY's end."""

UNFAITHFUL_RESTORE = r"""#!/bin/sh
# A restore that quietly leaves out the payments (as a filtered restore would).
set -eu
psql() {
  docker compose exec -T -u postgres ledger-db psql -X -q -v ON_ERROR_STOP=1 -U ledger \
    -d "${RESTORE_DATABASE:?}" "$@"
}
psql -c 'DROP SCHEMA IF EXISTS public CASCADE' -c 'CREATE SCHEMA public'
sed '/^COPY public.payment /,/^\\\.$/d' "${RESTORE_FILE:?}" | psql -o /dev/null
"""


def _compose(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "-p", PROJECT, "--project-directory", str(project), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A ledger copy whose ledger-db runs (compose project "ledger"), seeded; removed after."""
    project = prepare(PROJECT, tmp_path_factory.mktemp("ledger-rollback"))
    up = _compose(project, "up", "-d", "--wait", "ledger-db")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        settings = settings_from(project / "readiness.yml", PROJECT, project / ".env")
        settings.db.psql(SEED)
        yield project
    finally:
        _compose(project, "down", "-v", "--remove-orphans")


@pytest.fixture(scope="module")
def settings(ledger: Path) -> Settings:
    """The runbook's view of the running ledger."""
    return settings_from(ledger / "readiness.yml", PROJECT, ledger / ".env")


def _manifest(project: Path, name: str, **backup: Any) -> Path:
    """A copy of the ledger's manifest with ``backup`` keys changed (None: removed)."""
    data = yaml.safe_load((project / "readiness.yml").read_text())
    for key, value in backup.items():
        if value is None:
            data["backup"].pop(key, None)
        else:
            data["backup"][key] = value
    path = project / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# The 3.3 application rollback (RBK-03) and the emergency shutdown drill (SHD-01) need the whole
# stack up; these tests bring up only the ledger's database, so they are left out.
NOT_WHOLE_STACK = "not application and not shutdown"


def _rollback(tmp: Path, project: Path, manifest: Path, *args: str) -> Run:
    return run_suite(
        tmp,
        "-m",
        "rollback",
        f"--manifest={manifest}",
        f"--project-dir={project}",
        f"--project-name={PROJECT}",
        *args,
    )


def test_ledger_rollback_with_its_own_scripts_matches_its_table(
    ledger: Path, tmp_path: Path
) -> None:
    """BAK-04, RBK-01 and the RBK-02 drill run the ledger's own backup (plain SQL) and restore
    scripts and pass, as the table written beforehand says; the dump written is plain SQL."""
    run = _rollback(
        tmp_path, ledger, ledger / "readiness.yml", "--disruptive", "-k", NOT_WHOLE_STACK
    )
    verdict, expected = load_expected(PROJECT, "expected-rollback.yml")
    result = compare(verdict, expected, run)
    assert not result.problems, result.report(PROJECT, run)
    written = sorted((ledger / "backups").glob("ledger-*.sql"))
    assert written, "scripts/backup.sh wrote no ledger-*.sql"
    assert written[-1].read_bytes().startswith(b"--\n-- PostgreSQL database dump\n")


def test_plain_dumps_restore_with_the_runbook(
    ledger: Path, settings: Settings, tmp_path: Path
) -> None:
    """Without a restore command, RBK-01 restores a gzip'd plain dump with psql and the drill
    restores the plain dump of the ledger's backup script with the runbook: both pass."""
    plain = tmp_path / "ledger-plain.sql"
    settings.db.dump(plain, plain=True)
    packed = tmp_path / "ledger-plain.sql.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    manifest = _manifest(ledger, "readiness-runbook-restore.yml", restore_command=None)
    run = _rollback(tmp_path, ledger, manifest, f"--backup-file={packed}")
    assert run.outcomes("BAK-04") == {"-": "passed"}, run.output[-3000:]
    assert run.outcomes("RBK-01") == {"-": "passed"}, run.output[-3000:]
    drill = _rollback(tmp_path, ledger, manifest, "--disruptive", "-k", "drill")
    assert drill.outcomes("RBK-02") == {"-": "passed"}, drill.output[-3000:]


def test_rbk01_unfaithful_restore_command_fails(
    ledger: Path, settings: Settings, tmp_path: Path
) -> None:
    """RBK-01 runs the project's restore command into a scratch database: one that leaves out
    a table's rows fails, naming the command, the table and the row counts (RBK-02 likewise)."""
    script = ledger / "scripts" / "restore-partial.sh"
    script.write_text(UNFAITHFUL_RESTORE)
    script.chmod(0o755)
    manifest = _manifest(
        ledger, "readiness-partial-restore.yml", restore_command="scripts/restore-partial.sh"
    )
    run = _rollback(tmp_path, ledger, manifest, "--disruptive", "-k", NOT_WHOLE_STACK)
    assert run.outcomes("BAK-04") == {"-": "passed"}, run.output[-3000:]
    assert run.outcomes("RBK-01") == {"-": "failed"}, run.output[-3000:]
    message = run.message("RBK-01")
    assert "by `scripts/restore-partial.sh`" in message, message
    assert "table public.payment: row count: expected 5, got 0" in message, message
    assert run.verdict == "NOT READY"
    # the drill restores the live database with the same command: it fails too, and its
    # clean-up puts the payments back (the runbook restores the drill's own backup)
    assert run.outcomes("RBK-02") == {"-": "failed"}, run.output[-3000:]
    assert "table public.payment: row count: expected 5, got 0" in run.message("RBK-02")
    assert settings.db.psql("SELECT count(*) FROM payment") == [["5"]]


def test_bak04_truncated_plain_dump_fails(ledger: Path, settings: Settings, tmp_path: Path) -> None:
    """BAK-04 fails on a plain dump cut short (no `dump complete` line), and RBK-01 does not
    try to restore it."""
    plain = tmp_path / "ledger-cut.sql"
    settings.db.dump(plain, plain=True)
    data = plain.read_bytes()
    plain.write_bytes(data[: len(data) * 2 // 3])
    run = _rollback(tmp_path, ledger, ledger / "readiness.yml", f"--backup-file={plain}")
    assert run.outcomes("BAK-04") == {"-": "failed"}, run.output[-3000:]
    assert "ledger-cut.sql" in run.message("BAK-04")
    assert "truncated" in run.message("BAK-04")
    assert run.outcomes("RBK-01") == {"-": "skipped"}


def test_bak01_restore_command_not_executable_fails(ledger: Path, tmp_path: Path) -> None:
    """BAK-01 fails when the manifest's restore command is not executable, naming it."""
    script = ledger / "scripts" / "restore-noexec.sh"
    script.write_text((ledger / "scripts" / "restore.sh").read_text())
    script.chmod(0o644)
    manifest = _manifest(
        ledger, "readiness-noexec.yml", restore_command="scripts/restore-noexec.sh"
    )
    run = run_suite(
        tmp_path,
        "-m",
        "preflight",
        "-k",
        "test_backup_tool_exists",
        f"--manifest={manifest}",
        f"--project-dir={ledger}",
    )
    assert run.outcomes("BAK-01") == {"-": "failed"}, run.output[-3000:]
    message = run.message("BAK-01")
    assert "restore command `scripts/restore-noexec.sh`" in message, message
    assert "expected executable, got mode 0644" in message, message
