"""Measure how long the checklist takes: each suite, serial and with pytest-xdist workers.

Speed goals are measured here, never asserted in tests. Prints a table of wall-clock times
(median of --repeat runs), checks per run and the verdict of each configuration.

Usage: python -m runbook.benchmark [--repeat 3] [--suites preflight,postdeploy] [--workers 0,2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_once(suite: str, workers: str, extra: Sequence[str]) -> tuple[float, int, str]:
    """One run of a suite: (seconds, number of check results, verdict)."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        command = [
            sys.executable,
            "-m",
            "pytest",
            "checks",
            "-q",
            "-m",
            suite,
            f"--results-file={results}",
            f"--reports-dir={tmp}/reports",
            *extra,
        ]
        if workers != "0":
            command += ["-n", workers]
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if not results.exists():
            return elapsed, 0, "no results"
        data = json.loads(results.read_text())
        return elapsed, len(data["results"]), str(data["verdict"])


def main(argv: Sequence[str] | None = None) -> int:
    """Run every suite/worker combination and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m runbook.benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per combination (median)")
    parser.add_argument("--suites", default="preflight,postdeploy,rollback")
    parser.add_argument("--workers", default="0,2", help="comma-separated -n values (0 = serial)")
    parser.add_argument("extra", nargs="*", help="more pytest options, after --")
    args = parser.parse_args(argv)
    print(f"{'suite':<12}{'workers':>8}{'median s':>10}{'min s':>8}{'checks':>8}  verdict")
    for suite in args.suites.split(","):
        for workers in args.workers.split(","):
            runs = [run_once(suite, workers, args.extra) for _ in range(args.repeat)]
            times = [r[0] for r in runs]
            verdicts = sorted({r[2] for r in runs})
            print(
                f"{suite:<12}{workers:>8}{statistics.median(times):>10.2f}{min(times):>8.2f}"
                f"{runs[-1][1]:>8}  {' / '.join(verdicts)}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
