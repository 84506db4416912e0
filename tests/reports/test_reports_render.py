"""Reports of a real pre-flight run: HTML and Allure render in Chromium with the verdict."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from readiness.model.catalogue import CATALOGUE, SECTIONS
from readiness.reports.allure_tool import generate
from readiness.reports.provenance import bind
from tests.reports.browser import ARTIFACTS, chromium, dump_dom, screenshot, serve
from tests.reports.conftest import SignedRun

needs_chromium = pytest.mark.skipif(
    chromium() is None, reason="chromium not installed (apt-get install -y chromium)"
)


@needs_chromium
def test_html_report_renders_verdict_and_target(signed_preflight: SignedRun) -> None:
    """report.html is self-contained, renders in Chromium, shows the verdict and the target."""
    html = signed_preflight.reports / "report.html"
    url = html.as_uri()
    dom = dump_dom(url, ARTIFACTS / "report.html.dom.html")
    screenshot(url, ARTIFACTS / "report.html.png")
    verdict = signed_preflight.run.verdict
    assert f"Readiness of HyperCode V2.0: {verdict}" in dom  # the page's title, at the top
    assert f"VERDICT: {verdict}" in dom
    assert "Readiness project_dir" in dom  # the environment table, filled by the app's JS
    assert str(signed_preflight.reports.parent / "stack") in dom
    assert 'src="http' not in html.read_text()  # self-contained: no external assets


@needs_chromium
def test_allure_report_renders_verdict(signed_preflight: SignedRun) -> None:
    """The Allure CLI (npm) turns the results into a report that renders with the verdict."""
    output = signed_preflight.reports / "allure-report"
    index = generate(signed_preflight.reports / "allure-results", output)
    with serve(index.parent) as base:
        dom = dump_dom(f"{base}/index.html", ARTIFACTS / "allure-report.dom.html")
        screenshot(f"{base}/index.html", ARTIFACTS / "allure-report.png")
    verdict = signed_preflight.run.verdict
    assert f"Readiness of HyperCode V2.0: {verdict}" in dom
    assert "Not ready (failed checks)" in dom or verdict == "READY"
    assert "project_dir" in dom  # the environment widget


def _allure_results(reports: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]


def test_allure_results_carry_labels_for_every_check(signed_preflight: SignedRun) -> None:
    """Each check's Allure result has epic, feature, story, severity, seed link, description."""
    results = _allure_results(signed_preflight.reports)
    assert len(results) == len(signed_preflight.run.results)  # one file per check, no clobbering
    for result in results:
        labels = {(label["name"], label["value"]) for label in result["labels"]}
        check_id = next(v for n, v in labels if n == "tag" and v in CATALOGUE)
        spec = CATALOGUE[check_id]
        assert ("epic", "Pre-flight") in labels
        assert ("feature", spec.section_title) in labels
        assert ("story", f"{spec.id} {spec.title}") in labels
        assert ("severity", "blocker" if spec.severity.value == "blocker" else "minor") in labels
        links = result.get("links") or []
        assert any("#" in link["url"] for link in links), f"no seed link on {check_id}"
        assert result.get("description"), f"no description (docstring) on {result['name']}"
    categories = json.loads(
        (signed_preflight.reports / "allure-results/categories.json").read_text()
    )
    statuses = {c["name"]: c["matchedStatuses"] for c in categories}
    assert statuses["Not ready (failed checks)"] == ["failed"]
    assert statuses["Suite could not look (broken)"] == ["broken"]
    env = (signed_preflight.reports / "allure-results/environment.properties").read_text()
    assert f"verdict={signed_preflight.run.verdict}" in env
    assert "engine=docker" in env
    assert "service.nginx=" in env


def test_junit_carries_the_verdict(signed_preflight: SignedRun) -> None:
    """junit.xml for CI: every check a testcase, the verdict a suite property."""
    root = ET.parse(signed_preflight.reports / "junit.xml").getroot()
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["readiness_verdict"] == signed_preflight.run.verdict
    assert len(list(root.iter("testcase"))) >= len(signed_preflight.run.results)


def test_signoff_reads_like_the_seed(signed_preflight: SignedRun) -> None:
    """signoff.md/json: seed sections in order, every catalogue item with a status, 2.3 table."""
    reports = signed_preflight.reports
    markdown = (reports / "signoff.md").read_text()
    doc = json.loads((reports / "signoff.json").read_text())
    assert doc["verdict"] == signed_preflight.run.verdict
    assert "## Verdict: " in markdown
    assert signoff_verdict_line(markdown) == doc["verdict"]
    headings = [f"{number} {title}" for number, title in SECTIONS.items()]
    positions = [markdown.index(heading) for heading in headings]
    assert positions == sorted(positions), "sections are not in the seed's order"
    for check_id in CATALOGUE:
        assert f"**{check_id}**" in markdown, f"{check_id} missing from the sign-off"
    items = {i["check"]: i for s in doc["sections"] for i in s["items"]}
    assert set(items) == set(CATALOGUE)
    assert items["HLT-01"]["status"] == "not run"  # post-deploy was not part of this run
    ran = {r["check"] for r in signed_preflight.run.results}
    assert all(items[c]["status"] != "not run" for c in ran)
    table = markdown[markdown.index("| Service | CPU Limit") :]
    for service in ("hypercode-core", "broski-terminal", "crew-orchestrator", "postgres"):
        assert f"**{service}**" in table
    provenance = doc["provenance"]
    assert provenance["binding"] == bind(
        provenance["commit"], provenance["compose"], provenance["images"]
    )
    assert len(provenance["commit"]["commit"]) == 40
    assert doc["signoff"]["incident_commander"]["name"]
    assert doc["signoff"]["approvers"]
    assert "Waivers (waiver debt)" in markdown
    assert "npm-audit-frontend" in markdown


def signoff_verdict_line(markdown: str) -> str:
    line = next(ln for ln in markdown.splitlines() if ln.startswith("## Verdict: "))
    return line.split(" ", 3)[-1]


def test_terminal_summary_names_verdict_blockers_and_reports(signed_preflight: SignedRun) -> None:
    """The run ends with the verdict block and where the reports are (controller only)."""
    output = signed_preflight.run.output
    block = output[output.index("VERDICT: ") :]
    assert f"Reports in {signed_preflight.reports}: signoff.md, signoff.json" in block
    assert "report.html" in block
    assert "junit.xml" in block
    assert "allure-results" in block
    assert len(block[: block.index("Reports in")].splitlines()) <= 30
