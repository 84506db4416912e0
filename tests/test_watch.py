"""runbook.watch against its own small compose project (rdywatch), never the reference stack.

rdywatch has two services with limits and a healthcheck, built FROM the local base image:
``idle`` and ``hog``, which allocates memory steadily up to ~80% of its 64M limit. The 20 s run
is the default; the 2-minute run of the issue is opt-in: READINESS_WATCH_LONG=1.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import pytest

from tests.harness import ROOT
from tests.watch_support import RestartableEngine, rdywatch_project


@pytest.fixture(scope="module")
def rdywatch() -> Iterator[str]:
    """The rdywatch project, up and healthy for this module, torn down after it."""
    with rdywatch_project() as project:
        yield project


def watch(
    out: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m runbook.watch`` to ``out``, captured."""
    return subprocess.run(
        [sys.executable, "-m", "runbook.watch", f"--out={out}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, **(env or {})},
    )


def rows(out: Path) -> list[dict[str, str]]:
    with (out / "samples.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def assert_report(out: Path, min_rounds: int) -> dict[str, Any]:
    """CSV rows for both services, sane PNGs, and hog named near its limit; returns services."""
    table = rows(out)
    for service in ("idle", "hog"):
        series = [r for r in table if r["service"] == service]
        assert len(series) >= min_rounds, (service, len(series))
        assert series[0]["cpu_cores"] == ""  # a CPU value needs two readings
        assert all(r["cpu_cores"] != "" for r in series[1:])
    assert len((out / "samples.jsonl").read_text().splitlines()) == len(table)
    for name in ("memory.png", "cpu.png"):
        png = out / name
        assert png.stat().st_size > 10_000
        height, width = mpimg.imread(str(png)).shape[:2]
        assert 800 <= width <= 2000, (name, width)
        assert 250 <= height <= 1200, (name, height)
    doc = json.loads((out / "recommendations.json").read_text())
    services = {s["service"]: s for s in doc["services"]}
    hog = services["hog"]
    assert hog["memory_limit_bytes"] == 64 * 1024**2
    assert any("MEMORY NEAR LIMIT" in f or "MEMORY AT LIMIT" in f for f in hog["flags"]), hog
    assert hog["suggested_memory_bytes"] >= hog["memory"]["max"]
    # One throttled 100 ms period of an idle container on a busy 2-core machine is scheduler
    # noise, which the report notes as "cpu throttled briefly" and does not count as a hit.
    idle_flags = [f for f in services["idle"]["flags"] if not f.startswith("cpu throttled briefly")]
    assert idle_flags == [], services["idle"]
    md = (out / "recommendations.md").read_text()
    hog_row = next(line for line in md.splitlines() if line.startswith("| **hog**"))
    assert "LIMIT" in hog_row
    assert "| 64MiB |" in hog_row
    return services


def test_watch_20s_samples_charts_and_recommends(rdywatch: str, tmp_path: Path) -> None:
    t0 = time.monotonic()
    proc = watch(
        tmp_path,
        "--duration",
        "20s",
        "--interval",
        "5s",
        "--health-every",
        "10s",
        f"--project-name={rdywatch}",
    )
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 20 <= elapsed < 40
    progress = [line for line in proc.stdout.splitlines() if line.startswith("[watch] round")]
    assert len(progress) >= 4
    assert "2 services sampled" in progress[-1]
    assert "left" in progress[-1]
    services = assert_report(tmp_path, min_rounds=4)
    hog = [r for r in rows(tmp_path) if r["service"] == "hog"]
    assert int(hog[-1]["memory_bytes"]) > int(hog[0]["memory_bytes"])  # it grows
    assert services["hog"]["memory"]["max"] > 0.7 * 64 * 1024**2


def test_sigterm_writes_the_report_of_what_was_seen(rdywatch: str, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runbook.watch",
            "--duration=24h",
            "--interval=2s",
            f"--project-name={rdywatch}",
            f"--out={tmp_path}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (tmp_path / "samples.csv").exists() and len(rows(tmp_path)) >= 6:
                break
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 1), err
    assert "SIGTERM: stopping" in out
    assert "Traceback" not in err
    stop = json.loads((tmp_path / "events.jsonl").read_text().splitlines()[-1])
    assert stop["event"] == "stop"
    assert stop["interrupted"] is True
    assert (tmp_path / "memory.png").exists()
    assert (tmp_path / "recommendations.md").exists()


def test_watch_survives_the_engine_going_away(rdywatch: str, tmp_path: Path) -> None:
    engine = RestartableEngine(tmp_path / "engine.sock")
    engine.up()
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "runbook.watch",
            "--duration=25s",
            "--interval=2s",
            f"--project-name={rdywatch}",
            f"--out={out}",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DOCKER_HOST": engine.url},
    )
    try:
        time.sleep(6)
        engine.down()
        time.sleep(6)
        engine.up()
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
        engine.down()
    assert proc.returncode in (0, 1), stdout + stderr
    assert "engine unreachable" in stdout
    assert "engine back" in stdout
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    gaps = [e for e in events if e["event"] == "gap"]
    assert len(gaps) == 1
    assert gaps[0]["to_elapsed_s"] - gaps[0]["from_elapsed_s"] >= 4
    after = [r for r in rows(out) if float(r["elapsed_s"]) > gaps[0]["to_elapsed_s"] - 0.5]
    assert {r["service"] for r in after} == {"idle", "hog"}
    assert "## Gaps (engine unreachable)" in (out / "recommendations.md").read_text()


@pytest.mark.skipif(
    os.environ.get("READINESS_WATCH_LONG") != "1", reason="2-minute run: READINESS_WATCH_LONG=1"
)
def test_watch_2m(rdywatch: str, tmp_path: Path) -> None:
    proc = watch(tmp_path, "--duration", "2m", "--interval", "5s", f"--project-name={rdywatch}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_report(tmp_path, min_rounds=24)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--duration", "5x"], "duration like"),
        (["--interval", "0s"], "positive"),
        (["--duration", "1m", "--interval", "2m"], "longer than --duration"),
        (["--bogus"], "unrecognized arguments"),
        (["--headroom", "0.5"], "headroom"),
        (["--manifest", "/nonexistent/readiness.yml"], "nonexistent"),
        (["--report", "/nonexistent"], "no series"),
    ],
)
def test_bad_input_is_one_line_and_exit_4(args: list[str], says: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COMPOSE_PROJECT_NAME"}
    proc = subprocess.run(
        [sys.executable, "-m", "runbook.watch", f"--out={tmp_path}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert says in proc.stderr
    assert "Traceback" not in proc.stderr
