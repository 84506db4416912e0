"""The Allure command-line tool from npm: installed into .tools/ and run on a results directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from readiness.backends.commands import environment_with
from readiness.model.errors import EngineError

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "allure"
PACKAGE = "allure-commandline@2.46.1"
"""Pinned: the version the report layout and the rendering test were checked with."""


class ToolError(EngineError):
    """The Allure command-line tool is missing and cannot be installed, or does not run."""


def allure_binary(tools: Path = TOOLS) -> Path:
    """The installed ``allure`` launcher (ToolError names the fix when it is missing)."""
    binary = tools / "node_modules" / ".bin" / "allure"
    if not binary.exists():
        raise ToolError(f"{binary} missing: run `python -m runbook.reports install`")
    return binary


def install(tools: Path = TOOLS) -> Path:
    """``npm install`` the pinned allure-commandline into ``tools`` (idempotent)."""
    binary = tools / "node_modules" / ".bin" / "allure"
    if binary.exists():
        return binary
    if shutil.which("npm") is None:
        raise ToolError("npm is not installed (apt-get install -y npm)")
    tools.mkdir(parents=True, exist_ok=True)
    if not (tools / "package.json").exists():
        (tools / "package.json").write_text('{"name": "readiness-tools", "private": true}\n')
    proc = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(tools), PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0 or not binary.exists():
        raise ToolError(f"npm install {PACKAGE} failed: {proc.stderr.strip()[-500:]}")
    return binary


def report_name(results: Path) -> str:
    """``<target>: <verdict>`` from the sign-off next to the results, or a plain name."""
    signoff = results.parent / "signoff.json"
    try:
        doc = json.loads(signoff.read_text(encoding="utf-8"))
        return f"Readiness of {doc['target']['name']}: {doc['verdict']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "Readiness report"


def carry_history(results: Path, output: Path) -> int:
    """Copy the previous report's ``history/`` into ``results``; the number of files copied.

    Allure builds the trend (history-trend.json, duration and retry trends, each test's
    history) from ``<results>/history``: without it every report shows a single run.
    """
    previous = output / "history"
    if not previous.is_dir():
        return 0
    target = results / "history"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(previous, target)
    return sum(1 for p in target.iterdir() if p.is_file())


def generate(results: Path, output: Path, *, name: str = "", tools: Path = TOOLS) -> Path:
    """``allure generate --clean`` ``results`` into ``output`` (with the history of the
    report already in ``output``); returns its index.html."""
    if not results.is_dir() or not any(results.glob("*-result.json")):
        raise ToolError(f"{results}: no Allure results (run the checklist first)")
    binary = install(tools)
    carry_history(results, output)
    env = environment_with()
    java_home = _java_home()
    if java_home:
        env.setdefault("JAVA_HOME", java_home)
    proc = subprocess.run(
        [
            str(binary),
            "generate",
            "--clean",
            "--report-name",
            name or report_name(results),
            "-o",
            str(output),
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    index = output / "index.html"
    if proc.returncode != 0 or not index.exists():
        raise RuntimeError(f"allure generate failed: {(proc.stderr or proc.stdout).strip()[-800:]}")
    return index


def _java_home() -> str:
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else ""
