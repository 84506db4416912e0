"""Findings of dependency audit reports (``npm audit --json``, ``pip-audit -f json``) from files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from readiness.model.manifest import SEVERITIES, AuditReport

UNKNOWN = "unknown"
"""pip-audit reports carry no severity: such findings count as at or above any threshold."""


@dataclass(frozen=True)
class Finding:
    """One vulnerable package with its worst severity."""

    package: str
    severity: str
    advisory: str

    def describe(self) -> str:
        """``lodash (high: GHSA-...)`` for a message."""
        return (
            f"{self.package} ({self.severity}: {self.advisory})"
            if self.advisory
            else (f"{self.package} ({self.severity})")
        )


def _rank(severity: str) -> int:
    if severity == UNKNOWN:
        return len(SEVERITIES)
    return SEVERITIES.index(severity) if severity in SEVERITIES else 0


def at_or_above(findings: list[Finding], threshold: str) -> list[Finding]:
    """Findings whose severity reaches ``threshold`` (unknown severity always does)."""
    return [f for f in findings if _rank(f.severity) >= _rank(threshold)]


def _npm(data: dict[str, Any]) -> list[Finding]:
    findings = []
    vulns = data.get("vulnerabilities")
    if isinstance(vulns, dict):  # npm 7+ (auditReportVersion 2)
        for name, entry in sorted(vulns.items()):
            via = [v for v in entry.get("via", []) if isinstance(v, dict)]
            advisory = next((str(v.get("url", "")).rsplit("/", 1)[-1] for v in via), "")
            findings.append(Finding(name, str(entry.get("severity", UNKNOWN)).lower(), advisory))
        return findings
    advisories = data.get("advisories")
    if isinstance(advisories, dict):  # npm 6
        for key, entry in sorted(advisories.items()):
            findings.append(
                Finding(
                    str(entry.get("module_name", key)),
                    str(entry.get("severity", UNKNOWN)).lower(),
                    str(entry.get("github_advisory_id") or key),
                )
            )
        return findings
    raise ValueError("expected npm audit JSON with 'vulnerabilities' or 'advisories'")


def _pip(data: Any) -> list[Finding]:
    deps = data.get("dependencies") if isinstance(data, dict) else data
    if not isinstance(deps, list):
        raise ValueError("expected pip-audit JSON with a 'dependencies' list")
    findings = []
    for dep in deps:
        for vuln in dep.get("vulns", []) if isinstance(dep, dict) else []:
            severity = str(vuln.get("severity") or UNKNOWN).lower()
            findings.append(
                Finding(
                    f"{dep.get('name')}=={dep.get('version')}", severity, str(vuln.get("id", ""))
                )
            )
    return findings


def unaudited(report: AuditReport) -> list[str]:
    """Packages the audit tool could not audit (pip-audit's ``skip_reason``): unknown risk."""
    data = json.loads(report.path.read_text(encoding="utf-8"))
    deps = data.get("dependencies") if isinstance(data, dict) else data
    if report.kind != "pip" or not isinstance(deps, list):
        return []
    return sorted(
        str(dep.get("name")) for dep in deps if isinstance(dep, dict) and dep.get("skip_reason")
    )


def read_report(report: AuditReport) -> list[Finding]:
    """The report's findings; OSError/ValueError if the file is missing or not a report."""
    data = json.loads(report.path.read_text(encoding="utf-8"))
    return _npm(data) if report.kind == "npm" else _pip(data)
