"""Watch a compose project's resource usage over time and rebuild the 2.3 limits table from it.

Seed section 7: "Monitor resource usage for 24h to refine limits." The pure parts (durations,
stats arithmetic, percentiles, suggested limits, flags, the Markdown table) work on plain data;
``Sampler`` reads the engine through the docker SDK (one container listing and one one-shot
``stats`` per container per round, concurrently) and never changes anything.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import json
import math
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import requests
from docker.errors import DockerException, NotFound

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
MIB = 1024**2
GIB = 1024**3

AT_LIMIT = 0.95
"""Memory usage at or above this share of the limit: the service hit its limit."""
NEAR_LIMIT = 0.75
"""Memory usage at or above this share of the limit: the service is near its limit."""
THROTTLED_SHARE = 0.05
THROTTLED_MIN = 10
"""CPU throttled in at least this share of the scheduler periods in which it ran, and at least
this many periods (1 s at the default 100 ms period): the service hit its CPU limit. Fewer is
noted ("throttled briefly") but is not a hit: a few bursty periods are normal."""
DEFAULT_HEADROOM = 1.3
"""Suggested limit = p99 x headroom (never below the observed maximum)."""

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """Seconds in ``90s``, ``2m``, ``24h``, ``1d``, ``1h30m`` or a bare number of seconds."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        seconds = float(value)
    elif value and _DURATION.sub("", value) == "":
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(value))
    else:
        raise ValueError(f"expected a duration like 90s, 2m or 24h, got {text!r}")
    if seconds <= 0:
        raise ValueError(f"expected a positive duration, got {text!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """``1:02:03`` style (hours may exceed 24)."""
    total = max(0, round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


# ---------------------------------------------------------------- stats arithmetic (pure)


@dataclass(frozen=True)
class Reading:
    """One container's raw counters at one moment, from one one-shot stats call + inspect."""

    service: str
    container: str
    cpu_total_ns: int
    system_ns: int
    online_cpus: int
    memory_bytes: int
    memory_limit_bytes: int
    """The declared limit (HostConfig.Memory); 0 when unbounded."""
    cpu_limit: float
    """Declared CPU limit in cores (HostConfig.NanoCpus or quota/period); 0 when unbounded."""
    periods: int
    throttled_periods: int
    oom_killed: bool
    restart_count: int
    running: bool
    health: str


def memory_in_use(memory_stats: Mapping[str, Any]) -> int:
    """Bytes in use the way ``docker stats`` counts them: usage less the inactive page cache."""
    usage = int(memory_stats.get("usage") or 0)
    stats = memory_stats.get("stats") or {}
    cache = int(stats.get("inactive_file", stats.get("total_inactive_file", 0)) or 0)
    return usage - cache if 0 <= cache <= usage else usage


def cpu_limit_of(host_config: Mapping[str, Any]) -> float:
    """Declared CPU limit in cores: NanoCpus, else CpuQuota/CpuPeriod; 0 when unbounded."""
    nano = int(host_config.get("NanoCpus") or 0)
    if nano:
        return nano / 1e9
    quota, period = int(host_config.get("CpuQuota") or 0), int(host_config.get("CpuPeriod") or 0)
    return quota / period if quota > 0 and period > 0 else 0.0


def health_of(attrs: Mapping[str, Any]) -> str:
    """``healthy``/``unhealthy``/``starting``, ``none`` without a healthcheck, or the state."""
    state = attrs.get("State") or {}
    if not state.get("Running"):
        return str(state.get("Status") or "unknown")
    return str((state.get("Health") or {}).get("Status") or "none")


def reading_from(attrs: Mapping[str, Any], stats: Mapping[str, Any]) -> Reading:
    """A Reading from a container's inspect attributes and one one-shot stats document."""
    cpu = stats.get("cpu_stats") or {}
    usage = cpu.get("cpu_usage") or {}
    host = attrs.get("HostConfig") or {}
    state = attrs.get("State") or {}
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    throttling = cpu.get("throttling_data") or {}
    online = int(cpu.get("online_cpus") or len(usage.get("percpu_usage") or []) or 1)
    return Reading(
        service=str(labels.get(SERVICE_LABEL, "?")),
        container=str(attrs.get("Name", "")).lstrip("/"),
        cpu_total_ns=int(usage.get("total_usage") or 0),
        system_ns=int(cpu.get("system_cpu_usage") or 0),
        online_cpus=online,
        memory_bytes=memory_in_use(stats.get("memory_stats") or {}),
        memory_limit_bytes=int(host.get("Memory") or 0),
        cpu_limit=cpu_limit_of(host),
        periods=int(throttling.get("periods") or 0),
        throttled_periods=int(throttling.get("throttled_periods") or 0),
        oom_killed=bool(state.get("OOMKilled")),
        restart_count=int(attrs.get("RestartCount") or 0),
        running=bool(state.get("Running")),
        health=health_of(attrs),
    )


def cpu_cores(previous: Reading | None, current: Reading) -> float | None:
    """CPU used between two readings, in cores (docker's CPU % / 100); None without a pair."""
    if previous is None or previous.container != current.container:
        return None
    d_cpu = current.cpu_total_ns - previous.cpu_total_ns
    d_sys = current.system_ns - previous.system_ns
    if d_cpu < 0 or d_sys <= 0:
        return None  # the container restarted (counters reset) or no system time elapsed
    return d_cpu / d_sys * current.online_cpus


# ---------------------------------------------------------------- the time series


@dataclass(frozen=True)
class Sample:
    """One row of the time series: one service at one round."""

    time: str
    elapsed_s: float
    round: int
    service: str
    container: str
    cpu_cores: float | None
    memory_bytes: int
    memory_limit_bytes: int
    cpu_limit: float
    periods: int
    throttled_periods: int
    oom_killed: bool
    restart_count: int
    health: str


SAMPLE_FIELDS = [f.name for f in fields(Sample)]


def sample_row(sample: Sample) -> dict[str, Any]:
    """The CSV row (empty cell for an unknown CPU value)."""
    row = asdict(sample)
    row["cpu_cores"] = "" if sample.cpu_cores is None else f"{sample.cpu_cores:.4f}"
    return row


def sample_from_row(row: Mapping[str, Any]) -> Sample:
    """A Sample from a CSV row or a JSON object (what ``sample_row``/``asdict`` wrote)."""
    cpu = row.get("cpu_cores")
    return Sample(
        time=str(row["time"]),
        elapsed_s=float(row["elapsed_s"]),
        round=int(row["round"]),
        service=str(row["service"]),
        container=str(row["container"]),
        cpu_cores=None if cpu in (None, "") else float(cpu),
        memory_bytes=int(row["memory_bytes"]),
        memory_limit_bytes=int(row["memory_limit_bytes"]),
        cpu_limit=float(row["cpu_limit"]),
        periods=int(row.get("periods") or 0),
        throttled_periods=int(row["throttled_periods"]),
        oom_killed=str(row["oom_killed"]).lower() in ("true", "1"),
        restart_count=int(row["restart_count"]),
        health=str(row["health"]),
    )


class SeriesWriter:
    """Appends samples to ``samples.csv`` and ``samples.jsonl`` and events to ``events.jsonl``.

    Every line is flushed as it is written, so a crash loses at most the round in progress.
    """

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.csv_path = out / "samples.csv"
        self.json_path = out / "samples.jsonl"
        self.events_path = out / "events.jsonl"
        new = not self.csv_path.exists() or self.csv_path.stat().st_size == 0
        self._csv = self.csv_path.open("a", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._csv, fieldnames=SAMPLE_FIELDS)
        if new:
            self._writer.writeheader()
        self._json = self.json_path.open("a", encoding="utf-8")
        self._events = self.events_path.open("a", encoding="utf-8")

    def samples(self, samples: Iterable[Sample]) -> None:
        """Append one round."""
        for sample in samples:
            self._writer.writerow(sample_row(sample))
            self._json.write(json.dumps(asdict(sample)) + "\n")
        self._csv.flush()
        self._json.flush()

    def event(self, kind: str, **data: Any) -> None:
        """Append one event (gap, health check, start, stop)."""
        self._events.write(json.dumps({"event": kind, **data}) + "\n")
        self._events.flush()

    def close(self) -> None:
        """Close the files."""
        for handle in (self._csv, self._json, self._events):
            handle.close()


def read_samples(path: Path) -> list[Sample]:
    """The samples of a ``samples.csv`` (or ``samples.jsonl``) written by SeriesWriter."""
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").splitlines()
        return [sample_from_row(json.loads(line)) for line in lines if line.strip()]
    with path.open(newline="", encoding="utf-8") as handle:
        return [sample_from_row(row) for row in csv.DictReader(handle)]


def read_events(path: Path) -> list[dict[str, Any]]:
    """The events of an ``events.jsonl``."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# ---------------------------------------------------------------- recommendations (pure)


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile with linear interpolation (numpy's default); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step - 1e-9) * step


def suggest_memory(p99: float, observed_max: float, headroom: float = DEFAULT_HEADROOM) -> int:
    """Bytes: p99 x headroom, never below the observed max, rounded up to a sensible unit.

    Steps: 16 MiB below 256 MiB, 64 MiB below 1 GiB, 256 MiB below 4 GiB, 512 MiB above;
    at least 32 MiB.
    """
    want = max(p99 * headroom, observed_max, 32 * MIB)
    if want <= 256 * MIB:
        step = 16 * MIB
    elif want <= GIB:
        step = 64 * MIB
    elif want <= 4 * GIB:
        step = 256 * MIB
    else:
        step = 512 * MIB
    return int(_round_up(want, step))


def suggest_cpu(p99: float, observed_max: float, headroom: float = DEFAULT_HEADROOM) -> float:
    """Cores: p99 x headroom, never below the observed max, rounded up (0.05 / 0.25 / 0.5)."""
    want = max(p99 * headroom, observed_max, 0.1)
    step = 0.05 if want <= 1 else 0.25 if want <= 4 else 0.5
    return round(_round_up(want, step), 2)


def format_bytes(value: float) -> str:
    """``768MiB``, ``1.5GiB``, ``12.3MiB``."""
    if value >= GIB:
        return f"{value / GIB:.3g}GiB"
    mib = value / MIB
    return f"{mib:.0f}MiB" if mib >= 100 or mib == int(mib) else f"{mib:.1f}MiB"


def format_cores(value: float) -> str:
    """``0.75``, ``2``."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class Stats:
    """p50/p95/p99/max of one metric of one service."""

    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        """The summary of ``values``."""
        return cls(
            percentile(values, 50),
            percentile(values, 95),
            percentile(values, 99),
            max(values, default=0.0),
        )


@dataclass(frozen=True)
class Recommendation:
    """One row of the rebuilt 2.3 table."""

    service: str
    samples: int
    cpu: Stats
    memory: Stats
    cpu_limit: float
    memory_limit_bytes: int
    suggested_cpu: float
    suggested_memory_bytes: int
    periods: int
    throttled_periods: int
    oom_killed: bool
    restarts: int
    flags: tuple[str, ...] = field(default=())

    @property
    def status(self) -> str:
        """The flags joined, or ``ok``."""
        return ", ".join(self.flags) or "ok"


def recommend(
    samples: Iterable[Sample], headroom: float = DEFAULT_HEADROOM
) -> list[Recommendation]:
    """Per service: percentiles, current limits, suggested limits and flags, by service name."""
    by_service: dict[str, list[Sample]] = {}
    for sample in samples:
        by_service.setdefault(sample.service, []).append(sample)
    rows = []
    for service, series in sorted(by_service.items()):
        series.sort(key=lambda s: s.elapsed_s)
        cpu = Stats.of([s.cpu_cores for s in series if s.cpu_cores is not None])
        memory = Stats.of([float(s.memory_bytes) for s in series])
        last = series[-1]
        throttled = _increase([s.throttled_periods for s in series], by_container(series))
        periods = _increase([s.periods for s in series], by_container(series))
        restarts = _increase([s.restart_count for s in series], by_container(series))
        oom = any(s.oom_killed for s in series)
        flags: list[str] = []
        if oom:
            flags.append("OOM-KILLED")
        if restarts:
            flags.append(f"RESTARTED x{restarts}")
        mem_limit = last.memory_limit_bytes
        if mem_limit and memory.max >= AT_LIMIT * mem_limit:
            flags.append(f"MEMORY AT LIMIT ({memory.max / mem_limit:.0%})")
        elif mem_limit and memory.max >= NEAR_LIMIT * mem_limit:
            flags.append(f"MEMORY NEAR LIMIT ({memory.max / mem_limit:.0%})")
        if throttled >= THROTTLED_MIN and throttled >= THROTTLED_SHARE * periods:
            flags.append(f"CPU THROTTLED ({throttled}/{periods} periods)")
        elif throttled:
            flags.append(f"cpu throttled briefly ({throttled}/{periods} periods)")
        if last.cpu_limit and cpu.p95 >= AT_LIMIT * last.cpu_limit:
            flags.append("CPU AT LIMIT")
        if not mem_limit or not last.cpu_limit:
            flags.append("UNBOUNDED")
        rows.append(
            Recommendation(
                service=service,
                samples=len(series),
                cpu=cpu,
                memory=memory,
                cpu_limit=last.cpu_limit,
                memory_limit_bytes=mem_limit,
                suggested_cpu=suggest_cpu(cpu.p99, cpu.max, headroom),
                suggested_memory_bytes=suggest_memory(memory.p99, memory.max, headroom),
                periods=periods,
                throttled_periods=throttled,
                oom_killed=oom,
                restarts=restarts,
                flags=tuple(flags),
            )
        )
    return rows


def by_container(series: Sequence[Sample]) -> list[str]:
    """The container of each sample (counters reset when the container is replaced)."""
    return [s.container for s in series]


def _increase(values: Sequence[int], containers: Sequence[str]) -> int:
    """How much a cumulative counter grew, summed per container (a reset starts a new run)."""
    total = 0
    for i in range(1, len(values)):
        if containers[i] == containers[i - 1] and values[i] > values[i - 1]:
            total += values[i] - values[i - 1]
    return total


BLOCKING_FLAGS = ("OOM-KILLED", "RESTARTED", "MEMORY AT LIMIT", "CPU AT LIMIT", "CPU THROTTLED")
"""Flags that mean a service hit its limit during the watch (exit code 1)."""


def hit_limit(rec: Recommendation) -> bool:
    """The service hit its limit or was OOM-killed/restarted during the watch."""
    return any(flag.startswith(BLOCKING_FLAGS) for flag in rec.flags)


def markdown_report(
    recs: Sequence[Recommendation],
    *,
    project: str,
    started: str,
    ended: str,
    elapsed_s: float,
    interval_s: float,
    headroom: float,
    gaps: Sequence[Mapping[str, Any]] = (),
    health: Sequence[Mapping[str, Any]] = (),
    charts: Sequence[str] = (),
) -> str:
    """The recommendations in Markdown: the seed's 2.3 resource table rebuilt from evidence."""
    hit = [r.service for r in recs if hit_limit(r)]
    lines = [
        f"# Resource usage of `{project}`: recommended limits",
        "",
        f"Watched {format_duration(elapsed_s)} from {started} to {ended}, one sample every "
        f"{format_duration(interval_s)}. Suggested limit = p99 x {headroom:g}, never below the "
        "observed maximum, rounded up. CPU in cores (1 = one CPU, `docker stats` 100%).",
        "",
        (
            f"**Hit their limit:** {', '.join(hit)}."
            if hit
            else "**No service hit its limit** (memory >= 95% of limit, CPU throttling, OOM kill)."
        ),
        "",
        "## 2.3 Resource Allocation (from evidence)",
        "",
        "| Service | CPU p50 / p95 / p99 / max | CPU limit | Suggested CPU "
        "| Memory p50 / p95 / p99 / max | Memory limit | Suggested memory | Samples | Status |",
        "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :--- |",
    ]
    for r in recs:
        cpu = " / ".join(format_cores(v) for v in (r.cpu.p50, r.cpu.p95, r.cpu.p99, r.cpu.max))
        mem = " / ".join(
            format_bytes(v) for v in (r.memory.p50, r.memory.p95, r.memory.p99, r.memory.max)
        )
        cpu_limit = format_cores(r.cpu_limit) if r.cpu_limit else "*unbounded*"
        mem_limit = format_bytes(r.memory_limit_bytes) if r.memory_limit_bytes else "*unbounded*"
        status = f"**{r.status}**" if hit_limit(r) else r.status
        lines.append(
            f"| **{r.service}** | {cpu} | {cpu_limit} | {format_cores(r.suggested_cpu)} "
            f"| {mem} | {mem_limit} | {format_bytes(r.suggested_memory_bytes)} "
            f"| {r.samples} | {status} |"
        )
    if not recs:
        lines.append("| *no samples* | | | | | | | | |")
    lines += ["", "## Gaps (engine unreachable)", ""]
    lines += [f"- {g.get('from', '?')} to {g.get('to', '?')}: {g.get('error', '')}" for g in gaps]
    if not gaps:
        lines.append("None.")
    unhealthy = [h for h in health if h.get("unhealthy")]
    lines += ["", "## Health checks", ""]
    lines.append(
        f"{len(health)} health checks, {len(unhealthy)} with a service not healthy."
        if health
        else "No health check ran."
    )
    lines += [
        f"- {h.get('time', '?')}: not healthy: "
        + ", ".join(f"{k} ({v})" for k, v in sorted(h["unhealthy"].items()))
        for h in unhealthy
    ]
    if charts:
        lines += ["", "## Charts", ""]
        lines += [f"![{Path(c).stem}]({Path(c).name})" for c in charts]
    return "\n".join(lines) + "\n"


def recommendations_json(recs: Sequence[Recommendation]) -> list[dict[str, Any]]:
    """The recommendations as JSON-ready dicts."""
    out = []
    for r in recs:
        doc = asdict(r)
        doc["flags"] = list(r.flags)
        doc["hit_limit"] = hit_limit(r)
        out.append(doc)
    return out


# ---------------------------------------------------------------- the engine side


ClientFactory = Callable[[], Any]


class Sampler:
    """Reads one round of Readings of a compose project through the docker SDK (read-only)."""

    def __init__(self, client_factory: ClientFactory, project: str, workers: int = 8) -> None:
        self._factory = client_factory
        self.project = project
        self._client: Any = None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="watch-stats")

    def client(self) -> Any:
        """The docker client, made on first use and after ``reset``."""
        if self._client is None:
            self._client = self._factory()
        return self._client

    def reset(self) -> None:
        """Forget the client (after a connection error: the engine may have restarted)."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # a broken client must not fail the watch
                client.close()

    def containers(self) -> list[Any]:
        """Every container of the project (one listing; the SDK inspects each)."""
        return list(
            self.client().containers.list(
                all=True, filters={"label": f"{PROJECT_LABEL}={self.project}"}, ignore_removed=True
            )
        )

    def health(self) -> dict[str, str]:
        """service -> health from one sparse listing (``healthy``, ``unhealthy``, ``exited``...)."""
        listed = self.client().containers.list(
            all=True, sparse=True, filters={"label": f"{PROJECT_LABEL}={self.project}"}
        )
        return {
            str((c.attrs.get("Labels") or {}).get(SERVICE_LABEL, "?")): status_health(
                str(c.attrs.get("State", "")), str(c.attrs.get("Status", ""))
            )
            for c in listed
        }

    def round(self) -> tuple[list[Reading], int]:
        """One Reading per running container (stats taken concurrently), and how many exist."""
        containers = self.containers()
        running = [c for c in containers if (c.attrs.get("State") or {}).get("Running")]

        def one(container: Any) -> Reading | None:
            try:
                stats = container.stats(stream=False, one_shot=True)
            except NotFound:
                return None  # removed between the listing and its stats
            return reading_from(container.attrs, stats)

        readings = [r for r in self._pool.map(one, running) if r is not None]
        return readings, len(containers)

    def close(self) -> None:
        """Stop the worker threads and close the client."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.reset()


def status_health(state: str, status: str) -> str:
    """Health from a sparse listing's State and Status (``Up 2 minutes (healthy)``)."""
    if state != "running":
        return state or "unknown"
    match = re.search(r"\((healthy|unhealthy|health: starting)\)", status)
    if match is None:
        return "none"
    return "starting" if match.group(1) == "health: starting" else match.group(1)


def unhealthy_of(health: Mapping[str, str]) -> dict[str, str]:
    """The services of a health check that are not healthy (running without a check is fine)."""
    return {s: h for s, h in health.items() if h not in ("healthy", "none")}


class Series:
    """Turns successive rounds of Readings into Samples (CPU from consecutive counters)."""

    def __init__(self) -> None:
        self._previous: dict[str, Reading] = {}
        self.rounds = 0

    def add(self, readings: Iterable[Reading], *, time: str, elapsed_s: float) -> list[Sample]:
        """The Samples of one round."""
        self.rounds += 1
        out = []
        for r in sorted(readings, key=lambda r: (r.service, r.container)):
            cores = cpu_cores(self._previous.get(r.container), r)
            self._previous[r.container] = r
            out.append(
                Sample(
                    time=time,
                    elapsed_s=round(elapsed_s, 3),
                    round=self.rounds,
                    service=r.service,
                    container=r.container,
                    cpu_cores=None if cores is None else round(cores, 4),
                    memory_bytes=r.memory_bytes,
                    memory_limit_bytes=r.memory_limit_bytes,
                    cpu_limit=r.cpu_limit,
                    periods=r.periods,
                    throttled_periods=r.throttled_periods,
                    oom_killed=r.oom_killed,
                    restart_count=r.restart_count,
                    health=r.health,
                )
            )
        return out

    def forget(self) -> None:
        """Drop the previous counters (after a gap, CPU restarts from the next pair)."""
        self._previous.clear()


ENGINE_ERRORS: tuple[type[BaseException], ...] = (
    DockerException,
    requests.RequestException,
    OSError,
)
"""What an unreachable or restarting engine raises through the SDK."""


def backoff_delays(first: float = 1.0, cap: float = 60.0) -> Iterator[float]:
    """1, 2, 4, ... seconds, capped."""
    delay = first
    while True:
        yield min(delay, cap)
        delay = min(delay * 2, cap)


def utc_now() -> str:
    """Now, ISO 8601 in UTC to the second."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


@dataclass
class WatchResult:
    """What a watch did: rounds taken, gaps, health checks, whether it was interrupted."""

    started: str
    ended: str = ""
    elapsed_s: float = 0.0
    rounds: int = 0
    gaps: list[dict[str, Any]] = field(default_factory=list)
    health: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False


class WatchLoop:
    """Sample every ``interval`` until ``duration`` is over or ``stop`` is set.

    Connection errors open a gap (recorded as an event when the engine answers again), drop
    the client and retry with backoff; the watch goes on. Never changes anything.
    """

    def __init__(
        self,
        sampler: Sampler,
        writer: SeriesWriter,
        *,
        duration: float,
        interval: float,
        health_every: float,
        stop: threading.Event,
        say: Callable[[str], None] = print,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sampler, self.writer = sampler, writer
        self.duration, self.interval, self.health_every = duration, interval, health_every
        self.stop, self.say, self.clock = stop, say, clock
        self.series = Series()

    def run(self) -> WatchResult:
        """The watch; returns when the duration is over or on ``stop``."""
        result = WatchResult(started=utc_now())
        self.writer.event("start", time=result.started, project=self.sampler.project)
        start = self.clock()
        deadline = start + self.duration
        next_sample, next_health = start, start
        gap: dict[str, Any] | None = None
        delays = backoff_delays(1.0, max(self.interval, 1.0))
        while not self.stop.is_set():
            now = self.clock()
            if next_sample > deadline + 0.001:
                break
            try:
                health_ran = False
                if now >= next_health:
                    self._health(result, now - start)
                    next_health = now + self.health_every
                    health_ran = True
                readings, total = self.sampler.round()
            except ENGINE_ERRORS as exc:
                if gap is None:
                    gap = {"from": utc_now(), "from_elapsed_s": round(now - start, 3)}
                    self.writer.event("gap_start", time=gap["from"], error=_one_line(exc))
                gap["error"] = _one_line(exc)
                self.sampler.reset()
                self.series.forget()
                delay = min(next(delays), max(0.0, deadline - now))
                self.say(
                    f"[watch] {format_duration(now - start)} engine unreachable "
                    f"({gap['error']}); retrying in {delay:.0f}s"
                )
                if delay <= 0:
                    break
                self.stop.wait(delay)
                continue
            if gap is not None:
                self._close_gap(result, gap, now - start)
                gap = None
                delays = backoff_delays(1.0, max(self.interval, 1.0))
            elapsed = self.clock() - start
            samples = self.series.add(readings, time=utc_now(), elapsed_s=elapsed)
            self.writer.samples(samples)
            result.rounds = self.series.rounds
            self.say(
                self._progress(samples, total, elapsed, next_health - self.clock(), health_ran)
            )
            next_sample += self.interval
            if next_sample < self.clock():  # a slow round: skip the missed slots
                next_sample = self.clock() + self.interval
            self.stop.wait(max(0.0, min(next_sample, deadline + 0.01) - self.clock()))
        if gap is not None:
            self._close_gap(result, gap, self.clock() - start)
        result.interrupted = self.stop.is_set()
        result.ended = utc_now()
        result.elapsed_s = round(self.clock() - start, 3)
        self.writer.event(
            "stop", time=result.ended, interrupted=result.interrupted, rounds=result.rounds
        )
        return result

    def _health(self, result: WatchResult, elapsed: float) -> None:
        services = self.sampler.health()
        record = {
            "time": utc_now(),
            "elapsed_s": round(elapsed, 3),
            "services": services,
            "unhealthy": unhealthy_of(services),
        }
        result.health.append(record)
        self.writer.event("health", **record)

    def _close_gap(self, result: WatchResult, gap: dict[str, Any], elapsed: float) -> None:
        gap.update(to=utc_now(), to_elapsed_s=round(elapsed, 3))
        result.gaps.append(gap)
        self.writer.event("gap", **gap)
        self.say(f"[watch] engine back after {elapsed - gap['from_elapsed_s']:.0f}s gap")

    def _progress(
        self, samples: Sequence[Sample], total: int, elapsed: float, to_health: float, ran: bool
    ) -> str:
        services = len({s.service for s in samples})
        left = max(0.0, self.duration - elapsed)
        if ran:
            health = "health checked now"
        elif left <= 0 or to_health > left:
            health = "no health check left"
        else:
            health = f"next health check in {format_duration(to_health)}"
        return (
            f"[watch] round {self.series.rounds}: {format_duration(elapsed)} elapsed, "
            f"{format_duration(left)} left; {services} services sampled "
            f"({len(samples)}/{total} containers); {health}"
        )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200] if text else ''}"
