"""Run our own tests in two lanes at once: ``python -m tests [pytest options]``.

- ``live``: every test that touches the live reference stack (it plants faults there, drills,
  rolls back), in order, in one pytest process;
- ``isolated``: everything else (unit tests, SSH hosts, the Swarm, foreign projects, our own
  fault projects), in a second pytest process beside it.

The lanes share nothing but the Docker engine, so they overlap safely, and each keeps its
session fixtures (one host fleet, one Swarm) to itself. ``pytest tests`` still runs all of it
serially. Each lane's output goes to ``reports/test-lanes/<lane>.log`` and is printed when the
lane ends; the exit code is the worst of the two.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANES = {"live": "live", "isolated": "not live"}


def main(extra: list[str]) -> int:
    """Start both lanes, print each one's output as it finishes, return the worst exit code."""
    logs = ROOT / "reports" / "test-lanes"
    logs.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for lane, expression in LANES.items():
        log = logs / f"{lane}.log"
        with log.open("wb") as out:
            command = [sys.executable, "-m", "pytest", "tests", "-m", expression, *extra]
            running[lane] = (
                subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT),
                log,
            )
        print(f"[tests] lane {lane}: pytest -m {expression!r} -> {log}", flush=True)
    codes: dict[str, int] = {}
    while running:
        for lane, (proc, log) in list(running.items()):
            if proc.poll() is None:
                continue
            codes[lane] = proc.returncode
            del running[lane]
            elapsed = time.monotonic() - started
            print(
                f"\n[tests] ===== lane {lane}: exit {proc.returncode} after {elapsed:.0f} s ====="
            )
            sys.stdout.write(log.read_text(errors="replace"))
            sys.stdout.flush()
        time.sleep(1)
    summary = ", ".join(f"{lane} exit {code}" for lane, code in codes.items())
    print(f"\n[tests] done in {time.monotonic() - started:.0f} s: {summary}")
    # pytest exit 5 (nothing collected) is fine for a lane a -k/-m filter emptied
    return max((0 if code == 5 else code) for code in codes.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
