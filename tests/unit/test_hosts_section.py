"""The manifest's ``hosts`` section: defaults from the other sections, roles, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from fixtures.plugin import not_applicable
from readiness.model.catalogue import CATALOGUE
from readiness.model.errors import ConfigError
from readiness.model.manifest import HostEntry, load_manifest
from tests.harness import MANIFEST


def load(tmp_path: Path, hosts: dict[str, Any] | None) -> Any:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    if hosts is not None:
        data["hosts"] = hosts
    path = tmp_path / "readiness.yml"
    path.write_text(yaml.safe_dump(data))
    return load_manifest(path, MANIFEST.parent / "stack")


def test_host_name_is_the_host_part_of_the_spec() -> None:
    names = {
        "ssh://root@app1?timeout=3": "app1",
        "ssh://app1:2222": "app1",
        "ansible://backup1": "backup1",
        "paramiko://ops@10.0.0.5": "10.0.0.5",
        "app2": "app2",
    }
    assert {spec: HostEntry(spec=spec).name for spec in names} == names


def test_defaults_come_from_the_other_sections(tmp_path: Path) -> None:
    manifest = load(tmp_path, {"specs": [{"spec": "ssh://app1"}]})
    assert manifest.declares("hosts")
    assert manifest.host_env_file == str(manifest.env_file)
    assert manifest.host_backup_dir == str(manifest.backup.directory)
    assert manifest.host_backup_pattern == "backup_*.dump"
    assert manifest.host_backup_command == "python -m runbook.backup"
    # connectivity ports of the backend services (redis, postgres, the API)
    assert manifest.host_backend_ports == [5432, 6379, 8000]
    assert manifest.hosts.specs[0].roles == ["docker", "backup"]
    assert manifest.hosts.min_free_docker_root == 2 * 1024**3


def test_explicit_settings_win(tmp_path: Path) -> None:
    manifest = load(
        tmp_path,
        {"backend_ports": [6379, 5432, 6379], "backup_command": "/usr/local/bin/db-backup",
         "min_free_backup_dir": "512M", "env_file": "/srv/app/.env"},
    )  # fmt: skip
    assert manifest.host_backend_ports == [5432, 6379]
    assert manifest.host_backup_command == "/usr/local/bin/db-backup"
    assert manifest.hosts.min_free_backup_dir == 512 * 1024**2
    assert manifest.host_env_file == "/srv/app/.env"
    assert manifest.fix_values()["backup_command"] == "`/usr/local/bin/db-backup`"


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        ({"specs": [{"spec": "ssh://a", "roles": ["dbserver"]}]}, "hosts.specs[0].roles[0]"),
        (
            {"specs": [{"spec": "a", "role": ["docker"]}]},
            "specs[0].role: unknown key; did you mean 'roles'?",
        ),
        ({"min_free_docker_root": "lots"}, "hosts.min_free_docker_root: "),
        ({"specs": [{"spec": "sssh://a"}]}, "hosts.specs[0].spec: unknown connection type 'sssh'"),
        ({"backend_ports": [70000]}, "hosts.backend_ports[0]: expected <= 65535"),
    ],
)
def test_bad_hosts_section_is_one_line(
    tmp_path: Path, hosts: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, hosts)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_host_checks_need_a_host_list_not_only_the_section(tmp_path: Path) -> None:
    without = load(tmp_path, None)
    settings_only = load(tmp_path, {"env_owner": "deploy"})
    for spec in (CATALOGUE[f"HST-0{n}"] for n in range(1, 8)):
        assert spec.needs == ("hosts",)
        assert not_applicable(spec, without).startswith("no hosts: give testinfra's --hosts")
        assert not_applicable(spec, settings_only).startswith("no hosts")
        assert not_applicable(spec, without, hosts=True) == ""
