"""Write a starter readiness manifest for a compose project, every guess marked.

  python -m runbook.init <project dir> [--compose-file F ...] [--env-file F] [--output FILE]

Renders the project with `docker compose config` (or reads the YAML files when compose fails, and
says so) and writes a manifest that loads: services and networks, which services publish ports
(proposed public), secret-named variables, nginx/TLS/Prometheus files found through the mounts, a
mounted backups directory, contacts left TODO. Each guess ends in `# guess: ...`. Then run
`pytest checks -m preflight --manifest=<it>`. Exit codes: 0 written; 4 bad input.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from readiness.model.errors import ConfigError
from readiness.model.manifest import load_manifest
from readiness.operations.init_manifest import render_project, starter_manifest
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Write the starter manifest and check that it loads."""
    parser = cli.Parser("python -m runbook.init", __doc__)
    parser.add_argument("project_dir", type=Path, help="the compose project directory")
    parser.add_argument(
        "--compose-file",
        action="append",
        type=Path,
        default=[],
        help="a compose file, relative to the project (repeatable; default: compose's own)",
    )
    parser.add_argument("--env-file", type=Path, default=None, help="default <project>/.env")
    parser.add_argument("--output", type=Path, default=None, help="default <project>/readiness.yml")
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")
    args = parser.parse_args(argv)

    def body() -> int:
        project_dir: Path = args.project_dir
        if not project_dir.is_dir():
            raise ConfigError(str(project_dir), "", "not a directory")
        output: Path = args.output or project_dir / "readiness.yml"
        if output.exists() and not args.force:
            raise ConfigError(str(output), "", "exists already (use --force to overwrite)")
        project = render_project(project_dir, args.compose_file, args.env_file)
        for note in project.notes:
            print(f"[init] note: {note}", file=sys.stderr)
        text, invented = starter_manifest(project, output)
        output.write_text(text, encoding="utf-8")
        load_manifest(output)
        guesses = sum("# guess:" in line for line in text.splitlines())
        print(f"[init] wrote {output}: {len(project.services)} services, {guesses} guesses marked")
        if invented:
            print(f"[init] sections the project lacks, invented: {', '.join(invented)}")
        print(f"[init] next: pytest checks -m preflight --manifest={output}")
        return 0

    return cli.run("init", body)


if __name__ == "__main__":
    sys.exit(main())
