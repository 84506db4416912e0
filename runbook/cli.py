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


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "")
    return Path(value) if value else None


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--manifest, --project-dir, --project-name, --env-file, --backup-dir (env fallbacks)."""
    parser.add_argument(
        "--manifest",
        type=Path,
        default=Path(os.environ.get("READINESS_MANIFEST", REPO / "readiness.yml")),
        help="readiness manifest [env READINESS_MANIFEST; default %(default)s]",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=_env_path("READINESS_PROJECT_DIR"),
        help="compose project directory [env READINESS_PROJECT_DIR; default: manifest's]",
    )
    parser.add_argument(
        "--project-name",
        default=os.environ.get("COMPOSE_PROJECT_NAME", ""),
        help="compose project name [env COMPOSE_PROJECT_NAME; default: manifest's]",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=_env_path("READINESS_ENV_FILE"),
        help="the stack's .env [env READINESS_ENV_FILE; default: manifest's]",
    )
    parser.add_argument(
        "--backup-dir",
        type=Path,
        default=_env_path(BACKUP_DIR_ENV),
        help=f"backup directory [env {BACKUP_DIR_ENV}; default: manifest's backup.directory]",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from parsed ``add_target_options`` arguments (ConfigError on bad input)."""
    project_dir: Path | None = args.project_dir
    if project_dir is not None and not project_dir.is_dir():
        raise ConfigError("--project-dir", "", f"{project_dir} is not a directory")
    return settings_from(
        args.manifest, args.project_name, args.env_file, args.backup_dir, project_dir
    )


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
    except KeyboardInterrupt:
        print(f"[{prefix}] interrupted", file=sys.stderr)
        return 130
