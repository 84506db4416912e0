"""Bad input is one clear line and exit 4; an unreachable engine is NOT READY, never a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import MANIFEST, ROOT, run_suite


def _error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERROR: ")]


def test_bad_manifest_is_one_line_naming_file_key_and_expectation(tmp_path: Path) -> None:
    manifest = tmp_path / "readiness.yml"
    text = MANIFEST.read_text().replace(
        "project_dir: stack", f"project_dir: {MANIFEST.parent}/stack"
    )
    manifest.write_text(text.replace("cpus: 0.75,", "cpus: three-quarters,"))
    run = run_suite(tmp_path, "-m", "preflight", f"--manifest={manifest}")
    assert run.exit_code == 4, run.output[-2000:]
    assert _error_lines(run.output) == [
        f"ERROR: {manifest}: limits.project-strategist.cpus: expected a number, "
        "got str 'three-quarters'"
    ]
    assert "Traceback" not in run.output


def test_malformed_env_file_is_one_line(tmp_path: Path) -> None:
    env = tmp_path / "broken.env"
    env.write_text("API_KEY=abc\nnot an assignment\n")
    run = run_suite(tmp_path, "-m", "preflight", f"--env-file={env}")
    assert run.exit_code == 4
    assert _error_lines(run.output) == [f"ERROR: {env}: line 2: expected KEY=VALUE"]
    assert "Traceback" not in run.output


def test_unreachable_engine_is_not_ready_with_the_reason(tmp_path: Path) -> None:
    socket = tmp_path / "no-engine.sock"
    run = run_suite(tmp_path, "-m", "postdeploy", f"--docker-host=unix://{socket}", "-k", "healthy")
    assert run.verdict == "NOT READY", run.output[-2000:]
    assert run.exit_code == 1
    outcomes = set(run.outcomes("HLT-01").values())
    assert outcomes == {"broken"}, run.output[-2000:]
    assert "Docker engine" in run.message("HLT-01")


def _misspelt_manifest(tmp_path: Path) -> Path:
    manifest = tmp_path / "readiness.yml"
    text = MANIFEST.read_text().replace(
        "project_dir: stack", f"project_dir: {MANIFEST.parent}/stack"
    )
    manifest.write_text(text.replace("  min_days_left: 30", "  min_days_lef: 400"))
    return manifest


def test_misspelt_manifest_key_is_exit_4_naming_key_and_suggestion(tmp_path: Path) -> None:
    manifest = _misspelt_manifest(tmp_path)
    run = run_suite(tmp_path, "-m", "preflight", f"--manifest={manifest}")
    assert run.exit_code == 4, run.output[-2000:]
    assert _error_lines(run.output) == [
        f"ERROR: {manifest}: tls.min_days_lef: unknown key; did you mean 'min_days_left'?"
    ]
    assert "Traceback" not in run.output


@pytest.mark.parametrize("module", ["backup", "restore", "drill", "release", "stack"])
def test_runbook_cli_bad_manifest_is_exit_4_one_line(tmp_path: Path, module: str) -> None:
    manifest = _misspelt_manifest(tmp_path)
    first = {"drill": ["round-trip"], "release": ["images"], "stack": ["status"]}.get(module, [])
    proc = subprocess.run(
        [sys.executable, "-m", f"runbook.{module}", *first, f"--manifest={manifest}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"[{module}] bad input: {manifest}: tls.min_days_lef: unknown key; "
        "did you mean 'min_days_left'?"
    ]
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["stack", "up", "--timeout=-5"], "--timeout: expected seconds > 0, got '-5'"),
        (["restore", "--timeout=soon"], "--timeout: expected seconds as a number, got 'soon'"),
        (["stack", "explode"], "argument command: invalid choice: 'explode'"),
    ],
)
def test_runbook_cli_bad_option_is_exit_4_one_line(args: list[str], expected: str) -> None:
    module, *rest = args
    proc = subprocess.run(
        [sys.executable, "-m", f"runbook.{module}", *rest],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert expected in line
    assert line.startswith(f"python -m runbook.{module}: bad option:")


def test_runbook_cli_with_subcommands_parses_and_rejects_one_line() -> None:
    """`runbook.reports` has subcommands: they parse, and a bad one is exit 4 in one line."""
    ok = subprocess.run(
        [sys.executable, "-m", "runbook.reports", "allure", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert "--results" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "runbook.reports", "explode"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert bad.returncode == 4, bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
