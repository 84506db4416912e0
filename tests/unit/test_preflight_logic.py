"""Pure logic of the pre-flight facts: nginx routes, audit reports, secrets, TLS names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from readiness.model.manifest import AuditReport
from readiness.parsers import audits as audit
from readiness.parsers import compose_secrets, secrets, tls

# The nginx route tests moved to tests/unit/test_nginx_config.py (crossplane, container view).


def test_npm_v2_and_v6_and_pip_reports(tmp_path: Path) -> None:
    npm2 = tmp_path / "npm2.json"
    npm2.write_text(
        json.dumps(
            {
                "vulnerabilities": {
                    "lodash": {
                        "severity": "high",
                        "via": [{"url": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"}],
                    },
                    "minimist": {"severity": "low", "via": ["x"]},
                }
            }
        )
    )
    npm6 = tmp_path / "npm6.json"
    npm6.write_text(
        json.dumps({"advisories": {"1": {"module_name": "qs", "severity": "critical"}}})
    )
    pip = tmp_path / "pip.json"
    pip.write_text(
        json.dumps(
            {
                "dependencies": [
                    {"name": "h11", "version": "0.14.0", "vulns": [{"id": "GHSA-vqfr-h8mv-ghfj"}]},
                    {"name": "idna", "version": "3.7", "vulns": []},
                ]
            }
        )
    )
    found2 = audit.read_report(AuditReport(name="f", kind="npm", path=npm2))
    assert [f.describe() for f in audit.at_or_above(found2, "high")] == [
        "lodash (high: GHSA-35jh-r3h4-6jhm)"
    ]
    assert len(audit.at_or_above(found2, "low")) == 2
    assert audit.at_or_above(
        audit.read_report(AuditReport(name="o", kind="npm", path=npm6)), "high"
    )
    pip_found = audit.read_report(AuditReport(name="c", kind="pip", path=pip))
    assert [f.severity for f in audit.at_or_above(pip_found, "critical")] == ["unknown"]


def test_not_a_report_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="npm audit JSON"):
        audit.read_report(AuditReport(name="x", kind="npm", path=path))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("changeme", "a placeholder/default (secrets.placeholders[0])"),
        ("CHANGEME-2024", "a placeholder/default (secrets.placeholders[0])"),
        ("Zq8#rT2!", "8"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1"),
    ],
)
def test_weak_secrets(value: str, reason: str) -> None:
    weak = secrets.weakness(value, ("changeme", "admin"), 16)
    assert weak is not None
    assert weak[1] == reason
    assert value not in " ".join(weak)


def test_strong_secret_passes() -> None:
    assert secrets.weakness("q7N2-vXk9fLp0sRw3mYb8TzA", ("changeme", "admin"), 16) is None


def test_literal_environment_in_compose(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(
        "services:\n  api:\n    environment:\n      API_KEY: abc123\n"
        "      DB_PASSWORD: ${DB_PASSWORD}\n  worker:\n    environment:\n"
        "      - API_KEY=${API_KEY:?}\n      - JWT_SECRET=literal\n"
    )
    found = {(f.variable, f.service) for f in compose_secrets.secret_literals(compose)}
    assert found == {("API_KEY", "api"), ("JWT_SECRET", "worker")}


def test_certificate_name_matching() -> None:
    assert tls.name_matches("localhost", "LOCALHOST")
    assert tls.name_matches("*.example.org", "www.example.org")
    assert not tls.name_matches("*.example.org", "a.b.example.org")
    assert tls.name_matches("127.0.0.1", "127.0.0.1")
    assert not tls.name_matches("other.example", "localhost")
