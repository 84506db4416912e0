"""One error hierarchy and one exit-code table for every entry point (pytest and the runbook).

| code | meaning |
|---|---|
| 0 | READY; a runbook step succeeded |
| 1 | NOT READY; a runbook step ran and did not succeed (unhealthy, verification failed) |
| 2 | READY WITH WARNINGS under ``--strict-warnings`` |
| 4 | bad input: manifest, .env, compose, option, environment variable or runbook argument |
| 10 | an outside tool (engine, compose, the Allure CLI) failed: the runbook could not act |
| 11 | restore: the dump failed verification (nothing changed) |
| 12 | restore: the safety backup failed (nothing changed) |
| 13 | restore: the restore failed (the live database is unchanged) |

pytest keeps its own 3 (internal error) and 5 (no tests collected).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The documented exit codes (see the module docstring)."""

    READY = 0
    NOT_READY = 1
    WARNINGS = 2
    BAD_INPUT = 4
    ENGINE = 10
    INVALID_DUMP = 11
    SAFETY_BACKUP_FAILED = 12
    RESTORE_FAILED = 13


class ReadinessError(Exception):
    """Base of the suite's own errors; ``exit_code`` is what a CLI exits with."""

    exit_code: ExitCode = ExitCode.NOT_READY


class ConfigError(ReadinessError):
    """Bad input (manifest, compose, .env, option): one line naming source, key and problem."""

    exit_code = ExitCode.BAD_INPUT

    def __init__(self, path: str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = path, key, problem
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {problem}")


class ProbeError(ReadinessError, RuntimeError):
    """The suite could not look (engine, host or database unreachable): the check is Broken."""


class OperationError(ReadinessError, RuntimeError):
    """A runbook operation could not be carried out; the message says why and what to do."""

    exit_code = ExitCode.NOT_READY


class EngineError(OperationError):
    """Compose or the Docker engine failed; the message names the command."""

    exit_code = ExitCode.ENGINE
