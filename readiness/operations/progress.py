"""Progress of a long runbook step that people can follow: elapsed time and what it waits for.

On a terminal the waiting line is repeated every ``tty_every`` seconds; in a log (CI, a pipe)
only when what it waits for changes, plus a heartbeat every ``heartbeat`` seconds, so a
five-minute wait is a handful of lines, not hundreds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

Say = Callable[[str], None]


class Waiting:
    """Says ``... 12s of 300s: waiting for X`` when X changes, or when the interval is due."""

    def __init__(
        self,
        say: Say,
        *,
        timeout: float | None = None,
        tty: bool | None = None,
        tty_every: float = 10.0,
        heartbeat: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.say, self.timeout, self.clock = say, timeout, clock
        self.tty = sys.stdout.isatty() if tty is None else tty
        self.every = tty_every if self.tty else heartbeat
        self.start = clock()
        self.last = ""
        self.next_due = self.start + self.every

    def elapsed(self) -> float:
        """Seconds since the wait began."""
        return self.clock() - self.start

    def update(self, what: str) -> bool:
        """Note what is still awaited; returns True when a line was said."""
        now = self.clock()
        if what == self.last and now < self.next_due:
            return False
        self.last, self.next_due = what, now + self.every
        of = f" of {self.timeout:.0f}s" if self.timeout is not None else ""
        self.say(f"  ... {now - self.start:.0f}s{of}: waiting for {what}")
        return True
