"""The pre-flight suite on three foreign compose projects, against tables written beforehand.

tests/foreign/<name>/expected.yml is each project's expected findings table: every check and
subject with its outcome, and for failures a substring of the message. The suite runs on a
git-committed copy (random .env, fresh TLS pair, a dump) and must match it: 0 false alarms,
0 misses. See tests/foreign/README.md for what each project plants.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.foreign_support import PROJECTS, compare, load_expected, prepare
from tests.harness import Run, run_suite
from tests.preflight_support import scratch_dump


@pytest.fixture(scope="module")
def ledger_dump() -> bytes:
    """A fresh custom-format pg_dump (a throwaway container of the postgres image, no network)."""
    return scratch_dump()


@pytest.fixture(scope="module")
def foreign_runs() -> dict[str, Run]:
    """Suite runs by project name, each made once per module."""
    return {}


def _run(
    name: str, runs: dict[str, Run], factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Run:
    if name not in runs:
        tmp = factory.mktemp(name)
        dump = request.getfixturevalue("ledger_dump") if name == "ledger" else None
        project = prepare(name, tmp, dump)
        manifest: Path = project / "readiness.yml"
        runs[name] = run_suite(
            tmp, "-m", "preflight", f"--manifest={manifest}", f"--project-dir={project}"
        )
    return runs[name]


@pytest.mark.parametrize("name", PROJECTS)
def test_foreign_project_matches_its_table(
    name: str,
    foreign_runs: dict[str, Run],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """Every row of the expected table and the verdict: no false alarm, no miss."""
    run = _run(name, foreign_runs, tmp_path_factory, request)
    verdict, expected = load_expected(name)
    result = compare(verdict, expected, run)
    assert not result.problems, result.report(name, run)


def test_absent_image_is_judged_by_the_suites_tool_and_says_so(
    foreign_runs: dict[str, Run],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """kiosk's Prometheus image is not on this machine: promtool runs in the suite's tool image,
    and the evidence names the tool, its version and why."""
    run = _run("kiosk", foreign_runs, tmp_path_factory, request)
    assert run.outcomes("MON-01") == {"-": "passed"}, run.output[-2000:]
    evidence = [
        path.read_text(encoding="utf-8")
        for path in (Path(run.reports_dir) / "allure-results").glob("*-attachment*")
    ]
    judged = [text for text in evidence if "in the suite's readiness/tools" in text]
    assert judged, "no evidence names the tool that judged MON-01/MON-03"
    assert "registry.example.invalid/kiosk/prometheus:2.53.0 is not on this machine" in judged[0]
    assert "promtool" in judged[0]
