"""Planted faults behind nginx: database, Grafana and the agents (DB-01, DB-02, GRF-02, AGT-01)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import LIVE_ENV_FILE
from tests.faults.live_fault import container, docker, overridden, postdeploy
from tests.harness import Run, assert_only_new_failure, run_suite

pytestmark = pytest.mark.live


def test_db01_env_password_not_accepted(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """DB-01 fails when the .env's DB_PASSWORD is not the database role's password."""
    env = tmp_path / "wrong.env"
    text = Path(LIVE_ENV_FILE).read_text()
    env.write_text(re.sub(r"(?m)^DB_PASSWORD=.*$", "DB_PASSWORD=NotTheRolesPassword-4821", text))
    env.chmod(0o600)
    run = run_suite(
        tmp_path, "-m", "postdeploy", f"--project-name={live_stack_up}", f"--env-file={env}"
    )
    message = assert_only_new_failure(postdeploy_baseline, run, "DB-01", "-")
    assert "expected accepted, got refused" in message, message
    assert "NotTheRolesPassword" not in run.output, "the planted password leaked into the output"
    assert set(run.outcomes("DB-02").values()) == {"skipped"}


def test_db02_table_missing(postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path) -> None:
    """DB-02 fails for a table of the expected schema that is missing."""
    pg = container(live_stack_up, "postgres")

    def psql(sql: str) -> None:
        docker(
            "exec",
            pg,
            "sh",
            "-c",
            f'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -qc "{sql}"',
        )

    psql("ALTER TABLE tasks RENAME TO tasks_planted_fault")
    try:
        run = postdeploy(tmp_path, live_stack_up)
    finally:
        psql("ALTER TABLE tasks_planted_fault RENAME TO tasks")
    message = assert_only_new_failure(postdeploy_baseline, run, "DB-02", "table:tasks")
    assert "table tasks: expected present, got absent" in message, message


def test_grf02_grafana_accepts_admin_admin(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """GRF-02 fails when the running Grafana accepts admin/admin."""
    fault = "services:\n  grafana:\n    environment:\n      GF_SECURITY_ADMIN_PASSWORD: admin\n"
    with overridden(live_stack_up, tmp_path, ("grafana",), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "GRF-02", "-")
    assert "expected 401 rejected, got 200 accepted" in message, message


def test_agt01_orchestrator_cannot_see_core(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """AGT-01 fails when crew-orchestrator answers but cannot reach hypercode-core."""
    fault = "services:\n  crew-orchestrator:\n    environment:\n      CORE_URL: http://hypercode-core:9\n"
    with overridden(live_stack_up, tmp_path, ("crew-orchestrator",), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "AGT-01", "crew-orchestrator")
    assert '"core_reachable": true' in message, message
