"""Run the checklist as an operator would (a pytest subprocess) and read its results file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "stack"
MANIFEST = ROOT / "readiness.yml"
_COPY_IGNORE = shutil.ignore_patterns("node_modules", "backups", "__pycache__", ".git")


@dataclass(frozen=True)
class Run:
    """One run of the suite: exit code, verdict, results and the terminal output."""

    exit_code: int
    verdict: str
    results: list[dict[str, Any]]
    output: str
    reports_dir: str = ""

    def outcomes(self, check_id: str) -> dict[str, str]:
        """subject -> outcome for one check ID."""
        return {r["subject"]: r["outcome"] for r in self.results if r["check"] == check_id}

    def failing(self) -> set[tuple[str, str]]:
        """(check, subject) pairs that failed, broke or were waived."""
        bad = ("failed", "broken", "waived")
        return {(r["check"], r["subject"]) for r in self.results if r["outcome"] in bad}

    def message(self, check_id: str, subject: str | None = None) -> str:
        """The messages of a check's non-passing results, joined."""
        return "\n".join(
            r["message"] + r["waiver"]
            for r in self.results
            if r["check"] == check_id
            and (subject is None or r["subject"] == subject)
            and r["outcome"] != "passed"
        )


def run_suite(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """``pytest checks <args>`` in a subprocess with a results file; never raises on failure."""
    results = tmp_path / f"results-{len(list(tmp_path.glob('results-*.json')))}.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "checks",
        "-p",
        "no:randomly",
        f"--results-file={results}",
        f"--reports-dir={tmp_path / 'reports'}",
        *args,
    ]
    proc = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=900,
    )
    output = proc.stdout + proc.stderr
    reports = str(tmp_path / "reports")
    if not results.exists():
        return Run(proc.returncode, "", [], output, reports)
    data = json.loads(results.read_text())
    return Run(proc.returncode, data["verdict"], data["results"], output, reports)


def run_runbook(
    module: str, project: str, env_file: str, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """``python -m runbook.<module> --project-name P --env-file F <args>``, output captured."""
    command = [
        sys.executable,
        "-m",
        f"runbook.{module}",
        "--project-name",
        project,
        "--env-file",
        env_file,
        *args,
    ]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=timeout
    )


def copy_stack(tmp_path: Path, *, git: bool = True) -> Path:
    """A copy of the reference configuration (with .env and certs) as a git checkout."""
    target = tmp_path / "stack"
    shutil.copytree(STACK, target, ignore=_COPY_IGNORE)
    if git:
        _git(target, "init", "-q", "-b", "main")
        _git(target, "add", "-A")
        _git(
            target,
            "-c",
            "user.name=test",
            "-c",
            "user.email=test@example.invalid",
            "commit",
            "-q",
            "-m",
            "reference stack",
        )
    return target


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def assert_only_new_failure(
    baseline: Run, faulty: Run, check_id: str, subject: str, also: tuple[str, ...] = ()
) -> str:
    """The fault fails ``check_id``/``subject`` and no other check ID (but those in ``also``)."""
    __tracebackhide__ = True
    new = faulty.failing() - baseline.failing()
    assert (check_id, subject) in new, (
        f"{check_id}[{subject}] did not fail; new failures: {sorted(new)}\n{faulty.output[-3000:]}"
    )
    others = {pair for pair in new if pair[0] != check_id and pair[0] not in also}
    assert not others, f"the fault also failed other checks: {sorted(others)}\n" + "\n".join(
        f"  {cid}[{subj}]: {faulty.message(cid, subj)[:300]}" for cid, subj in sorted(others)
    )
    return faulty.message(check_id, subject)
