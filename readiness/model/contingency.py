"""Seed 6's critical failure criteria as triggers: which contingency a failed check calls for.

The catalogue says which checks meet a criterion (``CheckSpec.trigger``); this module says what
each criterion triggers and the runbook command that carries it out, for a given target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.model.catalogue import CATALOGUE, RESTORE, ROLLBACK, SHUTDOWN


@dataclass(frozen=True)
class Contingency:
    """One seed-6 criterion: what it is, what it triggers, and the command (with placeholders)."""

    key: str
    criterion: str
    action: str
    command: str

    def command_for(self, project: str, database: str, options: str = "") -> str:
        """The runbook command for this target (``options``: --manifest/--env-file ...)."""
        text = self.command.format(project=project, database=database)
        return f"{text} {options}".rstrip()


CONTINGENCIES: dict[str, Contingency] = {
    c.key: c
    for c in (
        Contingency(
            RESTORE,
            "Database data loss",
            "trigger the 3.2 database rollback: restore the last good backup",
            "python -m runbook.restore --confirm {database} --project-name {project}",
        ),
        Contingency(
            ROLLBACK,
            "API error rate over the ceiling (seed: > 1%)",
            "trigger a hotfix or the 3.3 application rollback to the previous release",
            "python -m runbook.release rollback --project-name {project}",
        ),
        Contingency(
            SHUTDOWN,
            "Security breach",
            "trigger the emergency shutdown: cut public ingress, keep the data, open an incident",
            "python -m runbook.shutdown --confirm {project}",
        ),
    )
}


@dataclass(frozen=True)
class Triggered:
    """A contingency a run calls for, and the failed checks that call for it."""

    contingency: Contingency
    checks: tuple[str, ...]


def triggered(failed_checks: Iterable[str]) -> list[Triggered]:
    """The contingencies the failed check IDs call for, most severe first (shutdown first)."""
    by_key: dict[str, list[str]] = {}
    for check_id in failed_checks:
        spec = CATALOGUE.get(check_id)
        if spec is not None and spec.trigger:
            ids = by_key.setdefault(spec.trigger, [])
            if check_id not in ids:
                ids.append(check_id)
    order = (SHUTDOWN, RESTORE, ROLLBACK)
    return [
        Triggered(CONTINGENCIES[key], tuple(sorted(by_key[key]))) for key in order if key in by_key
    ]
