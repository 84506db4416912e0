"""Report files are written by a child process, in order, and its failures come back as lines."""

from __future__ import annotations

from pathlib import Path

from fixtures.reports.file_writer import FileWriter


def test_files_and_removals_are_applied_in_order(tmp_path: Path) -> None:
    writer = FileWriter()
    old = tmp_path / "old"
    old.mkdir()
    (old / "stale-result.json").write_text("{}")
    writer.remove_tree(old)
    for number in range(50):
        writer.put(tmp_path / f"{number}-result.json", b'{"n": %d}' % number)
    writer.put(old / "after-removal.json", b"{}")  # queued after the removal: written after it
    assert writer.flush(30) == [
        "Allure results: No such file or directory: " + str(old) + "/after-removal.json.tmp"
    ]
    assert sorted(p.name for p in tmp_path.glob("*-result.json"))[:2] == [
        "0-result.json",
        "1-result.json",
    ]
    assert (tmp_path / "49-result.json").read_bytes() == b'{"n": 49}'
    assert not old.exists()
    assert not list(tmp_path.glob("*.tmp"))


def test_a_flushed_writer_starts_again(tmp_path: Path) -> None:
    writer = FileWriter()
    writer.put(tmp_path / "a.json", b"a")
    assert writer.flush(30) == []
    writer.put(tmp_path / "b.json", "é".encode())
    assert writer.flush(30) == []
    assert (tmp_path / "b.json").read_text() == "é"
