"""The catalogue is the single source: one @check per ID, IDs only from it, links that resolve."""

from __future__ import annotations

import importlib
import inspect
from collections import defaultdict
from pathlib import Path

from fixtures.fix_preflight import Preflight
from readiness.model.catalogue import CATALOGUE
from tests.harness import ROOT

CHECKS = ROOT / "checks"


def _checks_by_id() -> dict[str, list[str]]:
    """check ID -> the check functions (module:function) that carry its @check."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(CHECKS.rglob("test_*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if attr.startswith("test_") and inspect.isfunction(obj):
                for mark in getattr(obj, "pytestmark", []):
                    if mark.name == "check":
                        found[mark.args[0]].append(f"{name}:{attr}")
    return found


def test_every_catalogue_id_has_exactly_one_check() -> None:
    found = _checks_by_id()
    missing = sorted(set(CATALOGUE) - set(found))
    twice = {cid: where for cid, where in found.items() if len(where) > 1}
    unknown = sorted(set(found) - set(CATALOGUE))
    assert not missing, f"catalogue IDs without a @check: {missing}"
    assert not twice, f"IDs with more than one @check: {twice}"
    assert not unknown, f"@check IDs outside the catalogue: {unknown}"


def test_each_id_prefix_lives_in_one_module_per_phase() -> None:
    modules: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cid, where in _checks_by_id().items():
        phase = CATALOGUE[cid].suite.value
        modules[(phase, cid.split("-")[0])].update(w.split(":")[0] for w in where)
    spread = {key: sorted(mods) for key, mods in modules.items() if len(mods) > 1}
    assert not spread, f"ID prefixes spread over several modules of one phase: {spread}"


def test_checks_live_in_their_phase_directory() -> None:
    wrong = {
        cid: where
        for cid, where in _checks_by_id().items()
        if any(not w.startswith(f"checks.{CATALOGUE[cid].suite.value}.") for w in where)
    }
    assert not wrong, f"checks outside checks/<phase>/: {wrong}"


def test_after_links_facts_and_seed_lines_resolve() -> None:
    for spec in CATALOGUE.values():
        assert spec.seed, f"{spec.id} names no seed line"
        if spec.after:
            owner = CATALOGUE[spec.after]
            assert owner.suite == spec.suite, f"{spec.id} comes after {owner.id} of another phase"
            assert owner.id != spec.id
        for fact in spec.facts:
            assert callable(getattr(Preflight, fact, None)), f"{spec.id}: no pre-flight fact {fact}"


def test_check_ids_appear_nowhere_else_in_the_library_and_fixtures() -> None:
    """Outside the catalogue, code asks the catalogue (links, sections) instead of naming IDs."""
    allowed = {ROOT / "readiness" / "model" / "catalogue.py"}
    offenders = []
    for top in ("readiness", "fixtures"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if path in allowed:
                continue
            text = path.read_text(encoding="utf-8")
            named = [cid for cid in CATALOGUE if f'"{cid}"' in text]
            if named:
                offenders.append(f"{Path(path).relative_to(ROOT)}: {named}")
    assert not offenders, f"check IDs hard-coded outside the catalogue: {offenders}"


def test_dependencies_point_one_way() -> None:
    """checks -> fixtures -> readiness; runbook -> readiness; the library imports no glue."""
    rules = {
        "readiness": (
            "import pytest",
            "from pytest",
            "from _pytest",
            "from fixtures",
            "from runbook",
        ),
        "fixtures": ("from runbook", "import runbook", "from checks"),
        "runbook": ("from fixtures", "import fixtures", "from checks"),
    }
    offenders = []
    for top, banned in rules.items():
        for path in sorted((ROOT / top).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip().startswith(banned):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "imports against the layering:\n" + "\n".join(offenders)


HYPERCODE_NAMES = (
    *("hypercode", "broski", "crew-orchestrator", "project-strategist", "celery"),
    *("platform-net", "alert.rules.yml", "prometheus.yml", "runbook.stack"),
)


def test_no_hypercode_name_in_checks_or_fix_texts() -> None:
    """Checks and fix texts speak of the target's own names (from its manifest), never ours."""
    found = []
    for path in sorted(CHECKS.rglob("*.py")):
        text = path.read_text(encoding="utf-8").lower()
        found += [f"{path.relative_to(ROOT)}: {n}" for n in HYPERCODE_NAMES if n in text]
    for spec in CATALOGUE.values():
        text = f"{spec.title} {spec.fix}".lower()
        found += [f"{spec.id} title/fix: {n}" for n in HYPERCODE_NAMES if n in text]
    assert not found, f"HyperCode names where only the target's belong: {found}"


def test_fix_texts_use_the_targets_own_names() -> None:
    values = {"alert_rules": "rules/alerts.yml", "prometheus_config": "prom.yml"}
    assert CATALOGUE["MON-04"].fix_for(values) == (
        "Add the alert to rules/alerts.yml with the declared expression."
    )
    assert "the alert rules" in CATALOGUE["MON-04"].fix_for({})
