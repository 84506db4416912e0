"""What every runbook CLI shares: target options, one line per failure, documented exit codes.

Bad input (an option, the manifest, the .env) is one line and exit 4; a failed operation is one
line and its own code (see ``readiness.model.errors``); never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from readiness.model import inputs
from readiness.model.errors import ConfigError, ExitCode, OperationError
from readiness.operations.target import BACKUP_DIR_ENV, Settings, settings_from

REPO = Path(__file__).resolve().parents[1]


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line and exit 4 (bad input)."""

    def __init__(self, prog: str | None = None, doc: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs.setdefault("description", doc)
        super().__init__(prog=prog, **kwargs)  # subcommand parsers come through **kwargs

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: bad option: {message} (see --help)", file=sys.stderr)
        sys.exit(ExitCode.BAD_INPUT)


_TARGET_ENV = {
    "manifest": "READINESS_MANIFEST",
    "project_dir": "READINESS_PROJECT_DIR",
    "project_name": "COMPOSE_PROJECT_NAME",
    "env_file": "READINESS_ENV_FILE",
    "backup_dir": BACKUP_DIR_ENV,
}


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--manifest, --project-dir, --project-name, --env-file, --backup-dir (env fallbacks).

    The defaults stay None so ``settings_from_args`` knows whether a value came from the
    option or from its environment variable, and names that source when the value is bad.
    """
    parser.add_argument(
        "--manifest",
        type=Path,
        default=None,
        help=f"readiness manifest [env READINESS_MANIFEST; default {REPO / 'readiness.yml'}]",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=None,
        help="compose project directory [env READINESS_PROJECT_DIR; default: manifest's]",
    )
    parser.add_argument(
        "--project-name",
        default=None,
        help="compose project name [env COMPOSE_PROJECT_NAME; default: manifest's]",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        help="the stack's .env [env READINESS_ENV_FILE; default: manifest's]",
    )
    parser.add_argument(
        "--backup-dir",
        type=Path,
        default=None,
        help=f"backup directory [env {BACKUP_DIR_ENV}; default: manifest's backup.directory]",
    )


def target_value(args: argparse.Namespace, name: str) -> tuple[str, str]:
    """(value, source) of a target option: the option if given, else its environment variable."""
    option = "--" + name.replace("_", "-")
    value = getattr(args, name, None)
    if value is not None and str(value) != "":
        return str(value), option
    env = _TARGET_ENV[name]
    return os.environ.get(env, ""), env


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from parsed ``add_target_options`` arguments (ConfigError on bad input)."""
    manifest, _ = target_value(args, "manifest")
    project_dir, source = target_value(args, "project_dir")
    directory = inputs.existing_dir(Path(project_dir), source) if project_dir else None
    name, source = target_value(args, "project_name")
    if name:
        inputs.project_name(name, source)
    env_file, source = target_value(args, "env_file")
    env_path = inputs.existing_file(Path(env_file), source) if env_file else None
    backup_dir, source = target_value(args, "backup_dir")
    if backup_dir and Path(backup_dir).exists() and not Path(backup_dir).is_dir():
        raise ConfigError(source, "", f"{backup_dir}: expected a directory, got a file")
    settings = settings_from(
        Path(manifest) if manifest else REPO / "readiness.yml",
        name,
        env_path,
        Path(backup_dir) if backup_dir else None,
        directory,
    )
    settings.env()  # a malformed .env is bad input before anything is touched
    return settings


def backup_dir_source(args: argparse.Namespace, settings: Settings) -> str:
    """Where the backup directory came from: option, variable or the manifest's key."""
    value, source = target_value(args, "backup_dir")
    return source if value else f"{settings.manifest.path}: backup.directory"


def positive_seconds(value: str) -> float:
    """An argparse type: a number of seconds greater than zero."""
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds as a number, got {value!r}") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {value!r}")
    return seconds


def run(prefix: str, body: Callable[[], int]) -> int:
    """Run a CLI body: bad input and failed operations become one line and their exit code."""
    try:
        return int(body())
    except ConfigError as exc:
        print(f"[{prefix}] bad input: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    except OperationError as exc:
        print(f"[{prefix}] FAILED: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file or directory the step needed (disk full, read-only ...)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"[{prefix}] FAILED: {where}{exc.strerror or exc}", file=sys.stderr)
        return ExitCode.NOT_READY
    except KeyboardInterrupt:
        print(f"[{prefix}] interrupted", file=sys.stderr)
        return 130
