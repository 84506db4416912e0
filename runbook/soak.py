"""Soak: run the post-deploy suite many times on a healthy stack and count verdicts (read-only).

  python -m runbook.soak [--serial 50] [--parallel 20] [--json reports/soak.json] [pytest args]

Runs ``pytest checks -m postdeploy`` --serial times one after another, then --parallel times
with ``-n 2``, each with its own results file; counts verdicts, lists every check that did not
pass with its message, and reports durations (min, median, max). Any result other than the
healthy stack's usual verdict is a false alarm to fix. Not part of CI (tens of minutes).
Exit 0 when every run gave the same verdict as the first, 1 otherwise.
"""

from __future__ import annotations

import collections
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runbook import cli

REPO = Path(__file__).resolve().parents[1]


def one_run(index: int, workers: int, extra: list[str], scratch: Path) -> dict[str, Any]:
    """One post-deploy run: verdict, seconds, and the checks that did not pass."""
    results = scratch / f"results-{workers}-{index}.json"
    command = [sys.executable, "-m", "pytest", "checks", "-m", "postdeploy", "-q", "-p",
               "no:randomly", f"--results-file={results}",
               f"--reports-dir={scratch / 'reports'}", *extra]  # fmt: skip
    if workers > 1:
        command += ["-n", str(workers)]
    start = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if not results.exists():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:]
        return {"verdict": f"no result (exit {proc.returncode})", "seconds": seconds,
                "not_passed": tail}  # fmt: skip
    data = json.loads(results.read_text())
    bad = [f"{r['check']}[{r['subject']}] {r['outcome']}: {r['message'][:200]}"
           for r in data["results"] if r["outcome"] not in ("passed", "n/a", "waived")]  # fmt: skip
    return {"verdict": data["verdict"], "seconds": seconds, "not_passed": bad}


def summary(label: str, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Verdict counts, durations and every non-passing check seen."""
    seconds = [r["seconds"] for r in runs]
    return {
        "mode": label,
        "runs": len(runs),
        "verdicts": dict(collections.Counter(r["verdict"] for r in runs)),
        "seconds": {
            "min": round(min(seconds), 2),
            "median": round(statistics.median(seconds), 2),
            "max": round(max(seconds), 2),
        }
        if seconds
        else {},
        "not_passed": dict(collections.Counter(x for r in runs for x in r["not_passed"])),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.soak", __doc__)
    parser.add_argument("--serial", type=int, default=50, help="serial runs (default 50)")
    parser.add_argument("--parallel", type=int, default=20, help="-n 2 runs (default 20)")
    parser.add_argument("--json", type=Path, default=REPO / "reports" / "soak.json")
    args, extra = parser.parse_known_args(argv)
    report: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="rdysoak-") as tmp:
        for label, workers, count in (("serial", 1, args.serial), ("-n 2", 2, args.parallel)):
            runs = []
            for index in range(count):
                run = one_run(index, workers, extra, Path(tmp))
                runs.append(run)
                print(f"[soak] {label} {index + 1}/{count}: {run['verdict']} "
                      f"{run['seconds']:.1f}s {run['not_passed'][:2]}", flush=True)  # fmt: skip
                report_now = [*report, summary(label, runs)]
                args.json.parent.mkdir(parents=True, exist_ok=True)
                args.json.write_text(json.dumps(report_now, indent=2) + "\n")
            report.append(summary(label, runs))
    print(json.dumps(report, indent=2))
    verdicts = {v for part in report for v in part["verdicts"]}
    return 0 if len(verdicts) <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
