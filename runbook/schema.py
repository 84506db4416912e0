"""Write the manifest's JSON Schema (for editors that complete and validate readiness.yml).

  python -m runbook.schema [--output readiness.schema.json]

The schema is generated from the typed manifest (``readiness.model.manifest``); the committed
copy is checked against it by the project's tests. Exit codes: 0 written; 4 bad option.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from readiness.model.manifest import manifest_json_schema
from runbook import cli

DEFAULT = cli.REPO / "readiness.schema.json"


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(manifest_json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the schema file."""
    parser = cli.Parser("python -m runbook.schema", __doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT, help="default %(default)s")
    args = parser.parse_args(argv)

    def body() -> int:
        args.output.write_text(render(), encoding="utf-8")
        print(f"schema: {args.output}")
        return 0

    return cli.run("schema", body)


if __name__ == "__main__":
    sys.exit(main())
