"""The compose render runs the plugin binary itself where the docker CLI would find it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from readiness.backends import compose
from readiness.backends.compose import render, standalone

STACK = Path(__file__).resolve().parents[2] / "stack"
COMMAND = ["docker", "compose", "-p", "x", "-f", "compose.yaml"]


def _plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    binary = folder / "docker-compose"
    binary.write_text("#!/bin/sh\n", encoding="utf-8")
    binary.chmod(0o755)
    return binary


@pytest.fixture
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docker CLI on PATH, an empty docker CLI config folder and no system plugin folder."""
    config_dir = tmp_path / "docker-config"
    config_dir.mkdir()
    cli = tmp_path / "bin" / "docker"
    cli.parent.mkdir()
    cli.write_text("#!/bin/sh\n", encoding="utf-8")
    cli.chmod(0o755)
    monkeypatch.setenv("PATH", str(cli.parent))
    monkeypatch.setenv("DOCKER_CONFIG", str(config_dir))
    monkeypatch.setattr(compose, "SYSTEM_PLUGIN_DIRS", (str(tmp_path / "system"),))
    return config_dir


def test_the_users_plugin_comes_before_the_systems(docker_config: Path, tmp_path: Path) -> None:
    _plugin(tmp_path / "system")
    users = _plugin(docker_config / "cli-plugins")
    assert standalone(COMMAND) == [str(users), *COMMAND[2:]]


def test_the_system_plugin_is_used_when_the_user_has_none(
    docker_config: Path, tmp_path: Path
) -> None:
    system = _plugin(tmp_path / "system")
    assert standalone(COMMAND) == [str(system), *COMMAND[2:]]


@pytest.mark.parametrize(
    "config_json",
    ['{"cliPluginsExtraDirs": ["/opt/plugins"]}', "{not json", "[]"],
    ids=["extra plugin folders", "unreadable config", "not an object"],
)
def test_the_cli_decides_when_its_config_could_change_the_plugin(
    docker_config: Path, tmp_path: Path, config_json: str
) -> None:
    _plugin(tmp_path / "system")
    (docker_config / "config.json").write_text(config_json, encoding="utf-8")
    assert standalone(COMMAND) == COMMAND


def test_without_a_docker_cli_the_command_is_left_to_fail(
    docker_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``docker`` on PATH: the render reports the missing CLI, as the rest of the run would."""
    _plugin(tmp_path / "system")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    assert standalone(COMMAND) == COMMAND
    assert "docker CLI is not installed" in render(COMMAND).error


def test_no_plugin_found_or_another_command_is_left_as_it_is(docker_config: Path) -> None:
    assert standalone(COMMAND) == COMMAND
    assert standalone(["podman", "compose", "-p", "x"]) == ["podman", "compose", "-p", "x"]


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")
def test_the_plugin_renders_what_docker_compose_renders() -> None:
    """Same model as ``docker compose config`` for the reference stack (no engine needed)."""
    command = [
        "docker", "compose", "-p", "hypercode", "--project-directory", str(STACK),
        "-f", str(STACK / "docker-compose.production.yml"),
        "-f", str(STACK / "docker-compose.agents.yml"),
    ]  # fmt: skip
    if standalone(command) == command:
        pytest.skip("no compose plugin binary where the docker CLI looks")
    through_cli = subprocess.run(
        [*command, "config", "--format", "json"], capture_output=True, text=True, check=False
    )
    model = render(command)
    assert model.ok == (through_cli.returncode == 0), model.error
    if model.ok:
        assert model.raw == json.loads(through_cli.stdout)
