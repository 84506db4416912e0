"""The sign-off summary: the seed's checklist, each item backed by check results.

``build`` turns plain data (catalogue, results, waivers, limits, provenance) into one JSON-ready
document; ``render_markdown`` is a view of that document laid out like the seed's plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from readiness.model.catalogue import SECTIONS, CheckSpec, in_section
from readiness.model.manifest import Limit, Waiver
from readiness.model.verdict import CheckResult, Decision, Outcome
from readiness.reports.usage import Usage

SCHEMA = 1
ICONS = {
    "passed": "✅",
    "failed": "❌",
    "broken": "⛔",
    "warning": "🟠",
    "waived": "🟠",
    "skipped": "⏭️",
    "n/a": "⚪",
    "not run": "⬜",
}
VERDICT_ICONS = {"READY": "🟢", "READY WITH WARNINGS": "🟡", "NOT READY": "🔴"}
RESOURCE_CHECKS = in_section("2.3")
DEFAULT_APPROVERS = ("Release manager", "Operations lead", "Security officer")


@dataclass(frozen=True)
class Inputs:
    """Everything the sign-off is made of, gathered by the plugin at the end of the run."""

    target: Mapping[str, str]
    specs: Sequence[CheckSpec]
    results: Sequence[CheckResult]
    decision: Decision
    exit_code: int
    suites_run: Sequence[str]
    waivers: Sequence[Waiver]
    declared: Mapping[str, tuple[float | None, int | None]]
    expected: Mapping[str, Limit]
    usage: Mapping[str, Usage]
    provenance: Mapping[str, Any]
    incident_commander: str
    channel: str
    approvers: Sequence[Mapping[str, str]] = ()
    checklist: str = ""
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def item_status(spec: CheckSpec, results: Sequence[CheckResult]) -> str:
    """One checklist item's status over all its subjects."""
    if not results:
        return "not run"
    if any(r.outcome is Outcome.BROKEN for r in results):
        return "broken"
    if any(r.blocking for r in results):
        return "failed"
    if any(r.outcome is Outcome.FAILED for r in results):
        return "warning"
    if any(r.outcome is Outcome.WAIVED for r in results):
        return "waived"
    if all(r.outcome is Outcome.NOT_APPLICABLE for r in results):
        return "n/a"
    if all(r.outcome in (Outcome.SKIPPED, Outcome.NOT_APPLICABLE) for r in results):
        return "skipped"
    return "passed"


def section_status(statuses: Iterable[str]) -> str:
    """The seed's section badge: Ready, Ready with Warnings, Not Ready or Not checked."""
    ran = [s for s in statuses if s not in ("not run", "n/a")]
    if not ran:
        return "⬜ Not checked"
    if any(s in ("failed", "broken") for s in ran):
        return "🔴 Not Ready"
    if any(s in ("warning", "waived") for s in ran):
        return "🟢 Ready with Warnings"
    return "🟢 Ready"


def _result(r: CheckResult) -> dict[str, Any]:
    return {
        "subject": r.subject,
        "outcome": r.outcome.value,
        "severity": r.severity.value,
        "message": r.message,
        "waiver": r.waiver,
        "nodeid": r.nodeid,
        "duration": round(r.duration, 3),
    }


def _waiver_rows(inputs: Inputs, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for waiver in sorted(inputs.waivers, key=lambda w: (w.expires, w.check, w.subject)):
        days_left = (waiver.expires - today).days
        used = any(
            r.check_id == waiver.check
            and waiver.subject in ("*", r.subject)
            and r.outcome in (Outcome.WAIVED, Outcome.FAILED)
            for r in inputs.results
        )
        rows.append(
            {
                "id": waiver.id or f"{waiver.check}/{waiver.subject}",
                "check": waiver.check,
                "subject": waiver.subject,
                "owner": waiver.owner,
                "expires": waiver.expires.isoformat(),
                "days_left": days_left,
                "state": "active" if days_left >= 0 else "expired",
                "used": used,
                "justification": waiver.justification,
            }
        )
    return rows


def _resource_rows(
    inputs: Inputs, by_check: Mapping[str, list[CheckResult]]
) -> list[dict[str, Any]]:
    rows = []
    for service in sorted(set(inputs.declared) | set(inputs.expected)):
        cpus, memory = inputs.declared.get(service, (None, None))
        expected = inputs.expected.get(service)
        related = [
            r for cid in RESOURCE_CHECKS for r in by_check.get(cid, []) if r.subject == service
        ]
        usage = inputs.usage.get(service)
        rows.append(
            {
                "service": service,
                "declared_cpus": cpus,
                "declared_memory": memory,
                "expected_cpus": expected.cpus if expected else None,
                "expected_memory": expected.memory if expected else None,
                "usage": None
                if usage is None
                else {
                    "cpu_percent": usage.cpu_percent,
                    "memory_bytes": usage.memory_bytes,
                    "memory_limit_bytes": usage.memory_limit_bytes,
                },
                "checks": {f"{r.check_id}": r.outcome.value for r in related},
            }
        )
    return rows


def build(inputs: Inputs) -> dict[str, Any]:
    """The sign-off document (JSON-ready); messages in ``results`` are already masked."""
    by_check: dict[str, list[CheckResult]] = {}
    for r in sorted(inputs.results, key=lambda r: (r.check_id, r.subject, r.nodeid)):
        by_check.setdefault(r.check_id, []).append(r)
    specs = {s.id: s for s in inputs.specs}
    sections: list[dict[str, Any]] = []
    for number, title in SECTIONS.items():
        items: list[dict[str, Any]] = []
        for spec in (s for s in inputs.specs if s.section == number):
            results = by_check.get(spec.id, [])
            status = item_status(spec, results)
            items.append(
                {
                    "check": spec.id,
                    "title": spec.title,
                    "suite": spec.suite.value,
                    "severity": spec.severity.value,
                    "status": status,
                    "passed": sum(r.outcome is Outcome.PASSED for r in results),
                    "total": len(results),
                    "not_run_reason": (
                        ""
                        if results
                        else (
                            "disruptive: runs only with --disruptive"
                            if spec.disruptive and spec.suite.value in inputs.suites_run
                            else f"{spec.suite.value} was not part of this run"
                            if spec.suite.value not in inputs.suites_run
                            else "not implemented or deselected"
                        )
                    ),
                    "fix": spec.fix,
                    "results": [_result(r) for r in results],
                }
            )
        sections.append(
            {
                "id": number,
                "title": title,
                "status": section_status(str(i["status"]) for i in items),
                "items": items,
            }
        )
    today = inputs.generated_at.date()
    waivers = _waiver_rows(inputs, today)
    active = [w for w in waivers if w["state"] == "active"]
    decision = inputs.decision

    def finding(r: CheckResult) -> dict[str, str]:
        spec = specs.get(r.check_id)
        mitigation = r.waiver if r.outcome is Outcome.WAIVED else (spec.fix if spec else "")
        return {
            "check": r.check_id,
            "subject": r.subject,
            "outcome": r.outcome.value,
            "title": spec.title if spec else "",
            "message": r.message,
            "mitigation": mitigation,
        }

    return {
        "schema": SCHEMA,
        "generated_at": inputs.generated_at.isoformat(timespec="seconds"),
        "target": dict(inputs.target),
        "verdict": decision.verdict.value,
        "exit_code": inputs.exit_code,
        "suites_run": sorted(inputs.suites_run),
        "counts": {
            "total": decision.total,
            "passed": decision.passed,
            "blockers": len(decision.blockers),
            "warnings": len(decision.warnings),
            "items": sum(len(s["items"]) for s in sections),
            "items_not_run": sum(i["status"] == "not run" for s in sections for i in s["items"]),
        },
        "blockers": [finding(r) for r in decision.blockers],
        "warnings": [finding(r) for r in decision.warnings],
        "waivers": waivers,
        "waiver_debt": {
            "active": len(active),
            "expired": len(waivers) - len(active),
            "nearest_expiry_days": min((w["days_left"] for w in active), default=None),
            "waiver_days_outstanding": sum(w["days_left"] for w in active),
        },
        "sections": sections,
        "resources": _resource_rows(inputs, by_check),
        "provenance": dict(inputs.provenance),
        "checklist": inputs.checklist,
        "signoff": {
            "incident_commander": {
                "name": inputs.incident_commander,
                "channel": inputs.channel,
                "signature": None,
                "signed_at": None,
            },
            "approvers": [
                {
                    "role": a.get("role", ""),
                    "name": a.get("name", ""),
                    "decision": None,
                    "signature": None,
                    "signed_at": None,
                }
                for a in (inputs.approvers or [{"role": role} for role in DEFAULT_APPROVERS])
            ],
        },
        "comparison": {"previous": None},
    }


# --- Markdown view ---------------------------------------------------------------------


def cpus_text(value: float | None) -> str:
    """``2``, ``0.75`` or *Undefined* like the seed's table."""
    return "*Undefined*" if value is None else f"{value:g}"


def size_text(value: int | None) -> str:
    """Bytes as the seed writes them: ``4 GiB``, ``768 MiB``; *Undefined* when absent."""
    if value is None:
        return "*Undefined*"
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value} B"


def _cell(text: str, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    line = line if len(line) <= limit else line[: limit - 1] + "…"
    return line.replace("|", "\\|")


def _resource_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    measured = any(r["usage"] for r in rows)
    head = ["Service", "CPU Limit", "Memory Limit", "Manifest (2.3)"]
    if measured:
        head += ["CPU Used", "Memory Used"]
    head.append("Current Status")
    lines = ["| " + " | ".join(head) + " |", "|" + " :--- |" * len(head)]
    for row in rows:
        expected = (
            f"{cpus_text(row['expected_cpus'])} CPU, {size_text(row['expected_memory'])}"
            if row["expected_cpus"] is not None
            else "—"
        )
        cells = [
            f"**{row['service']}**",
            cpus_text(row["declared_cpus"]),
            size_text(row["declared_memory"]),
            expected,
        ]
        if measured:
            usage = row["usage"]
            if usage is None:
                cells += ["not running", "not running"]
            else:
                share = (
                    f" ({100 * usage['memory_bytes'] / row['declared_memory']:.1f}% of limit)"
                    if row["declared_memory"]
                    else ""
                )
                cells += [f"{usage['cpu_percent']:.2f}%", size_text(usage["memory_bytes"]) + share]
        bad = {cid: o for cid, o in row["checks"].items() if o != "passed"}
        if bad:
            status = "❌ " + ", ".join(f"{cid} {o}" for cid, o in sorted(bad.items()))
        elif row["declared_cpus"] is None or row["declared_memory"] is None:
            status = "Unbounded"
        elif row["checks"]:
            status = "✅ Defined, checked"
        else:
            status = "Defined"
        cells.append(status)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _item_lines(item: Mapping[str, Any]) -> list[str]:
    status = item["status"]
    tick = "x" if status in ("passed", "waived", "warning") else " "
    count = f" ({item['passed']}/{item['total']} passed)" if item["total"] > 1 else ""
    detail = f": {item['not_run_reason']}" if status == "not run" else count
    lines = [
        f"- [{tick}] {ICONS[status]} **{item['check']}** {item['title']} — "
        f"{status.upper() if status in ('failed', 'broken') else status}{detail}"
    ]
    for result in item["results"]:
        if result["outcome"] == "passed":
            continue
        text = result["waiver"] if result["outcome"] == "waived" else result["message"]
        lines.append(
            f"  - {ICONS.get(result['outcome'], '')} `{result['subject']}` {result['outcome']}: "
            f"{_cell(text or result['outcome'], 300)}"
        )
    if status in ("failed", "broken", "warning"):
        lines.append(f"  - *Fix: {item['fix']}*")
    return lines


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The sign-off as Markdown, laid out like the seed's checklist."""
    target = doc["target"]
    verdict = doc["verdict"]
    counts = doc["counts"]
    out = [
        f"# Operational Readiness Sign-off: {target.get('name', '')}",
        "",
        f"## Verdict: {VERDICT_ICONS.get(verdict, '')} {verdict}",
        "",
        f"- Generated: {doc['generated_at']} · suites run: {', '.join(doc['suites_run']) or 'none'}"
        f" · exit code {doc['exit_code']}",
        f"- Target: project `{target.get('project', '')}` in `{target.get('project_dir', '')}` "
        f"({target.get('compose_files', '')}); engine {target.get('engine', '')}",
        f"- Checks: {counts['passed']}/{counts['total']} passed, {counts['blockers']} blocking, "
        f"{counts['warnings']} warnings; {counts['items_not_run']} of {counts['items']} "
        "checklist items not run",
        f"- Binding hash: `{doc['provenance'].get('binding', '')}`",
        "",
    ]
    if doc["blockers"]:
        out += [
            "### Blockers",
            "",
            "| Check | Subject | Finding | Fix |",
            "| :--- | :--- | :--- | :--- |",
        ]
        out += [
            f"| {b['check']} | {_cell(b['subject'])} | {_cell(b['message'] or b['outcome'])} "
            f"| {_cell(b['mitigation'])} |"
            for b in doc["blockers"]
        ]
        out.append("")
    out += ["### Warnings and mitigations", ""]
    if doc["warnings"]:
        out += ["| Check | Subject | Finding | Mitigation |", "| :--- | :--- | :--- | :--- |"]
        out += [
            f"| {w['check']} | {_cell(w['subject'])} | {_cell(w['message'] or w['title'])} "
            f"| {_cell(w['mitigation'])} |"
            for w in doc["warnings"]
        ]
    else:
        out.append("None.")
    out += ["", "### Waivers (waiver debt)", ""]
    debt = doc["waiver_debt"]
    if doc["waivers"]:
        nearest = debt["nearest_expiry_days"]
        out.append(
            f"{debt['active']} active, {debt['expired']} expired; "
            f"{debt['waiver_days_outstanding']} waiver-days outstanding"
            + (f"; nearest expiry in {nearest} days." if nearest is not None else ".")
        )
        out += [
            "",
            "| Waiver | Check | Subject | Owner | Expires | Days left | State | Used "
            "| Justification |",
            "| :--- | :--- | :--- | :--- | :--- | ---: | :--- | :--- | :--- |",
        ]
        out += [
            f"| {w['id']} | {w['check']} | {_cell(w['subject'])} | {_cell(w['owner'])} "
            f"| {w['expires']} | {w['days_left']} | {w['state']} | {'yes' if w['used'] else 'no'} "
            f"| {_cell(w['justification'])} |"
            for w in doc["waivers"]
        ]
    else:
        out.append("No waivers.")
    out.append("")
    for section in doc["sections"]:
        if section["id"] == "2.1":
            out += ["## 2. Pre-Operation Validation Checklist", ""]
        level = "###" if section["id"].startswith("2.") else "##"
        out += [f"{level} {section['id']} {section['title']} (Status: {section['status']})", ""]
        for item in section["items"]:
            out += _item_lines(item)
        if section["id"] == "2.3":
            out += ["", *_resource_table(doc["resources"])]
        out.append("")
    out += _comparison_lines(doc["comparison"])
    out += _provenance_lines(doc["provenance"])
    out += _signoff_lines(doc["signoff"])
    return "\n".join(out).rstrip() + "\n"


def _comparison_lines(comparison: Mapping[str, Any]) -> list[str]:
    out = ["## Changes since the previous sign-off", ""]
    previous = comparison.get("previous")
    if not previous:
        return [*out, "No previous sign-off to compare with.", ""]
    out.append(
        f"Previous: {previous['generated_at']}, verdict {previous['verdict']}"
        + (" (verdict changed)" if comparison["verdict_changed"] else "")
    )
    out.append("")
    for key, label in (
        ("new_failures", "New failures"),
        ("fixed", "Fixed"),
        ("waivers_added", "Waivers added"),
        ("waivers_expired", "Waivers expired"),
        ("waivers_removed", "Waivers removed"),
    ):
        values = comparison[key]
        out.append(f"- {label}: {', '.join(values) if values else 'none'}")
    return [*out, ""]


def _provenance_lines(provenance: Mapping[str, Any]) -> list[str]:
    commit = provenance.get("commit", {})
    suite = provenance.get("suite_commit", {})
    out = [
        "## Provenance",
        "",
        f"- Deployment commit: `{commit.get('commit', '')}`"
        + (" (local changes)" if commit.get("dirty") else ""),
        f"- Suite commit: `{suite.get('commit', '')}`"
        + (" (local changes)" if suite.get("dirty") else ""),
        f"- Rendered compose configuration: `{provenance.get('compose', '')}`",
        f"- Binding hash (commit + compose + images): `{provenance.get('binding', '')}`",
        "",
        "| Service | Image | Image ID |",
        "| :--- | :--- | :--- |",
    ]
    out += [
        f"| {service} | `{image['image']}` | `{image['id']}` |"
        for service, image in sorted(provenance.get("images", {}).items())
    ]
    return [*out, ""]


def _signoff_lines(signoff: Mapping[str, Any]) -> list[str]:
    ic = signoff["incident_commander"]
    out = [
        "## Sign-off",
        "",
        f"- **Incident Commander**: {ic['name'] or '[Assign Name]'} — signature: ________ "
        "date: ________",
        f"- **Communication Channel**: {ic['channel'] or '[Assign Channel]'}",
        "",
        "| Approver (role) | Name | Decision (go / no-go) | Signature | Date |",
        "| :--- | :--- | :--- | :--- | :--- |",
    ]
    out += [f"| {a['role']} | {a['name'] or ''} |  |  |  |" for a in signoff["approvers"]]
    return [*out, ""]
