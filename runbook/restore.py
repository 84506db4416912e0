"""Restore the stack's PostgreSQL from a dump (runbook 3.2, database rollback).

  python -m runbook.restore --confirm DBNAME [--backup-file FILE] [--project-name N] ...

The seed's procedure, made safe:
  1. pick the dump (--backup-file, else the newest backup_*.dump in the backup directory) and
     verify it (readable to the end, of this database, holding the manifest's tables);
  2. stop the services that write to the database (manifest backup.stop_services:
     hypercode-core, celery-worker);
  3. take a safety backup of the current database (pre-restore_YYYYMMDD_HHMMSS.dump);
  4. restore into a scratch database, then swap it in for the live one (the live database is
     untouched until the restore has fully succeeded);
  5. start the services again and wait (bounded) until they are healthy.
Refuses to run without --confirm naming the database that will be overwritten.
Exit codes: 0 restored and healthy; 1 restored but services not healthy in time; 4 bad input
(no confirmation, no dump, a bad manifest or option); 10 compose or the engine failed;
11 the dump failed verification (nothing changed); 12 the safety backup failed (nothing
changed); 13 the restore failed (live database unchanged).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from readiness.model import inputs
from readiness.model.errors import ConfigError
from readiness.operations.restore import OK, restore
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.restore", __doc__)
    cli.add_target_options(parser)
    parser.add_argument(
        "--backup-file",
        type=Path,
        default=None,
        help="dump to restore (default: the newest in the backup directory)",
    )
    parser.add_argument(
        "--confirm",
        default="",
        metavar="DBNAME",
        help="required: the name of the database that will be overwritten",
    )
    parser.add_argument(
        "--safety-dir",
        type=Path,
        default=None,
        help="where the safety backup goes (default: the backup directory)",
    )
    parser.add_argument(
        "--timeout",
        type=cli.positive_seconds,
        default=300.0,
        help="seconds to wait for healthy services (default %(default)s)",
    )
    args = parser.parse_args(argv)
    return cli.run("restore", lambda: _restore(args))


def _restore(args: argparse.Namespace) -> int:
    settings = cli.settings_from_args(args)
    if args.backup_file is not None and not args.backup_file.is_file():
        raise ConfigError("--backup-file", "", f"{args.backup_file} is not a file")
    backup_file = args.backup_file.resolve() if args.backup_file else None
    if args.safety_dir is not None:
        inputs.writable_dir(args.safety_dir, "--safety-dir")
    result = restore(
        settings,
        confirm=args.confirm,
        backup_file=backup_file,
        safety_dir=args.safety_dir,
        timeout=args.timeout,
    )
    timing = ", ".join(f"{k} {v:.1f}s" for k, v in result.phases.items())
    if result.code == OK:
        print(f"[restore] OK: {result.message} ({timing}; total {result.seconds:.1f}s)")
    else:
        print(f"[restore] FAILED (exit {result.code}): {result.message}", file=sys.stderr)
        if result.safety_file:
            print(
                f"[restore] safety backup of the previous database: {result.safety_file}",
                file=sys.stderr,
            )
    return result.code


if __name__ == "__main__":
    sys.exit(main())
