"""Emergency shutdown (seed 6: a security breach triggers it): cut ingress, stop, keep the data.

  python -m runbook.shutdown --confirm PROJECT [--incident-dir DIR] [--reports-dir DIR] ...

In this order: stop the public services (the manifest's network.public_services, e.g. nginx)
and check every published port refuses; stop the application; stop the database. Nothing is
removed: every volume and every stopped container is kept. Each container's logs (secrets
masked), the compose state and the current sign-off go into an incident folder
(incidents/<project>-<UTC time>/ with incident.md), and the commands to come back are printed.
Without --confirm naming the compose project it changes nothing and says what it would do.
Exit codes: 0 shut down as planned; 1 shut down, but a public port answered after the ingress
cut or a volume is missing (see incident.md); 4 bad input or no confirmation; 10 compose or
the engine failed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from readiness.model.errors import ExitCode
from readiness.operations.shutdown import make_plan, shutdown
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.shutdown", __doc__)
    cli.add_target_options(parser)
    parser.add_argument(
        "--confirm",
        default="",
        metavar="PROJECT",
        help="required: the name of the compose project that will be stopped",
    )
    parser.add_argument(
        "--incident-dir",
        type=Path,
        default=cli.REPO / "incidents",
        help="where the incident folder is created (default %(default)s)",
    )
    parser.add_argument(
        "--reports-dir",
        type=Path,
        default=cli.REPO / "reports",
        help="where the current sign-off is read from (default %(default)s)",
    )
    parser.add_argument(
        "--stop-timeout",
        type=int,
        default=10,
        help="seconds each container gets to stop before it is killed (default %(default)s)",
    )
    args = parser.parse_args(argv)
    return cli.run("shutdown", lambda: _shutdown(args))


def _shutdown(args: argparse.Namespace) -> int:
    settings = cli.settings_from_args(args)
    settings.env()  # a malformed .env is bad input before anything is stopped
    plan = make_plan(settings)
    if args.confirm != settings.project_name:
        print("[shutdown] would do:", file=sys.stderr)
        for line in plan.lines():
            print(f"[shutdown]   {line}", file=sys.stderr)
        got = f"got {args.confirm!r}" if args.confirm else "got none"
        print(
            f"[shutdown] refusing: --confirm: expected the project name {settings.project_name}, "
            f"{got}; nothing was changed",
            file=sys.stderr,
        )
        return ExitCode.BAD_INPUT
    for line in plan.lines():
        print(f"[shutdown] {line}", flush=True)
    result = shutdown(
        settings,
        plan,
        args.incident_dir.resolve(),
        reports_dir=args.reports_dir.resolve(),
        stop_timeout=args.stop_timeout,
        manifest_path=args.manifest.resolve(),
    )
    cut = result.cut_seconds
    print(
        f"[shutdown] stopped {plan.project}; public ingress cut in "
        + (f"{cut:.2f}s" if cut is not None else "(not cut!)")
        + f"; {len(result.logs)} logs and {len(result.signoff)} sign-off files in "
        f"{result.incident_dir}",
        flush=True,
    )
    print(f"[shutdown] volumes kept: {', '.join(plan.volumes) or '(none)'}")
    if not result.signoff:
        print(f"[shutdown] no sign-off in {args.reports_dir} to capture (--reports-dir)")
    for problem in result.problems:
        print(f"[shutdown] PROBLEM: {problem}", file=sys.stderr)
    print("[shutdown] to come back once the incident is handled:")
    for command in result.comeback:
        print(f"    {command}")
    return ExitCode.NOT_READY if result.problems else ExitCode.READY


if __name__ == "__main__":
    sys.exit(main())
