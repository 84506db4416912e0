"""The Allure HTML report of a readiness run, made with Allure's command-line tool from npm.

  python -m runbook.reports install   npm-install allure-commandline into .tools/allure
  python -m runbook.reports allure    reports/allure-results -> reports/allure-report
                                      (installs the tool first if it is missing)

The report's name carries the verdict from reports/signoff.json. Java 17 runs the tool.
Exit codes: 0 ok; 1 generation failed; 4 bad option; 10 the tool cannot be installed or run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from readiness.model.errors import ExitCode, OperationError
from readiness.reports.allure_tool import generate, install
from runbook import cli


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = cli.Parser("python -m runbook.reports", __doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install allure-commandline into .tools/allure")
    allure = sub.add_parser("allure", help="generate the Allure HTML report")
    default_dir = Path(os.environ.get("READINESS_REPORTS_DIR", "reports"))
    allure.add_argument(
        "--results",
        type=Path,
        default=default_dir / "allure-results",
        help="Allure results [default: $READINESS_REPORTS_DIR/allure-results]",
    )
    allure.add_argument(
        "--output",
        type=Path,
        default=default_dir / "allure-report",
        help="report directory [default: $READINESS_REPORTS_DIR/allure-report]",
    )
    args = parser.parse_args(argv)

    def body() -> int:
        if args.command == "install":
            print(f"allure: {install()}")
            return ExitCode.READY
        try:
            index = generate(args.results.resolve(), args.output.resolve())
        except RuntimeError as exc:
            if isinstance(exc, OperationError):
                raise
            raise OperationError(str(exc)) from None
        print(f"Allure report: {index}")
        return ExitCode.READY

    return cli.run("reports", body)


if __name__ == "__main__":
    sys.exit(main())
