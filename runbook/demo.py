"""The whole readiness demo: set up the machine, deploy the reference stack, run the checklist.

Stdlib only until the venv exists. Steps, as the seed's execution plan orders them:
  1. bootstrap   engine, compose, base image, venv, .env and certificates (runbook.bootstrap)
  2. deploy      platform stack, then agent swarm, wait until healthy (runbook.stack up)
  3. backup      the pre-deployment database backup (runbook.backup)
  4. checklist   pre-flight, post-deploy and rollback checks; reports in reports/
                 (--disruptive: the previous release's images are tagged first, for 3.3)
  5. allure      the Allure HTML report from the run's results (runbook.reports allure)

Usage: python3 -m runbook.demo [--disruptive] [--workers N] [--skip-bootstrap]
Exit code: the checklist's (0 READY or READY WITH WARNINGS, 1 NOT READY, 4 bad input).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"


def step(title: str, command: Sequence[str], *, required: bool = True) -> int:
    """Run one step from the repository root, echoing it; exit at once if a required step fails."""
    print(f"\n[demo] {title}: {' '.join(command)}", flush=True)
    code = subprocess.run(list(command), cwd=REPO, check=False).returncode
    if code != 0 and required:
        print(f"[demo] {title} failed (exit {code}); stopping.", file=sys.stderr, flush=True)
        raise SystemExit(code)
    return code


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The demo's options."""
    parser = argparse.ArgumentParser(
        prog="python3 -m runbook.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--disruptive",
        action="store_true",
        help="also run the disruptive rollback drills (3.2 restore, 3.3 rollback)",
    )
    parser.add_argument(
        "--workers",
        default="0",
        help="pytest-xdist workers for the checklist (0 = serial, auto = per core)",
    )
    parser.add_argument(
        "--previous-release",
        default="1.9.0",
        help="with --disruptive: the release the 3.3 rollback returns to (tagged first)",
    )
    parser.add_argument("--skip-bootstrap", action="store_true", help="the machine is ready")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo end to end and return the checklist's exit code."""
    args = parse_args(argv)
    if not args.skip_bootstrap:
        step("bootstrap", [sys.executable, "-m", "runbook.bootstrap"])
    python = str(VENV_PYTHON)
    step("deploy", [python, "-m", "runbook.stack", "up"])
    step("backup", [python, "-m", "runbook.backup"], required=False)
    checklist = [python, "-m", "pytest", "checks", "-m", "preflight or postdeploy or rollback"]
    if args.disruptive:
        checklist.append("--disruptive")
        step(
            "previous release",
            [python, "-m", "runbook.release", "build-previous", "--release", args.previous_release],
        )
    if args.workers != "0":
        checklist += ["-n", args.workers]
    code = step("checklist", checklist, required=False)
    step("allure report", [python, "-m", "runbook.reports", "allure"], required=False)
    print(f"\n[demo] reports in {REPO / 'reports'}; checklist exit code {code}", flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
