"""runbook.waiver_debt: waivers about to expire as a CI warning (exit 2), bad input exit 4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runbook.waiver_debt import due_waivers, main


def waiver(wid: str, days_left: int) -> dict[str, object]:
    return {
        "id": wid,
        "check": "DEP-01",
        "subject": "frontend",
        "owner": "frontend-team",
        "expires": "2027-03-31",
        "days_left": days_left,
        "state": "active" if days_left >= 0 else "expired",
    }


def signoff(tmp_path: Path, *waivers: dict[str, object]) -> Path:
    path = tmp_path / "signoff.json"
    path.write_text(json.dumps({"verdict": "READY", "waivers": list(waivers)}))
    return path


def test_due_waivers_soonest_first() -> None:
    doc = {"waivers": [waiver("late", 90), waiver("soon", 3), waiver("gone", -2)]}
    assert [w["id"] for w in due_waivers(doc, 14)] == ["gone", "soon"]
    with pytest.raises(ValueError, match="waivers"):
        due_waivers({"verdict": "READY"}, 14)


def test_exit_2_and_a_warning_line_when_due(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    path = signoff(tmp_path, waiver("soon", 3), waiver("late", 90))
    assert main(["--signoff", str(path), "--within", "14"]) == 2
    out = capsys.readouterr().out
    assert "WARNING waiver soon (DEP-01 frontend, owner frontend-team) expires in 3 days" in out
    assert "late" not in out
    assert main(["--signoff", str(path), "--within", "2"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["--signoff", str(path)]) == 2
    assert capsys.readouterr().out.startswith("::warning title=Waiver soon::")


@pytest.mark.parametrize("content", [None, "{not json", '{"waivers": [{"id": "x"}]}'])
def test_bad_input_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    path = tmp_path / "signoff.json"
    if content is not None:
        path.write_text(content)
    assert main(["--signoff", str(path)]) == 4
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(["--within", "soon"])
    assert exc.value.code == 4
