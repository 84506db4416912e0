"""Watch the deployed stack's CPU and memory for hours and rebuild the 2.3 limits table from it.

  python -m runbook.watch --duration 24h --interval 60s [--health-every 10m]
                          [--manifest=readiness.yml] [--project-name=N] [--out DIR]
  python -m runbook.watch --report DIR      rebuild the report from a series already written

Seed section 7, "Monitor resource usage for 24h to refine limits". Every interval it samples
every container of the compose project (label com.docker.compose.project) with one one-shot
`docker stats` each, concurrently; every --health-every it lists the project's containers once
and records their health. The series is appended as it goes (samples.csv, samples.jsonl,
events.jsonl in --out) so a crash loses at most one round. At the end, or on Ctrl-C / SIGTERM,
it writes memory.png, cpu.png, recommendations.md (p50/p95/p99/max per service, the current
limit, a suggested limit = p99 x --headroom never below the observed max, and flags for services
that hit their limit or were OOM-killed) and recommendations.json. If the engine goes away
it records a gap, retries with backoff and carries on. It never changes the stack.

Exit codes: 0 report written and no service hit its limit; 1 a service hit its limit, was
OOM-killed or restarted, or a health check found a service not healthy; 4 bad input (one line
names it); 10 no sample could be taken (the engine did not answer).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

import docker

from readiness.model.errors import ExitCode
from readiness.operations.watch import (
    DEFAULT_HEADROOM,
    Sampler,
    SeriesWriter,
    WatchLoop,
    WatchResult,
    format_duration,
    hit_limit,
    markdown_report,
    parse_duration,
    read_events,
    read_samples,
    recommend,
    recommendations_json,
)
from readiness.reports.charts import watch_charts

BAD_INPUT = 4


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad arguments in one line with exit code 4."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(BAD_INPUT)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options (bad ones: one line, exit 4)."""
    p = _Parser(
        prog="python -m runbook.watch",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--duration", default="24h", help="how long to watch (90s, 2m, 24h)")
    p.add_argument("--interval", default="60s", help="time between samples (default 60s)")
    p.add_argument(
        "--health-every", default="", help="time between health checks (default interval x 10)"
    )
    p.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help="readiness manifest, for the project name [env READINESS_MANIFEST; readiness.yml]",
    )
    p.add_argument(
        "--project-name",
        default=os.environ.get("COMPOSE_PROJECT_NAME", ""),
        help="compose project [env COMPOSE_PROJECT_NAME; default: the manifest's]",
    )
    p.add_argument("--out", type=Path, default=None, help="output directory")
    p.add_argument(
        "--headroom",
        type=float,
        default=DEFAULT_HEADROOM,
        help="suggested limit = p99 x this (default %(default)s)",
    )
    p.add_argument("--report", type=Path, default=None, help="only rebuild the report of DIR")
    return p.parse_args(argv)


def project_from_manifest(path: Path | None) -> str:
    """The manifest's compose project name (the one place this script reads the manifest)."""
    from readiness.model.manifest import load_manifest
    from runbook.cli import REPO

    manifest = path or Path(os.environ.get("READINESS_MANIFEST", "") or REPO / "readiness.yml")
    return load_manifest(manifest.resolve()).project_name


def write_report(
    out: Path,
    *,
    project: str,
    interval_s: float,
    headroom: float,
    result: WatchResult | None = None,
) -> tuple[int, list[Path]]:
    """Charts, recommendations.md and .json from the series in ``out``; returns (exit, files)."""
    samples = read_samples(out / "samples.csv") if (out / "samples.csv").exists() else []
    events = read_events(out / "events.jsonl")
    gaps = [e for e in events if e.get("event") == "gap"]
    health = [e for e in events if e.get("event") == "health"]
    starts = [e["time"] for e in events if e.get("event") == "start"]
    stops = [e["time"] for e in events if e.get("event") == "stop"]
    recs = recommend(samples, headroom)
    charts = watch_charts(samples, out, interval_s=interval_s, project=project)
    elapsed = max((s.elapsed_s for s in samples), default=0.0)
    if result is not None:
        elapsed = result.elapsed_s
    md = markdown_report(
        recs,
        project=project,
        started=starts[0] if starts else "?",
        ended=stops[-1] if stops else "?",
        elapsed_s=elapsed,
        interval_s=interval_s,
        headroom=headroom,
        gaps=gaps,
        health=health,
        charts=[str(c) for c in charts],
    )
    (out / "recommendations.md").write_text(md, encoding="utf-8")
    unhealthy = [h for h in health if h.get("unhealthy")]
    doc: dict[str, Any] = {
        "project": project,
        "interval_s": interval_s,
        "headroom": headroom,
        "elapsed_s": elapsed,
        "rounds": len({s.round for s in samples}),
        "interrupted": bool(result and result.interrupted),
        "gaps": gaps,
        "health_checks": len(health),
        "unhealthy_checks": unhealthy,
        "services": recommendations_json(recs),
    }
    (out / "recommendations.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    files = [*charts, out / "recommendations.md", out / "recommendations.json"]
    if not samples:
        return ExitCode.ENGINE, files
    return (1 if any(hit_limit(r) for r in recs) or unhealthy else 0), files


def _settings(out: Path) -> dict[str, Any]:
    path = out / "watch.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    args = parse_args(argv)
    if args.report is not None:
        if not (args.report / "samples.csv").exists():
            print(f"watch: {args.report}/samples.csv: no series to report on", file=sys.stderr)
            return BAD_INPUT
        saved = _settings(args.report)
        code, _files = write_report(
            args.report,
            project=str(saved.get("project", "?")),
            interval_s=float(saved.get("interval_s", 60)),
            headroom=args.headroom,
        )
        print(f"[watch] report: {args.report / 'recommendations.md'}")
        return code
    try:
        duration = parse_duration(args.duration)
        interval = parse_duration(args.interval)
        health_every = parse_duration(args.health_every) if args.health_every else interval * 10
        if interval > duration:
            raise ValueError(
                f"--interval {args.interval} is longer than --duration {args.duration}"
            )
        if not 1.0 <= args.headroom <= 10.0:
            raise ValueError(f"--headroom must be between 1 and 10, got {args.headroom}")
    except ValueError as exc:
        print(f"watch: {exc}", file=sys.stderr)
        return BAD_INPUT
    project = args.project_name
    if not project:
        try:
            project = project_from_manifest(args.manifest)
        except Exception as exc:  # a bad manifest is bad input: one line
            print(f"watch: {str(exc).splitlines()[0] if str(exc) else exc!r}", file=sys.stderr)
            return BAD_INPUT
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    reports = Path(os.environ.get("READINESS_REPORTS_DIR", "reports"))
    out: Path = args.out or reports / "watch" / f"{project}-{stamp}"
    try:
        writer = SeriesWriter(out)
    except OSError as exc:
        print(f"watch: {out}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return BAD_INPUT
    settings = {"project": project, "interval_s": interval, "duration_s": duration}
    (out / "watch.json").write_text(json.dumps(settings) + "\n", encoding="utf-8")

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        print(f"\n[watch] {signal.Signals(signum).name}: stopping, writing the report", flush=True)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    sampler = Sampler(docker.from_env, project)
    print(
        f"[watch] {project}: every {format_duration(interval)} for {format_duration(duration)}, "
        f"health every {format_duration(health_every)}; series in {out}",
        flush=True,
    )
    try:
        result = WatchLoop(
            sampler,
            writer,
            duration=duration,
            interval=interval,
            health_every=health_every,
            stop=stop,
            say=lambda line: print(line, flush=True),
        ).run()
    finally:
        writer.close()
        sampler.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    code, _files = write_report(
        out, project=project, interval_s=interval, headroom=args.headroom, result=result
    )
    print(
        f"[watch] {result.rounds} rounds in {format_duration(result.elapsed_s)}"
        f"{' (interrupted)' if result.interrupted else ''}, {len(result.gaps)} gaps; "
        f"report: {out / 'recommendations.md'}",
        flush=True,
    )
    print((out / "recommendations.md").read_text(encoding="utf-8"), flush=True)
    if code == ExitCode.ENGINE:
        print("[watch] no sample could be taken (engine unreachable?)", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
