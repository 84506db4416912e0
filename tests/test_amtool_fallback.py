"""amtool judges in the Alertmanager's own image when it can, else in the suite's tool image,
and the evidence always says which amtool (version) and which image, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.backends import tools
from readiness.model.images import base_image

ABSENT = "registry.example.invalid/rdyalerts/alertmanager:0.27.0"
VALID = 'route: {receiver: "null"}\nreceivers: [{name: "null"}]\n'
TARGET = "/etc/alertmanager/alertmanager.yml"


def _config(tmp_path: Path, text: str) -> list[tuple[Path, str]]:
    path = tmp_path / "alertmanager.yml"
    path.write_text(text)
    return [(path, TARGET)]


def test_absent_image_is_judged_in_the_tool_image(tmp_path: Path) -> None:
    """An image not on the machine: amtool of the suite's tool image, named with its version."""
    result = tools.amtool_check("", ABSENT, _config(tmp_path, VALID), TARGET)
    assert result.ok, result.output
    assert result.judged_by.startswith("amtool, version "), result.judged_by
    assert f"in the suite's {tools.TOOL_IMAGE}" in result.judged_by
    assert f"image {ABSENT} is not on this machine" in result.judged_by


def test_image_without_amtool_falls_back_and_a_bad_config_fails(tmp_path: Path) -> None:
    """An image that has no amtool (the bare base image): the tool image judges, and rejects an
    undefined receiver with amtool's own words."""
    base = base_image()
    if not tools.image_present("", base):
        pytest.fail(f"base image {base} missing: run `python3 -m runbook.bootstrap`")
    bad = VALID.replace('receiver: "null"', "receiver: pager")
    result = tools.amtool_check("", base, _config(tmp_path, bad), TARGET)
    assert not result.ok
    assert 'undefined receiver "pager"' in result.output, result.output
    assert f"because image {base} has no amtool" in result.judged_by
