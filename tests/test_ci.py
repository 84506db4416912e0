"""The CI recipes in ci/: the GitHub workflow passes actionlint, the GitLab pipeline runs.

The GitLab pipeline runs under gitlab-ci-local (npm, pinned, installed into .tools/) with the
shell executor, in a throwaway git copy of this checkout whose stack/.env and certs are
copies of this checkout's (the live reference stack's secrets: never new ones):

- green end to end against the live reference stack (`hypercode`);
- red at preflight on a planted blocker (a manifest copy requiring a secret that is not
  there), with the deploy and post-deploy jobs never run.

The deploy job runs with READINESS_DEPLOY=0 here: `runbook.stack up` from another directory
would recreate the shared stack's containers (bind-mount sources change), so the job only
checks `runbook.stack status`. The pre-deployment backup (READINESS_BACKUP=0) is replaced by a
fresh dump of a scratch database planted in the copy, made in a throwaway container.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import LIVE_ENV_FILE, LIVE_PROJECT
from tests.harness import ROOT
from tests.preflight_support import plant_dump, scratch_dump

GITLAB_CI_LOCAL = "gitlab-ci-local@4.73.0"
"""Pinned: the newest release that runs on Debian's Node.js 20 (4.74 needs Node 22)."""
TOOLS = ROOT / ".tools" / "gitlab-ci-local"
_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".tools",
    "reports",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    "node_modules",
    "backups",
    ".gitlab-ci-local",
    ".env",
    "certs",
)


def test_github_workflow_passes_actionlint() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"
    proc = subprocess.run(
        [str(actionlint), "-config-file", "ci/actionlint.yaml", "ci/github-actions.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workflow = yaml.safe_load((ROOT / "ci/github-actions.yml").read_text())
    jobs = workflow["jobs"]
    assert jobs["deploy"]["needs"] == "preflight"
    assert jobs["postdeploy"]["needs"] == "deploy"
    uploads = [
        s for j in jobs.values() for s in j["steps"] if "upload-artifact" in s.get("uses", "")
    ]
    assert uploads
    assert all(s["if"] == "always()" for s in uploads)


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (
        (ROOT / "ci/github-actions.yml").read_text().replace("needs: preflight", "needs: prefligth")
    )
    broken.write_text(text)
    actionlint = Path(sys.executable).parent / "actionlint"
    proc = subprocess.run(
        [str(actionlint), "-config-file", str(ROOT / "ci/actionlint.yaml"), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "prefligth" in proc.stdout


def gitlab_ci_local() -> Path:
    """The pinned gitlab-ci-local, npm-installed into .tools/gitlab-ci-local on first use."""
    if shutil.which("rsync") is None:  # it copies the checkout for every job with rsync
        pytest.skip("gitlab-ci-local needs rsync: apt-get install -y rsync")
    binary = TOOLS / "node_modules" / ".bin" / "gitlab-ci-local"
    if not binary.exists():
        TOOLS.mkdir(parents=True, exist_ok=True)
        (TOOLS / "package.json").write_text('{"name": "readiness-tools", "private": true}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS), GITLAB_CI_LOCAL],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return binary


@pytest.fixture(scope="module")
def dump() -> bytes:
    return scratch_dump()


def pipeline_copy(tmp: Path, dump: bytes) -> Path:
    """This checkout as a fresh git repository on branch main, with the live stack's secrets."""
    repo = tmp / "repo"
    shutil.copytree(ROOT, repo, ignore=_IGNORE)
    live = Path(LIVE_ENV_FILE).parent
    shutil.copy2(LIVE_ENV_FILE, repo / "stack" / ".env")
    shutil.copytree(live / "certs", repo / "stack" / "certs")
    plant_dump(repo / "stack", dump)
    allure = ROOT / ".tools" / "allure"
    if allure.is_dir():
        (repo / ".tools").mkdir()
        (repo / ".tools" / "allure").symlink_to(allure)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "-qm", "ci copy"],
        ["remote", "add", "origin", "https://gitlab.example.invalid/ops/hypercode.git"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


def run_pipeline(repo: Path, *variables: str) -> subprocess.CompletedProcess[str]:
    """The whole pipeline under gitlab-ci-local, shell executor, in ``repo``."""
    pinned = [
        f"PYTHON={sys.executable}",
        "BOOTSTRAP_ARGS=--skip-engine --skip-venv --skip-base-image --skip-host-tools",
        "READINESS_BACKUP=0",
        "READINESS_DEPLOY=0",
        f"COMPOSE_PROJECT_NAME={LIVE_PROJECT}",
    ]
    cmd = [
        str(gitlab_ci_local()),
        "--file",
        "ci/gitlab-ci.yml",
        "--home",
        str(repo.parent / "home"),
    ]
    for variable in [*pinned, *variables]:
        cmd += ["--variable", variable]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("READINESS_", "PYTEST_"))}
    return subprocess.run(
        cmd, cwd=repo, capture_output=True, text=True, timeout=900, check=False, env=env
    )


def job_log(repo: Path, job: str) -> str:
    path = repo / ".gitlab-ci-local" / "output" / f"{job}.log"
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.mark.live
def test_gitlab_pipeline_green_on_the_live_stack(tmp_path: Path, dump: bytes) -> None:
    repo = pipeline_copy(tmp_path, dump)
    proc = run_pipeline(repo)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    for job in ("preflight", "deploy", "postdeploy", "waiver-expiry"):
        assert job_log(repo, job), f"{job} did not run:\n{out[-3000:]}"
    assert "deploy skipped (READINESS_DEPLOY=0)" in job_log(repo, "deploy")
    assert "[verify-launch] VERDICT: READY" in job_log(repo, "postdeploy")
    signoff = json.loads((repo / "reports/postdeploy/signoff.json").read_text())
    assert signoff["verdict"] in ("READY", "READY WITH WARNINGS")
    for report in ("preflight/junit.xml", "postdeploy/junit.xml", "postdeploy/signoff.md"):
        assert (repo / "reports" / report).stat().st_size > 0, report
    assert (repo / "reports/postdeploy/allure-report/index.html").exists()
    assert "no waiver expires within 14 days" in job_log(repo, "waiver-expiry")
    assert (repo / "reports/preflight/allure-report/index.html").exists()
    # a second pipeline: the Allure trend carries both runs (runbook.reports keeps history/)
    again = run_pipeline(repo)
    assert again.returncode == 0, (again.stdout + again.stderr)[-6000:]
    for suite in ("preflight", "postdeploy"):
        trend = repo / "reports" / suite / "allure-report" / "history" / "history-trend.json"
        assert len(json.loads(trend.read_text())) == 2, suite


@pytest.mark.live
def test_gitlab_pipeline_red_on_a_planted_blocker(tmp_path: Path, dump: bytes) -> None:
    repo = pipeline_copy(tmp_path, dump)
    manifest = yaml.safe_load((repo / "readiness.yml").read_text())
    manifest["secrets"]["required"].append("LAUNCH_CODES_SECRET")
    (repo / "impossible.yml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    subprocess.run(["git", "add", "impossible.yml"], cwd=repo, check=True)
    subprocess.run(
        ["git", "-c", "user.name=ci", "-c", "user.email=ci@example.invalid", "commit", "-qm", "x"],
        cwd=repo,
        check=True,
    )
    proc = run_pipeline(repo, "READINESS_MANIFEST=impossible.yml", "WAIVER_WARN_DAYS=100000")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-4000:]
    assert "VERDICT: NOT READY" in job_log(repo, "preflight")
    assert "LAUNCH_CODES_SECRET" in job_log(repo, "preflight")
    assert not job_log(repo, "deploy")
    assert not job_log(repo, "postdeploy")
    junit = (repo / "reports/preflight/junit.xml").read_text()
    assert "LAUNCH_CODES_SECRET" in junit
    # waivers due (every waiver, with a 100000-day window): exit 2, a warning, not a failure
    assert "WARNING waiver npm-audit-frontend" in job_log(repo, "waiver-expiry")
    assert (repo / "reports/preflight/allure-report/index.html").exists()
