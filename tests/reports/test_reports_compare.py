"""The sign-off compares with the previous one: new failures, fixes, waivers added and removed."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.harness import MANIFEST, copy_stack, run_suite


def _manifest_with_waiver(tmp_path: Path) -> Path:
    data = yaml.safe_load(MANIFEST.read_text())
    data["waivers"] = [
        {
            "check": "TLS-06",
            "subject": "*",
            "id": "self-signed-until-launch",
            "justification": "Plan migration to a public CA for public release.",
            "owner": "ops-team",
            "expires": "2099-01-01",
        }
    ]
    path = tmp_path / "readiness-waived.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_signoff_compares_with_previous_runs(tmp_path: Path, live_stack_up: str) -> None:
    """Run 2 (fault + changed waivers) lists its changes; run 3 (--compare-with) lists fixes."""
    stack = copy_stack(tmp_path)
    reports = tmp_path / "reports"
    first = run_suite(tmp_path, "-m", "preflight", f"--project-dir={stack}")
    assert (reports / "signoff.json").exists(), first.output[-2000:]
    kept = tmp_path / "first-signoff.json"
    kept.write_bytes((reports / "signoff.json").read_bytes())

    (stack / ".env").chmod(0o644)  # SEC-05 fault
    second = run_suite(
        tmp_path,
        "-m",
        "preflight",
        f"--project-dir={stack}",
        f"--manifest={_manifest_with_waiver(tmp_path)}",
    )
    doc = json.loads((reports / "signoff.json").read_text())
    assert (reports / "signoff.previous.json").exists()
    comparison = doc["comparison"]
    assert comparison["previous"]["generated_at"]
    assert "SEC-05[-]" in comparison["new_failures"], comparison
    assert comparison["waivers_added"] == ["self-signed-until-launch"]
    assert comparison["waivers_removed"] == ["npm-audit-frontend"]
    assert "Compared: since" in second.output
    assert "new failures" in second.output
    markdown = (reports / "signoff.md").read_text()
    assert "- New failures: " in markdown
    assert "SEC-05[-]" in markdown

    (stack / ".env").chmod(0o600)
    run_suite(tmp_path, "-m", "preflight", f"--project-dir={stack}", f"--compare-with={kept}")
    third = json.loads((reports / "signoff.json").read_text())["comparison"]
    assert third["previous"]["generated_at"] == json.loads(kept.read_text())["generated_at"]
    assert third["fixed"] == []
    assert third["new_failures"] == []
    assert third["waivers_added"] == third["waivers_removed"] == []
    previous = json.loads((reports / "signoff.previous.json").read_text())
    assert previous["generated_at"] == doc["generated_at"]  # run 2 kept as the previous
    fixed = json.loads((reports / "signoff.json").read_text())
    from readiness.reports.compare import compare

    assert "SEC-05[-]" in compare(previous, fixed)["fixed"]
