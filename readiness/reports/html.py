"""pytest-html: the verdict at the top of the report and the target in its environment table."""

from __future__ import annotations

import html
from collections.abc import Mapping

from readiness.model.masking import Masker
from readiness.model.verdict import Decision

REDACT_PATTERNS = (
    r".*PASSWORD.*",
    r".*PASSWD.*",
    r".*SECRET.*",
    r".*TOKEN.*",
    r".*API_?KEY.*",
    r".*PRIVATE.*",
    r".*CREDENTIAL.*",
)
"""Keys whose values pytest-html blacks out in the environment table."""

_COLOURS = {"READY": "#1a7f37", "READY WITH WARNINGS": "#9a6700", "NOT READY": "#cf222e"}
_MAX_LISTED = 25


def title(name: str, verdict: str | None = None) -> str:
    """The report's title (the page's first heading): target and, once known, the verdict."""
    return f"Readiness of {name}: {verdict}" if verdict else f"Readiness of {name}"


def verdict_banner(decision: Decision, masker: Masker, signoff: str = "") -> list[str]:
    """HTML for the summary's prefix: verdict, counts, blockers and warnings."""
    verdict = decision.verdict.value
    parts = [
        f'<div id="readiness-verdict" style="border:3px solid {_COLOURS[verdict]};'
        'padding:8px 16px;margin:8px 0">',
        f'<h2 style="color:{_COLOURS[verdict]};margin:4px 0">VERDICT: {html.escape(verdict)}</h2>',
        f"<p>{decision.passed}/{decision.total} checks passed; {len(decision.blockers)} blocking, "
        f"{len(decision.warnings)} warnings.</p>",
    ]
    for heading, results in (("Blockers", decision.blockers), ("Warnings", decision.warnings)):
        if not results:
            continue
        parts.append(f"<p><b>{heading}</b></p><ul>")
        for result in results[:_MAX_LISTED]:
            first = (result.waiver or result.message or result.outcome.value).splitlines()[0]
            parts.append(
                f"<li><code>{html.escape(result.check_id)} [{html.escape(result.subject)}]</code> "
                f"{html.escape(result.outcome.value)}: {html.escape(masker.mask(first)[:300])}</li>"
            )
        if len(results) > _MAX_LISTED:
            parts.append(f"<li>... and {len(results) - _MAX_LISTED} more</li>")
        parts.append("</ul>")
    if signoff:
        parts.append(f"<p>Sign-off summary: <code>{html.escape(signoff)}</code></p>")
    parts.append("</div>")
    return parts


def environment(target: Mapping[str, str], masker: Masker) -> dict[str, str]:
    """Rows for the environment table: what the run talked to, with secrets masked."""
    return {f"Readiness {key}": masker.mask(str(value)) for key, value in target.items()}
