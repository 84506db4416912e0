"""Manifest validation: a bad manifest is one line naming file, key and expectation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from readiness.model.errors import ConfigError
from readiness.model.manifest import load_manifest, parse_memory
from tests.harness import MANIFEST


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "readiness.yml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def reference() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return data


def error_of(tmp_path: Path, data: Any) -> str:
    with pytest.raises(ConfigError) as info:
        load_manifest(write(tmp_path, data), tmp_path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "readiness.yml"))
    return message


def test_reference_manifest_loads_with_its_tests_and_waiver() -> None:
    manifest = load_manifest(MANIFEST)
    assert manifest.tests.command.startswith("python3 -m unittest")
    assert manifest.tests.smoke == "python3 smoke_test.py"
    assert manifest.limits["project-strategist"].memory == 768 * 1024**2
    (waiver,) = manifest.waivers
    assert (waiver.check, waiver.subject, waiver.id) == ("DEP-01", "frontend", "npm-audit-frontend")


def test_waiver_with_unknown_check_is_a_configuration_error(tmp_path: Path) -> None:
    data = reference()
    data["waivers"][0]["check"] = "DEP-99"
    assert "waivers[0].check: unknown check ID 'DEP-99'" in error_of(tmp_path, data)


def test_waiver_needs_owner_and_a_real_expiry_date(tmp_path: Path) -> None:
    data = reference()
    del data["waivers"][0]["owner"]
    assert "waivers[0].owner: is required" in error_of(tmp_path, data)
    data = reference()
    data["waivers"][0]["expires"] = "next spring"
    assert "waivers[0].expires" in error_of(tmp_path, data)


def test_wrong_types_name_the_key_and_expectation(tmp_path: Path) -> None:
    data = reference()
    data["limits"]["postgres"]["memory"] = "lots"
    assert "limits.postgres.memory: expected a size like 4G" in error_of(tmp_path, data)
    data = reference()
    data["tests"]["command"] = ["python3", "-m", "unittest"]
    assert "tests.command: expected a string, got list" in error_of(tmp_path, data)
    data = reference()
    data["dependencies"]["severity_threshold"] = "severe"
    assert "dependencies.severity_threshold: expected one of" in error_of(tmp_path, data)


def test_missing_section_and_bad_yaml(tmp_path: Path) -> None:
    data = reference()
    data["tls"] = None
    assert "tls: expected a mapping, got nothing" in error_of(tmp_path, data)
    assert "not valid YAML" in error_of(tmp_path, "version: 1\ntarget: [unclosed\n")


def test_tests_section_is_optional(tmp_path: Path) -> None:
    data = reference()
    del data["tests"]
    manifest = load_manifest(write(tmp_path, data), tmp_path)
    assert (manifest.tests.command, manifest.tests.smoke) == ("", "")


def test_memory_sizes() -> None:
    assert parse_memory("4G") == 4 * 1024**3
    assert parse_memory("768M") == 768 * 1024**2
    assert parse_memory("268435456") == 268435456
    with pytest.raises(ValueError, match="expected a size"):
        parse_memory(True)


def test_misspelt_key_is_bad_input_with_the_closest_valid_key(tmp_path: Path) -> None:
    data = reference()
    data["tls"]["min_days_lef"] = 400
    assert error_of(tmp_path, data).endswith(
        "tls.min_days_lef: unknown key; did you mean 'min_days_left'?"
    )
    data = reference()
    data["monitring"] = {}
    assert "monitring: unknown key; did you mean 'monitoring'?" in error_of(tmp_path, data)
    data = reference()
    data["routes"][1]["stauts"] = 200
    assert "routes[1].stauts: unknown key; did you mean 'status'?" in error_of(tmp_path, data)


def test_unknown_key_far_from_any_lists_the_valid_keys(tmp_path: Path) -> None:
    data = reference()
    data["grafana"]["colour"] = "blue"
    message = error_of(tmp_path, data)
    assert "grafana.colour: unknown key; valid keys: default_password, default_user" in message


def test_duplicate_keys_and_impossible_values_are_bad_input(tmp_path: Path) -> None:
    text = MANIFEST.read_text()
    twice = text.replace("  min_days_left: 30\n", "  min_days_left: 30\n  min_days_left: 5\n")
    assert "key 'min_days_left' is given twice" in error_of(tmp_path, twice)
    impossible = text.replace("expires: 2027-03-31", "expires: 2027-13-45")
    assert "waivers[0].expires: expected a date (YYYY-MM-DD)" in error_of(tmp_path, impossible)
    data = reference()
    data["backup"]["max_age_hours"] = -5
    assert "backup.max_age_hours: expected > 0, got int -5" in error_of(tmp_path, data)
    data = reference()
    data["limits"]["postgres"]["cpus"] = -1
    assert "limits.postgres.cpus: expected > 0" in error_of(tmp_path, data)
    data = reference()
    data["routes"].append(dict(data["routes"][0]))
    assert "routes: Value error" not in error_of(tmp_path, data)
    assert "probe '/' is declared twice" in error_of(tmp_path, data)


def test_signoff_section_is_validated(tmp_path: Path) -> None:
    data = reference()
    data["signoff"] = {"approvers": 5}
    assert "signoff.approvers: expected a list, got int 5" in error_of(tmp_path, data)
    data["signoff"] = {"approvers": [{"role": "Ops lead", "name": "A. Person"}]}
    manifest = load_manifest(write(tmp_path, data), tmp_path)
    assert manifest.signoff.approvers[0].role == "Ops lead"


def test_manifest_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "readiness.yml"
    path.write_bytes(MANIFEST.read_text().encode("utf-16"))
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_manifest(path, tmp_path)


def test_committed_json_schema_matches_the_manifest_model() -> None:
    from runbook.schema import DEFAULT, render

    assert DEFAULT.read_text(encoding="utf-8") == render(), (
        "readiness.schema.json is stale: run `python -m runbook.schema`"
    )


def test_every_section_but_target_may_be_left_out(tmp_path: Path) -> None:
    """A stack without nginx, Grafana, TLS ... is describable: those checks become N/A."""
    data = {"version": 1, "target": {"name": "tiny", "compose_files": ["compose.yaml"]}}
    manifest = load_manifest(write(tmp_path, data), tmp_path)
    assert manifest.declares("target")
    assert not any(manifest.declares(s) for s in ("tls", "nginx", "grafana", "backup", "database"))
    assert manifest.project_name == tmp_path.name
    full = load_manifest(MANIFEST)
    assert all(full.declares(s) for s in ("tls", "nginx", "grafana", "backup", "monitoring"))


def test_tls_cert_without_key_is_bad_input(tmp_path: Path) -> None:
    """tls.cert and tls.key come together, or neither (nginx's pair is then judged)."""
    data = reference()
    del data["tls"]["key"]
    message = error_of(tmp_path, data)
    assert "tls" in message
    assert "expected cert and key together" in message
    del data["tls"]["cert"]
    assert load_manifest(write(tmp_path, data), tmp_path).tls.cert is None


def test_alertmanager_block_is_optional_and_validated(tmp_path: Path) -> None:
    """monitoring.alertmanager: absent means none required; a misspelt key is bad input."""
    data = reference()
    manifest = load_manifest(MANIFEST)
    assert manifest.monitoring.alertmanager is not None
    assert (
        manifest.monitoring.alertmanager.service,
        manifest.monitoring.alertmanager.required,
    ) == (
        "alertmanager",
        True,
    )
    data["monitoring"]["alertmanager"] = {"servce": "alertmanager"}
    message = error_of(tmp_path, data)
    assert "monitoring.alertmanager" in message, message
    assert "service" in message, message
    del data["monitoring"]["alertmanager"]
    assert load_manifest(write(tmp_path, data), tmp_path).monitoring.alertmanager is None
