"""Bootstrap writes the stack's certificates even where the engine left directories."""

from __future__ import annotations

from pathlib import Path

from runbook import bootstrap


def test_certificates_replace_empty_directories_left_by_bind_mounts(tmp_path: Path) -> None:
    """A container restarted before bootstrap had its missing cert files made directories."""
    certs = tmp_path / "certs"
    (certs / "ca.crt").mkdir(parents=True)
    (certs / "server.key").mkdir()
    result = bootstrap.ensure_certs(tmp_path)
    assert result == "created CA and server certificate"
    for name in ("ca.crt", "ca.key", "server.crt", "server.key"):
        assert (certs / name).is_file(), name
    assert (certs / "ca.crt").read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_directory_with_content_is_left_alone(tmp_path: Path) -> None:
    """Only an empty placeholder is removed, never a directory holding something."""
    kept = tmp_path / "ca.crt"
    kept.mkdir()
    (kept / "note").write_text("not ours")
    bootstrap.remove_mount_placeholder(kept)
    assert (kept / "note").exists()
