"""Seed 6's critical failure criteria as triggers: catalogue mapping and what verify_launch says."""

from __future__ import annotations

from readiness.model.catalogue import CATALOGUE, Suite
from readiness.model.contingency import CONTINGENCIES, triggered
from runbook.verify_launch import contingency_lines


def test_every_trigger_names_a_contingency_and_each_has_post_deploy_checks() -> None:
    mapped = {spec.id: spec.trigger for spec in CATALOGUE.values() if spec.trigger}
    assert set(mapped.values()) == set(CONTINGENCIES)
    for check_id in mapped:
        assert CATALOGUE[check_id].suite is Suite.POSTDEPLOY, check_id


def test_the_seed_criteria_map_as_the_seed_says() -> None:
    assert CATALOGUE["DB-02"].trigger == "restore"
    assert CATALOGUE["PRM-04"].trigger == "rollback"
    assert CATALOGUE["TLS-07"].trigger == "shutdown"
    assert CATALOGUE["DRF-02"].trigger == "shutdown"
    assert CATALOGUE["HLT-01"].trigger == ""


def test_triggered_orders_shutdown_first_and_names_the_checks() -> None:
    hits = triggered(["PRM-04", "DB-02", "HLT-01", "TLS-07", "NET-04", "TLS-07", "NOPE-9"])
    assert [h.contingency.key for h in hits] == ["shutdown", "restore", "rollback"]
    assert hits[0].checks == ("NET-04", "TLS-07")
    assert triggered(["HLT-01", "RES-01"]) == []


def _result(check: str, outcome: str = "failed") -> dict[str, str]:
    return {"check": check, "subject": "-", "outcome": outcome, "message": "m"}


def test_contingency_lines_give_the_command_for_the_target() -> None:
    lines = contingency_lines(
        [_result("PRM-04"), _result("DB-02", "broken"), _result("HLT-01")],
        "shop",
        "shopdb",
        "--manifest m.yml",
    )
    assert lines == [
        "  API error rate over the ceiling (seed: > 1%) (PRM-04 failed): trigger a hotfix or "
        "the 3.3 application rollback to the previous release",
        "    python -m runbook.release rollback --project-name shop --manifest m.yml",
    ]


def test_contingency_lines_say_when_no_criterion_is_met() -> None:
    (line,) = contingency_lines([_result("HLT-01")], "shop", "shopdb")
    assert "no seed-6 critical failure criterion is met" in line
    assert "fix the blockers" in line
