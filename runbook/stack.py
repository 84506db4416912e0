"""Deploy and tear down the compose project the manifest describes (runbook phase 2: deployment).

  python -m runbook.stack build    build every image of every compose file
  python -m runbook.stack up       build, start the compose files in the manifest's order (the
                                   platform stack, then the agent swarm), and wait (bounded)
                                   until every container is healthy
  python -m runbook.stack down     stop and remove the containers (volumes kept unless --volumes)
  python -m runbook.stack status   table of service / state / health

Exit codes: 0 ok; 1 unhealthy or timed out; 4 bad input; 10 compose or engine error.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from readiness.model.errors import ConfigError, ExitCode
from readiness.operations import stack
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch the command."""
    parser = cli.Parser("python -m runbook.stack", __doc__)
    parser.add_argument("command", choices=["build", "up", "down", "status"])
    cli.add_target_options(parser)
    parser.add_argument(
        "--timeout",
        type=cli.positive_seconds,
        default=300.0,
        help="seconds to wait for healthy (default %(default)s)",
    )
    parser.add_argument("--no-build", action="store_true", help="up: do not build images first")
    parser.add_argument("--volumes", action="store_true", help="down: also remove named volumes")
    args = parser.parse_args(argv)

    def body() -> int:
        project = cli.settings_from_args(args).stack
        if args.command in ("build", "up") and not project.env_file.exists():
            raise ConfigError(
                str(project.env_file), "", "env file not found (run python3 -m runbook.bootstrap)"
            )
        if args.command == "build":
            stack.build(project)
        elif args.command == "up":
            unhealthy = stack.up(project, args.timeout, with_build=not args.no_build)
            return ExitCode.NOT_READY if unhealthy else ExitCode.READY
        elif args.command == "down":
            stack.down(project, volumes=args.volumes)
        elif not stack.status(project):
            return ExitCode.NOT_READY
        return ExitCode.READY

    return cli.run("stack", body)


if __name__ == "__main__":
    sys.exit(main())
