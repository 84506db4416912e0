"""Back up the stack's PostgreSQL (runbook 3.1): a verified pg_dump -Fc in the backup directory.

  python -m runbook.backup [--project-name N] [--env-file F] [--backup-dir D] [--no-create-dir]

Writes <backup-dir>/backup_YYYYMMDD_HHMMSS.dump (UTC), then verifies it: non-empty, a pg_dump
archive readable to the end, of the manifest's database, holding the manifest's tables.
Exit codes: 0 written and verified; 1 not backed up: pg_dump failed, or the dump did not verify
(the file is kept, renamed *.invalid); 4 bad input (manifest, options, a missing directory with
--no-create-dir); 10 the engine failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from readiness.model import inputs
from readiness.model.errors import ExitCode
from readiness.operations.backup import take_backup
from readiness.operations.target import Settings
from runbook import cli


def _say(enabled: bool, message: str) -> None:
    if enabled:
        print(f"[backup] {message}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.backup", __doc__)
    cli.add_target_options(parser)
    parser.add_argument(
        "--no-create-dir",
        action="store_true",
        help="fail instead of creating a missing backup directory",
    )
    args = parser.parse_args(argv)
    return cli.run("backup", lambda: _backup(args, cli.settings_from_args(args)))


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    no_create_dir = bool(args.no_create_dir)
    if settings.backup_dir.exists() or not no_create_dir:
        inputs.writable_dir(settings.backup_dir, cli.backup_dir_source(args, settings))
    result = take_backup(settings, create_dir=not no_create_dir, log=True)
    if not result.report.ok:
        for problem in result.report.problems:
            print(f"[backup] INVALID: {problem}", file=sys.stderr)
        print(f"[backup] FAILED: the dump did not verify; kept as {result.path}", file=sys.stderr)
        return ExitCode.NOT_READY
    r = result.report
    print(
        f"[backup] OK: {result.path} ({r.size} bytes, database {r.dbname}, "
        f"{len(r.tables)} tables, {result.seconds:.2f}s)",
        flush=True,
    )
    return ExitCode.READY


if __name__ == "__main__":
    sys.exit(main())
