"""Match failures against the manifest's waivers: accepted risk with an owner and an expiry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from readiness.model.manifest import Waiver


class WaiverState(StrEnum):
    """Whether a waiver still covers a failure."""

    ACTIVE = "active"
    EXPIRED = "expired"


@dataclass(frozen=True)
class WaiverMatch:
    """A waiver that names a check and subject, and whether it is still in force."""

    waiver: Waiver
    state: WaiverState
    days_left: int

    def describe(self) -> str:
        """One line for reports: who accepted what, until when."""
        label = self.waiver.id or f"{self.waiver.check}/{self.waiver.subject}"
        if self.state is WaiverState.EXPIRED:
            return (
                f"waiver {label} EXPIRED on {self.waiver.expires.isoformat()} "
                f"(owner {self.waiver.owner}): renew it or fix the finding"
            )
        return (
            f"waived by {label} until {self.waiver.expires.isoformat()} "
            f"({self.days_left} days, owner {self.waiver.owner}): {self.waiver.justification}"
        )


def find_waiver(
    waivers: Iterable[Waiver], check_id: str, subject: str, today: dt.date
) -> WaiverMatch | None:
    """The waiver for ``check_id``/``subject`` (exact subject first, then ``*``), if any."""
    candidates = [w for w in waivers if w.check == check_id and w.subject in (subject, "*")]
    if not candidates:
        return None
    waiver = sorted(candidates, key=lambda w: w.subject == "*")[0]
    days_left = (waiver.expires - today).days
    state = WaiverState.ACTIVE if days_left >= 0 else WaiverState.EXPIRED
    return WaiverMatch(waiver, state, days_left)
