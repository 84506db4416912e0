"""Waivers about to expire, from a sign-off: the CI warning before an expired waiver blocks.

  python -m runbook.waiver_debt [--signoff reports/signoff.json] [--within 14]

An expired waiver is already a blocker in the verdict; this names the active waivers that will
expire within --within days (and any expired ones), one line each, so a pipeline can show them
as a warning (GitLab: `allow_failure: exit_codes: [2]`; GitHub Actions: `::warning::` lines
when GITHUB_ACTIONS=true).
Exit codes: 0 none due, 2 some due or expired, 4 bad input (missing or malformed sign-off).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

BAD_INPUT = 4
DUE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(BAD_INPUT)


def due_waivers(signoff: Mapping[str, Any], within: int) -> list[dict[str, Any]]:
    """The sign-off's waivers that expired or expire within ``within`` days, soonest first."""
    waivers = signoff.get("waivers")
    if not isinstance(waivers, list):
        raise ValueError("no 'waivers' list (not a readiness sign-off?)")
    due = [w for w in waivers if isinstance(w, dict) and int(w["days_left"]) <= within]
    return sorted(due, key=lambda w: int(w["days_left"]))


def describe(waiver: Mapping[str, Any]) -> str:
    """One line: which waiver, whose, when, and what to do."""
    days = int(waiver["days_left"])
    when = f"EXPIRED {-days} days ago" if days < 0 else f"expires in {days} days"
    return (
        f"waiver {waiver['id']} ({waiver['check']} {waiver['subject']}, owner {waiver['owner']}) "
        f"{when} on {waiver['expires']}: fix the finding or renew the waiver"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    p = _Parser(
        prog="python -m runbook.waiver_debt",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    reports = Path(os.environ.get("READINESS_REPORTS_DIR", "reports"))
    p.add_argument("--signoff", type=Path, default=reports / "signoff.json")
    p.add_argument("--within", type=int, default=14, help="days (default %(default)s)")
    args = p.parse_args(argv)
    try:
        doc = json.loads(args.signoff.read_text(encoding="utf-8"))
        due = due_waivers(doc, args.within)
    except OSError as exc:
        print(f"waiver-debt: {args.signoff}: {exc.strerror or exc}", file=sys.stderr)
        return BAD_INPUT
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        print(f"waiver-debt: {args.signoff}: malformed sign-off: {exc}", file=sys.stderr)
        return BAD_INPUT
    github = os.environ.get("GITHUB_ACTIONS") == "true"
    for waiver in due:
        line = describe(waiver)
        print(f"::warning title=Waiver {waiver['id']}::{line}" if github else f"WARNING {line}")
    if not due:
        print(f"waiver-debt: no waiver expires within {args.within} days")
        return 0
    return DUE


if __name__ == "__main__":
    sys.exit(main())
