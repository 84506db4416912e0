"""Launch verification (runbook phase 3, step 7): run the post-deploy checks, print the verdict.

  python -m runbook.verify_launch [--project-name N] [--env-file F] [-- extra pytest args]

Runs `pytest checks -m postdeploy` against the deployed stack and prints the verdict
(READY / READY WITH WARNINGS / NOT READY) with the checks that did not pass. When it is NOT
READY, it also prints which of the seed's critical failure criteria (section 6) the failed
checks meet and the runbook command that contingency calls for: database data loss -> the 3.2
restore, API error rate over the ceiling -> the 3.3 rollback, security breach -> the emergency
shutdown (the catalogue says which check meets which criterion).
Exit codes: the suite's: 0 READY (or READY WITH WARNINGS), 1 NOT READY, 2 READY WITH WARNINGS
with --strict-warnings, other values: the suite could not run (see its output).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from readiness.model.contingency import triggered
from readiness.model.errors import ConfigError
from readiness.operations.target import settings_from
from runbook.cli import REPO


def build_command(args: argparse.Namespace, results: Path, extra: Sequence[str]) -> list[str]:
    """The pytest command line for the post-deploy suite."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "checks",
        "-m",
        "postdeploy",
        "-q",
        "--no-header",
        "-p",
        "no:randomly",
        f"--results-file={results}",
    ]
    for option, value in (
        ("--manifest", args.manifest),
        ("--project-name", args.project_name),
        ("--env-file", args.env_file),
        ("--reports-dir", args.reports_dir),
    ):
        if value:
            cmd.append(f"{option}={value}")
    if args.strict_warnings:
        cmd.append("--strict-warnings")
    return [*cmd, *extra]


def summarize(results_file: Path) -> tuple[str, list[str]]:
    """The verdict and one line per check that did not pass."""
    data = json.loads(results_file.read_text())
    lines = [
        f"  {r['outcome'].upper():<8} {r['check']}[{r['subject']}]: {r['message']}"
        for r in data["results"]
        if r["outcome"] != "passed"
    ]
    return str(data["verdict"]), lines


def contingency_lines(
    results: list[dict[str, str]], project: str, database: str, options: str = ""
) -> list[str]:
    """Which seed-6 contingency the failed checks trigger, and the command for each."""
    failed = [r["check"] for r in results if r["outcome"] == "failed"]
    found = triggered(failed)
    if not found:
        return [
            "  no seed-6 critical failure criterion is met (no data loss, error rate or "
            "security finding): fix the blockers above and run again"
        ]
    lines = []
    for hit in found:
        c = hit.contingency
        lines.append(f"  {c.criterion} ({', '.join(hit.checks)} failed): {c.action}")
        lines.append(f"    {c.command_for(project, database, options)}")
    return lines


def _target_names(args: argparse.Namespace) -> tuple[str, str, str]:
    """Project, database and the options to repeat, from the manifest (placeholders if bad)."""
    manifest = Path(args.manifest) if args.manifest else REPO / "readiness.yml"
    env_file = Path(args.env_file) if args.env_file else None
    options = " ".join(
        f"{opt} {value}"
        for opt, value in (("--manifest", args.manifest), ("--env-file", args.env_file))
        if value
    )
    try:
        settings = settings_from(manifest, args.project_name, env_file)
    except ConfigError:
        return args.project_name or "<project>", "<database>", options
    db = settings.manifest.database.name or "<database>"
    return settings.project_name, db, options


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m runbook.verify_launch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--manifest",
        default=os.environ.get("READINESS_MANIFEST", ""),
        help="readiness manifest [env READINESS_MANIFEST; default readiness.yml]",
    )
    parser.add_argument(
        "--project-name",
        default=os.environ.get("COMPOSE_PROJECT_NAME", ""),
        help="compose project [env COMPOSE_PROJECT_NAME; default: manifest's]",
    )
    parser.add_argument(
        "--env-file",
        default=os.environ.get("READINESS_ENV_FILE", ""),
        help="the stack's .env [env READINESS_ENV_FILE; default: manifest's]",
    )
    parser.add_argument("--reports-dir", default="", help="where the reports go")
    parser.add_argument(
        "--strict-warnings", action="store_true", help="exit 2 on READY WITH WARNINGS"
    )
    args, extra = parser.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        print("[verify-launch] running the post-deploy checks", flush=True)
        proc = subprocess.run(build_command(args, results, extra), cwd=REPO, check=False)
        if not results.exists():
            print(
                f"[verify-launch] the suite did not run (exit {proc.returncode})", file=sys.stderr
            )
            return proc.returncode or 3
        verdict, lines = summarize(results)
        data = json.loads(results.read_text())
    print(f"[verify-launch] VERDICT: {verdict}")
    for line in lines:
        print(line)
    if verdict == "NOT READY":
        print("[verify-launch] contingency (seed 6, critical failure criteria):")
        for line in contingency_lines(data["results"], *_target_names(args)):
            print(line)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
