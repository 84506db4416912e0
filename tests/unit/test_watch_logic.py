"""runbook.watch's pure parts on plain data: durations, stats arithmetic, limits, flags, charts."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import matplotlib.image as mpimg
import pytest
import requests

from readiness.operations.watch import (
    MIB,
    Reading,
    Sample,
    SeriesWriter,
    WatchLoop,
    cpu_cores,
    hit_limit,
    markdown_report,
    memory_in_use,
    parse_duration,
    percentile,
    read_events,
    read_samples,
    reading_from,
    recommend,
    status_health,
    suggest_cpu,
    suggest_memory,
)
from readiness.reports.charts import usage_grid


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("2m", 120), ("24h", 86400), ("1d", 86400), ("1h30m", 5400), ("45", 45)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "m", "-1s", "0s", "1.5.2m", "2 m x"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_percentile_interpolates_like_numpy() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([], 95) == 0.0
    assert percentile([7.0], 99) == 7.0


def test_suggested_memory_has_headroom_sensible_units_and_covers_the_max() -> None:
    assert suggest_memory(100 * MIB, 100 * MIB) == 144 * MIB  # 130 MiB -> 16 MiB steps
    assert suggest_memory(600 * MIB, 610 * MIB) == 832 * MIB  # 780 MiB -> 64 MiB steps
    assert suggest_memory(2000 * MIB, 2000 * MIB) == 2816 * MIB  # 2600 MiB -> 256 MiB steps
    assert suggest_memory(10 * MIB, 300 * MIB) == 320 * MIB  # never below the observed max
    assert suggest_memory(1 * MIB, 1 * MIB) == 32 * MIB  # floor


def test_suggested_cpu_rounds_up_and_covers_the_max() -> None:
    assert suggest_cpu(0.5, 0.5) == 0.65
    assert suggest_cpu(0.2, 0.9) == 0.9
    assert suggest_cpu(2.0, 2.0) == 2.75
    assert suggest_cpu(0.0, 0.0) == 0.1


def _stats(total: int, system: int, usage: int, inactive: int, throttled: int = 0) -> Any:
    return {
        "cpu_stats": {
            "cpu_usage": {"total_usage": total},
            "system_cpu_usage": system,
            "online_cpus": 2,
            "throttling_data": {"periods": 100, "throttled_periods": throttled},
        },
        "memory_stats": {"usage": usage, "stats": {"inactive_file": inactive}},
    }


ATTRS: Any = {
    "Name": "/p-hog-1",
    "Config": {"Labels": {"com.docker.compose.service": "hog"}},
    "HostConfig": {"NanoCpus": 500_000_000, "Memory": 64 * MIB},
    "State": {"Running": True, "OOMKilled": False, "Health": {"Status": "healthy"}},
    "RestartCount": 0,
}


def test_reading_from_inspect_and_one_shot_stats() -> None:
    r = reading_from(ATTRS, _stats(10**9, 10**12, 50 * MIB, 2 * MIB, throttled=3))
    assert (r.service, r.container, r.health) == ("hog", "p-hog-1", "healthy")
    assert r.memory_bytes == 48 * MIB  # inactive page cache is not usage (docker stats)
    assert (r.memory_limit_bytes, r.cpu_limit) == (64 * MIB, 0.5)
    assert (r.periods, r.throttled_periods) == (100, 3)
    unbounded = reading_from({**ATTRS, "HostConfig": {"CpuQuota": 50000, "CpuPeriod": 100000}}, {})
    assert (unbounded.cpu_limit, unbounded.memory_limit_bytes, unbounded.memory_bytes) == (
        0.5,
        0,
        0,
    )


def test_memory_in_use_tolerates_cgroup_v1_and_missing_fields() -> None:
    assert memory_in_use({"usage": 100, "stats": {"total_inactive_file": 30}}) == 70
    assert memory_in_use({}) == 0
    assert memory_in_use({"usage": 10, "stats": {"inactive_file": 50}}) == 10


def test_cpu_from_consecutive_one_shot_readings() -> None:
    first = reading_from(ATTRS, _stats(1_000_000_000, 100_000_000_000, 0, 0))
    # 0.5 s of container CPU while the 2-CPU system counted 10 s (5 s of wall time): 0.1 cores
    second = reading_from(ATTRS, _stats(1_500_000_000, 110_000_000_000, 0, 0))
    assert cpu_cores(first, second) == pytest.approx(0.1)
    assert cpu_cores(None, second) is None
    assert cpu_cores(second, first) is None  # counters went back: the container restarted


def _samples(service: str, memory: list[float], limit: float = 64, **kw: Any) -> list[Sample]:
    out = []
    for i, mib in enumerate(memory):
        fields: dict[str, Any] = {
            "time": f"t{i}",
            "elapsed_s": 5.0 * i,
            "round": i + 1,
            "service": service,
            "container": f"{service}-1",
            "cpu_cores": None if i == 0 else 0.2,
            "memory_bytes": int(mib * MIB),
            "memory_limit_bytes": int(limit * MIB),
            "cpu_limit": 0.5,
            "periods": 100 * i,
            "throttled_periods": 0,
            "oom_killed": False,
            "restart_count": 0,
            "health": "healthy",
        }
        fields.update({k: v(i) if callable(v) else v for k, v in kw.items()})
        out.append(Sample(**fields))
    return out


def test_recommendations_flag_services_that_hit_or_near_their_limit() -> None:
    samples = [
        *_samples("calm", [10, 11, 12, 11]),
        *_samples("near", [20, 40, 50, 52]),
        *_samples("full", [40, 55, 62, 63]),
        *_samples(
            "killed", [30, 60, 5, 6], oom_killed=lambda i: i >= 2, restart_count=lambda i: i >= 2
        ),
        *_samples("throttled", [5, 5, 5, 5], throttled_periods=lambda i: 20 * i),
        *_samples("bursty", [5, 5, 5, 5], throttled_periods=lambda i: 1 if i == 3 else 0),
        *_samples("wild", [5, 5], limit=0),
    ]
    recs = {r.service: r for r in recommend(samples)}
    assert recs["calm"].flags == ()
    assert recs["calm"].suggested_memory_bytes == 32 * MIB
    assert recs["near"].flags == ("MEMORY NEAR LIMIT (81%)",)
    assert not hit_limit(recs["near"])
    assert recs["full"].flags == ("MEMORY AT LIMIT (98%)",)
    assert hit_limit(recs["full"])
    assert recs["full"].suggested_memory_bytes == 96 * MIB  # p99 62.97 x 1.3 = 81.9 -> 96
    assert recs["killed"].flags[:2] == ("OOM-KILLED", "RESTARTED x1")
    assert recs["throttled"].flags == ("CPU THROTTLED (60/300 periods)",)
    assert recs["bursty"].flags == ("cpu throttled briefly (1/300 periods)",)
    assert not hit_limit(recs["bursty"])
    assert "UNBOUNDED" in recs["wild"].flags
    assert recs["near"].cpu.p99 == pytest.approx(0.2)  # the first round has no CPU value
    md = markdown_report(
        list(recs.values()),
        project="p",
        started="a",
        ended="b",
        elapsed_s=15,
        interval_s=5,
        headroom=1.3,
        gaps=[{"from": "x", "to": "y", "error": "ConnectionError: refused"}],
    )
    assert "**Hit their limit:** full, killed, throttled." in md
    assert "| **near** |" in md
    assert "| 64MiB |" in md
    assert "ConnectionError: refused" in md


def test_sparse_listing_health() -> None:
    assert status_health("running", "Up 2 minutes (healthy)") == "healthy"
    assert status_health("running", "Up 5 seconds (health: starting)") == "starting"
    assert status_health("running", "Up 1 hour") == "none"
    assert status_health("exited", "Exited (137) 3 seconds ago") == "exited"


def test_chart_breaks_at_gaps_and_has_a_sane_size(tmp_path: Path) -> None:
    samples = _samples("a", [10, 20, 30, 40]) + _samples("b", [5, 5, 5, 5], limit=0)
    samples[2] = Sample(**{**samples[2].__dict__, "elapsed_s": 60.0})
    path = usage_grid(samples, "memory", tmp_path / "m.png", interval_s=5)
    height, width = mpimg.imread(str(path)).shape[:2]
    assert (width, height) == (960, 320)
    usage_grid([], "cpu", tmp_path / "empty.png", interval_s=5)
    with pytest.raises(ValueError, match="metric"):
        usage_grid(samples, "disk", tmp_path / "x.png", interval_s=5)


class FlakySampler:
    """Answers rounds 1-2, raises like a restarting engine for 2 calls, then answers again."""

    project = "p"

    def __init__(self) -> None:
        self.calls = 0
        self.resets = 0

    def health(self) -> dict[str, str]:
        return {"hog": "healthy"}

    def round(self) -> tuple[list[Reading], int]:
        self.calls += 1
        if self.calls in (3, 4):
            raise requests.ConnectionError("Connection refused")
        stats = _stats(10**8 * self.calls, 10**10 * self.calls, 40 * MIB, 0)
        return [reading_from(ATTRS, stats)], 1

    def reset(self) -> None:
        self.resets += 1


def test_loop_records_a_gap_and_goes_on_after_the_engine_comes_back(tmp_path: Path) -> None:
    sampler = FlakySampler()
    writer = SeriesWriter(tmp_path)
    lines: list[str] = []
    loop = WatchLoop(
        sampler,  # type: ignore[arg-type]
        writer,
        duration=5.0,
        interval=0.5,
        health_every=10,
        stop=threading.Event(),
        say=lines.append,
    )
    result = loop.run()
    writer.close()
    assert sampler.resets == 2
    assert len(result.gaps) == 1
    assert "ConnectionError" in result.gaps[0]["error"]
    samples = read_samples(tmp_path / "samples.csv")
    assert len(samples) == result.rounds >= 4
    assert read_samples(tmp_path / "samples.jsonl") == samples
    # after the gap the first CPU value is unknown again: no pair across a gap
    assert [s.cpu_cores is None for s in samples][:4] == [True, False, True, False]
    kinds = [e["event"] for e in read_events(tmp_path / "events.jsonl")]
    assert kinds[:2] == ["start", "health"]
    assert "gap_start" in kinds
    assert "gap" in kinds
    assert kinds[-1] == "stop"
    assert any("engine unreachable" in line for line in lines)
    assert any("engine back" in line for line in lines)
