"""Measure the checklist side by side, as ratios: the suite, the usual testinfra way, the floor.

For every size: this suite serial and with ``-n 2``, the same post-deploy checks written the
usual testinfra way (``benchmarks/testinfra_way``), and the floor (``benchmarks/floor.py``: only
the raw calls, one plain process). For scale, pytest itself is measured too: the same number of
empty tests writing pytest-html's report and JUnit XML, no readiness plugin and no Allure plugin
(the suite writes its Allure results itself): what any pytest-based suite with these two reports
pays before it checks anything; and the same with the libraries the suite is built on imported
(docker SDK, pydantic, PyYAML, testinfra, Allure's model; psycopg where there is a database).
Size 12 is the running reference stack (read-only, all 92 post-deploy checks, plus the
pre-flight and its floor); other sizes are a synthetic compose project (``rdybench``,
``runbook.synthetic``) started for the measurement and removed afterwards, where the health and
drift checks apply (five per service).

Each figure is the median of --runs runs (after one warm-up run), with min and max, and the
peak RSS of one more run (/usr/bin/time). Every configuration runs as an operator's machine runs
it: Python may cache compiled modules (``PYTHONDONTWRITEBYTECODE`` is removed from the children's
environment; with it set, every run recompiles every module and pytest rewrites every test
module again). At 12 the suite's fixed cost is measured too: the same run with no check selected
(start-up, collection, the render and listing, the reports). Speed goals are reported here,
never asserted in tests. Output: a table on stdout and reports/benchmark.json.

Usage: python -m runbook.benchmark [--sizes 12,50,200] [--runs 5] [--json reports/benchmark.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runbook import synthetic

REPO = Path(__file__).resolve().parents[1]
REFERENCE_SIZE = 12


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured run: as given (or ours), bytecode caching allowed."""
    merged = dict(os.environ if env is None else env)
    merged.pop("PYTHONDONTWRITEBYTECODE", None)
    return merged


def run_once(command: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """One run in a child process: wall seconds, exit code, its last line of output."""
    start = time.perf_counter()
    proc = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, check=False, env=child_env(env)
    )
    elapsed = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines() or [""]
    return {
        "seconds": elapsed,
        "code": proc.returncode,
        "tail": lines[-1][-200:],
        "output": [line[-200:] for line in lines[-25:]] if proc.returncode else [],
    }


def peak_rss(command: list[str], env: dict[str, str] | None) -> float:
    """Peak RSS (MB) of one more run, via /usr/bin/time -f %M (the largest process: with
    ``-n 2`` that is the controller or one worker, not their sum)."""
    timer = Path("/usr/bin/time")
    if not timer.exists():
        return 0.0
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        subprocess.run(
            [str(timer), "-o", out.name, "-f", "%M", *command],
            cwd=REPO,
            capture_output=True,
            check=False,
            env=child_env(env),
        )
        text = Path(out.name).read_text().strip().splitlines()
    try:
        return round(int(text[-1]) / 1024, 1)
    except (IndexError, ValueError):
        return 0.0


def measure(
    name: str, command: list[str], runs: int, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Median, min and max of ``runs`` runs (after one warm-up run), peak RSS, exit codes."""
    run_once(command, env)  # warm-up: page cache, pyc files, engine caches
    results = [run_once(command, env) for _ in range(runs)]
    times = [r["seconds"] for r in results]
    row = {
        "name": name,
        "median": round(statistics.median(times), 3),
        "min": round(min(times), 3),
        "max": round(max(times), 3),
        "runs": runs,
        "codes": sorted({r["code"] for r in results}),
        "peak_rss_mb": peak_rss(command, env),
        "last_line": results[-1]["tail"],
        "nonzero_runs": [r["output"] for r in results if r["code"]],
    }
    print(
        f"  {name:<34}{row['median']:>8.2f}{row['min']:>8.2f}{row['max']:>8.2f}"
        f"{row['peak_rss_mb']:>9.0f}  exit {row['codes']}",
        flush=True,
    )
    return row


def suite_command(
    manifest: Path, env_file: Path | None, paths: list[str], markers: str, workers: int, tmp: Path
) -> list[str]:
    command = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:randomly"]
    command += [f"--manifest={manifest}", f"--reports-dir={tmp}/reports-{workers}"]
    if env_file:
        command.append(f"--env-file={env_file}")
    if markers:
        command += ["-m", markers]
    if workers:
        command += ["-n", str(workers)]
    return command


EMPTY_TESTS = """import pytest


@pytest.mark.parametrize("number", range({count}))
def test_empty(number):
    pass
"""


def counted_tests(last_line: str) -> int:
    """How many tests a pytest summary line counts ("92 passed, 7 skipped in 0.8s" -> 99)."""
    return sum(
        int(n) for n in re.findall(r"(\d+) (?:passed|failed|skipped|error|xfailed)", last_line)
    )


LIBRARIES = ("docker", "requests", "pydantic", "yaml", "testinfra", "allure_commons.model2")
"""The libraries every post-deploy run of the suite imports (the docker SDK, the manifest's schema
library, testinfra, Allure's result model)."""

DATABASE_LIBRARIES = ("psycopg",)
"""Imported too when the manifest declares a database (the reference stack)."""


def empty_tests_command(count: int, tmp: Path, libraries: Sequence[str] = ()) -> list[str]:
    """pytest running ``count`` empty tests that write an HTML report and JUnit XML.

    allure-pytest is left out: the suite does not run its listener (it writes its Allure results
    itself), so that listener's cost is no part of what pytest costs the suite. With
    ``libraries``, a conftest imports them first: what any pytest suite built on the same
    libraries pays before it checks anything.
    """
    folder = tmp / (f"empty-{count}" + ("-libraries" if libraries else ""))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "test_empty.py").write_text(EMPTY_TESTS.format(count=count))
    if libraries:
        (folder / "conftest.py").write_text("".join(f"import {name}\n" for name in libraries))
    return [
        sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:randomly",
        "-p", "no:cacheprovider", "-p", "no:allure_pytest", "-c", str(folder / "pytest.ini"),
        f"--rootdir={folder}", f"--junitxml={folder}/junit.xml",
        f"--html={folder}/report.html", "--self-contained-html",
    ]  # fmt: skip


def bench_size(size: int, runs: int, tmp: Path) -> dict[str, Any]:
    """Every configuration at one size."""
    if size == REFERENCE_SIZE:
        manifest, env_file = REPO / "readiness.yml", REPO / "stack" / ".env"
        suite_paths, naive_paths, markers = ["checks"], ["benchmarks/testinfra_way"], "postdeploy"
    else:
        manifest, env_file = tmp / "rdybench" / "readiness.yml", None
        suite_paths = list(synthetic.CHECK_FILES)
        naive_paths = ["benchmarks/testinfra_way/test_postdeploy_naive.py"]
        markers = ""
    env = {**os.environ, "BENCH_MANIFEST": str(manifest)}
    if env_file:
        env["BENCH_ENV_FILE"] = str(env_file)
    floor_cmd = [sys.executable, "-m", "benchmarks.floor", "postdeploy", f"--manifest={manifest}"]
    if env_file:
        floor_cmd.append(f"--env-file={env_file}")
    rows = {
        "suite": measure(
            "suite (serial)", suite_command(manifest, env_file, suite_paths, markers, 0, tmp), runs
        ),
        "suite_n2": measure(
            "suite (-n 2)", suite_command(manifest, env_file, suite_paths, markers, 2, tmp), runs
        ),
        "testinfra": measure(
            "usual testinfra way",
            [sys.executable, "-m", "pytest", *naive_paths, "-q"],
            runs,
            env,
        ),
        "floor": measure("floor (raw calls only)", floor_cmd, runs),
    }
    count = counted_tests(rows["suite"]["last_line"])
    rows["pytest_empty"] = measure(
        f"pytest + JUnit + HTML ({count} empty)", empty_tests_command(count, tmp), runs
    )
    libraries = LIBRARIES + (DATABASE_LIBRARIES if size == REFERENCE_SIZE else ())
    rows["pytest_libraries"] = measure(
        "the same, libraries imported", empty_tests_command(count, tmp, libraries), runs
    )
    result: dict[str, Any] = {"size": size, "rows": rows}
    if size == REFERENCE_SIZE:
        pre_floor = [
            sys.executable, "-m", "benchmarks.floor", "preflight",
            f"--manifest={manifest}", f"--env-file={env_file}",
        ]  # fmt: skip
        rows["preflight"] = measure(
            "pre-flight suite (serial)",
            suite_command(manifest, env_file, ["checks"], "preflight", 0, tmp),
            runs,
        )
        rows["preflight_floor"] = measure("pre-flight floor", pre_floor, runs)
        rows["fixed"] = measure(
            "suite, no check selected",
            suite_command(manifest, env_file, ["checks"], "postdeploy and preflight", 0, tmp),
            runs,
        )
    return result


def ratios(sizes: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The goals, as measured ratios (medians)."""
    out: dict[str, Any] = {}
    for size, data in sizes.items():
        rows = data["rows"]
        suite = rows["suite"]["median"]
        out[f"{size}: testinfra way / suite"] = round(rows["testinfra"]["median"] / suite, 2)
        out[f"{size}: suite / floor"] = round(suite / rows["floor"]["median"], 2)
        out[f"{size}: suite -n 2 / floor"] = round(
            rows["suite_n2"]["median"] / rows["floor"]["median"], 2
        )
        if "pytest_empty" in rows:
            out[f"{size}: pytest itself / floor"] = round(
                rows["pytest_empty"]["median"] / rows["floor"]["median"], 2
            )
        if "pytest_libraries" in rows:
            out[f"{size}: pytest + libraries / floor"] = round(
                rows["pytest_libraries"]["median"] / rows["floor"]["median"], 2
            )
        if "preflight" in rows:
            out[f"{size}: pre-flight / its floor"] = round(
                rows["preflight"]["median"] / rows["preflight_floor"]["median"], 2
            )
    if REFERENCE_SIZE in sizes and 200 in sizes:
        out["200 / 12 (suite)"] = round(
            sizes[200]["rows"]["suite"]["median"]
            / sizes[REFERENCE_SIZE]["rows"]["suite"]["median"],
            2,
        )
    return out


GOALS: dict[str, tuple[str, float | dict[int, float]]] = {
    "testinfra way / suite": (">=", {12: 3.0, 200: 10.0}),
    "suite / floor": ("<=", 2.0),
    "pre-flight / its floor": ("<=", 2.0),
    "200 / 12 (suite)": ("<=", 3.0),
}


def goal_met(key: str, value: float) -> bool | None:
    """Whether a ratio meets its goal (None: no goal for it)."""
    for suffix, (op, target) in GOALS.items():
        if key.endswith(suffix) and "-n 2" not in key:
            if isinstance(target, dict):
                size = int(key.split(":")[0])
                if size not in target:
                    return None
                limit = float(target[size])
            else:
                limit = float(target)
            return bool(value >= limit) if op == ">=" else bool(value <= limit)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Measure every size, print the table and write the JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m runbook.benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="12,50,200", help="comma-separated container counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median; >= 1)")
    parser.add_argument("--json", type=Path, default=REPO / "reports" / "benchmark.json")
    parser.add_argument("--keep", action="store_true", help="leave the synthetic project up")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[int, dict[str, Any]] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rdybench-") as tmp_name:
        tmp = Path(tmp_name)
        for size in sizes:
            print(
                f"== {size} containers" + (" (reference stack)" if size == REFERENCE_SIZE else "")
            )
            print(f"  {'configuration':<34}{'median':>8}{'min':>8}{'max':>8}{'RSS MB':>9}")
            project = None
            try:
                if size != REFERENCE_SIZE:
                    project = synthetic.Synthetic(tmp / "rdybench", size)
                    took = synthetic.up(project)
                    print(f"  (rdybench: {size} containers healthy in {took:.0f} s)", flush=True)
                results[size] = bench_size(size, args.runs, tmp)
            finally:
                if project is not None and not args.keep:
                    synthetic.down(project)
    table = ratios(results)
    print("== ratios (medians)")
    for key, value in table.items():
        met = goal_met(key, value)
        mark = "" if met is None else ("  goal met" if met else "  goal NOT met")
        print(f"  {key:<36}{value:>7.2f}{mark}")
    load_after = os.getloadavg()
    print(
        f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    doc = {
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": load_before,
            "load_after": load_after,
        },
        "runs": args.runs,
        "sizes": {str(k): v for k, v in results.items()},
        "ratios": table,
        "goals_met": {k: goal_met(k, v) for k, v in table.items()},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"written: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
