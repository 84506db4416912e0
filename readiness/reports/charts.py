"""PNG charts of a watch: usage per service against its limit, one small-multiples grid per metric.

matplotlib with the Agg backend (no display needed). A gap in the series (the engine was
unreachable) is drawn as a break in the line, not as a straight line across it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from readiness.operations.watch import MIB, Sample

DPI = 100
PANEL_INCHES = (4.8, 2.6)


def _series(
    samples: Sequence[Sample], metric: str, gap_s: float
) -> tuple[list[float], list[float], list[float]]:
    """Minutes, values and limits of one service; NaN after a gap so the line breaks."""
    minutes: list[float] = []
    values: list[float] = []
    limits: list[float] = []
    previous: float | None = None
    for s in sorted(samples, key=lambda s: s.elapsed_s):
        if metric == "memory":
            value: float | None = s.memory_bytes / MIB
            limit = s.memory_limit_bytes / MIB if s.memory_limit_bytes else math.nan
        else:
            value = s.cpu_cores
            limit = s.cpu_limit or math.nan
        if previous is not None and s.elapsed_s - previous > gap_s:
            minutes.append((previous + s.elapsed_s) / 120)
            values.append(math.nan)
            limits.append(math.nan)
        previous = s.elapsed_s
        minutes.append(s.elapsed_s / 60)
        values.append(math.nan if value is None else value)
        limits.append(limit)
    return minutes, values, limits


def usage_grid(
    samples: Iterable[Sample],
    metric: str,
    path: Path,
    *,
    interval_s: float,
    title: str = "",
) -> Path:
    """One panel per service: ``metric`` (``memory`` in MiB or ``cpu`` in cores) and its limit."""
    if metric not in ("memory", "cpu"):
        raise ValueError(f"metric must be memory or cpu, got {metric!r}")
    by_service: dict[str, list[Sample]] = {}
    for sample in samples:
        by_service.setdefault(sample.service, []).append(sample)
    services = sorted(by_service) or ["(no samples)"]
    cols = min(3, len(services))
    rows = math.ceil(len(services) / cols)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows + 0.6),
        squeeze=False,
        dpi=DPI,
    )
    unit = "MiB" if metric == "memory" else "cores"
    for index, service in enumerate(services):
        ax = axes[index // cols][index % cols]
        minutes, values, limits = _series(by_service.get(service, []), metric, 2.5 * interval_s)
        ax.plot(minutes, values, color="tab:blue", linewidth=1.4, label=f"used ({unit})")
        if any(not math.isnan(v) for v in limits):
            ax.plot(minutes, limits, color="tab:red", linestyle="--", linewidth=1.2, label="limit")
        else:
            ax.text(0.98, 0.92, "no limit", transform=ax.transAxes, ha="right", color="tab:red")
        ax.set_title(service, fontsize=10)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("minutes", fontsize=8)
        ax.set_ylabel(unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if index == 0:
            ax.legend(fontsize=7, loc="lower right")
    for index in range(len(services), rows * cols):
        axes[index // cols][index % cols].axis("off")
    label = "Memory" if metric == "memory" else "CPU"
    fig.suptitle(title or f"{label} per service against its limit", fontsize=12)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def watch_charts(
    samples: Sequence[Sample], out: Path, *, interval_s: float, project: str
) -> list[Path]:
    """``memory.png`` and ``cpu.png`` in ``out``."""
    return [
        usage_grid(
            samples,
            metric,
            out / f"{metric}.png",
            interval_s=interval_s,
            title=f"{project}: {'memory' if metric == 'memory' else 'CPU'} per service vs limit",
        )
        for metric in ("memory", "cpu")
    ]
