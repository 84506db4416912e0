"""The runbook scripts refuse what would lose data (BAK-04 / RBK-02 procedures, CLI level)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from readiness.model.errors import ExitCode
from readiness.operations.fingerprint import fingerprint
from readiness.operations.target import settings_from
from tests.conftest import LIVE_ENV_FILE
from tests.harness import MANIFEST, run_runbook

pytestmark = pytest.mark.live


def _cli(module: str, project: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_runbook(module, project, LIVE_ENV_FILE, *args, timeout=600)


def test_bak04_backup_cli_refuses_missing_directory(live_stack_up: str, tmp_path: Path) -> None:
    """BAK-04 procedure: the backup CLI exits 4 naming a missing directory (--no-create-dir)."""
    missing = tmp_path / "nope"
    proc = _cli("backup", live_stack_up, "--backup-dir", str(missing), "--no-create-dir")
    assert proc.returncode == ExitCode.BAD_INPUT
    assert f"backup directory {missing}: exists: expected a directory, got missing" in proc.stderr
    ok = _cli("backup", live_stack_up, "--backup-dir", str(tmp_path / "new"))
    assert ok.returncode == 0, ok.stderr
    assert len(list((tmp_path / "new").glob("backup_*.dump"))) == 1


def test_rbk02_restore_cli_refuses_without_confirmation(live_stack_up: str, tmp_path: Path) -> None:
    """RBK-02 procedure: restore without --confirm DBNAME exits 4 and touches nothing."""
    proc = _cli("restore", live_stack_up, "--backup-dir", str(tmp_path))
    assert proc.returncode == ExitCode.BAD_INPUT
    assert "refusing to overwrite database hypercode" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_rbk02_restore_cli_refuses_truncated_dump(live_stack_up: str, tmp_path: Path) -> None:
    """RBK-02 procedure: a truncated dump is refused (exit 11) before any service is stopped."""
    settings = settings_from(MANIFEST, live_stack_up, Path(LIVE_ENV_FILE))
    good = tmp_path / "backup_20260101_000000.dump"
    settings.db.dump(good)
    bad = tmp_path / "backup_20260101_000001.dump"
    bad.write_bytes(good.read_bytes()[:-200])
    before = fingerprint(settings.db)
    proc = _cli("restore", live_stack_up, "--backup-dir", str(tmp_path), "--confirm", "hypercode")
    assert proc.returncode == ExitCode.INVALID_DUMP, proc.stdout + proc.stderr
    assert "backup_20260101_000001.dump: data: expected readable to the end" in proc.stderr
    assert not list(tmp_path.glob("pre-restore_*")), "no safety backup: nothing was changed"
    assert fingerprint(settings.db) == before
