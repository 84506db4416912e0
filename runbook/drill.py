"""The database rollback drill (runbook 3.2) and the restore round-trip into a scratch database.

  python -m runbook.drill round-trip   restore the newest backup into a scratch db and compare
  python -m runbook.drill full --confirm DBNAME
                                       write known data, back up, damage, restore, compare

The full drill is disruptive (it stops services and overwrites the database) but leaves the
database as it found it: known rows it wrote are removed at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from readiness.model.errors import ConfigError
from readiness.operations.backup import latest_backup
from readiness.operations.drill import full_drill, round_trip
from readiness.operations.fingerprint import fingerprint
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: round-trip (read-only for the live database) or the full drill (needs --confirm)."""
    parser = cli.Parser("python -m runbook.drill", __doc__)
    parser.add_argument("mode", choices=["round-trip", "full"])
    cli.add_target_options(parser)
    parser.add_argument(
        "--confirm",
        default="",
        metavar="DBNAME",
        help="full: the name of the database the drill overwrites",
    )
    args = parser.parse_args(argv)
    return cli.run("drill", lambda: _drill(args))


def _drill(args: argparse.Namespace) -> int:
    settings = cli.settings_from_args(args)
    if args.mode == "round-trip":
        dump = latest_backup(settings.backup_dir, settings.manifest.backup.pattern)
        if dump is None:
            raise ConfigError(
                str(settings.backup_dir), "", "no dump to restore: take a backup first"
            )
        rt = round_trip(settings, dump, fingerprint(settings.db))
        for problem in rt.problems:
            print(f"[drill] DIFFERENCE: {problem}")
        print(
            f"[drill] round trip {rt.seconds:.2f}s (raw pg_dump+pg_restore {rt.raw_seconds:.2f}s)"
            f"; {rt.summary}"
        )
        return 1 if rt.problems or rt.scratch_left else 0
    if args.confirm != settings.manifest.database.name:
        raise ConfigError(
            "--confirm", "", f"refusing: pass --confirm {settings.manifest.database.name}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        result = full_drill(settings, Path(tmp))
    m = settings.manifest
    for problem in result.problems + result.cleanup_problems:
        print(f"[drill] PROBLEM: {problem}")
    print(
        f"[drill] recovery {result.recovery_seconds:.1f}s (RTO {m.backup.rto_seconds:g}s); "
        "backup age "
        f"{result.backup_age_hours * 3600:.0f}s (RPO {m.backup.rpo_hours:g} h) at "
        f"{dt.datetime.now(dt.UTC):%H:%M:%S}Z"
    )
    return 1 if result.problems or result.cleanup_problems or result.unhealthy else 0


if __name__ == "__main__":
    sys.exit(main())
