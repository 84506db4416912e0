"""Host checks before launch, on every host testinfra is given (``--hosts``, the inventory or the
manifest's ``hosts.specs``): the scheduled backup, free space, the Docker engine, the clock and
the .env file. Each takes testinfra's ``host`` fixture (ids from the host spec); the facts are
read once per host (``host_facts``)."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.checkmark import check
from fixtures.host_targets import judged
from readiness.backends.hosts import DOCKER_ROOT, HostFacts
from readiness.model.manifest import Manifest
from readiness.parsers import host_rules


@check("HST-01")
@pytest.mark.host_role("backup")
def test_backup_is_scheduled(host: Any, host_facts: HostFacts, manifest: Manifest) -> None:
    """A cron entry or an enabled systemd timer runs the backup command at least daily."""
    message = host_rules.backup_scheduled(host_facts, manifest.host_backup_command)
    assert judged(host_facts, message) is None, message


@check("HST-02")
@pytest.mark.host_role("docker")
def test_docker_root_has_free_space(host: Any, host_facts: HostFacts, manifest: Manifest) -> None:
    """The engine's data root (from ``docker info``) has the manifest's minimum free."""
    newest = host_rules.newest_backup_bytes(host_facts, manifest.host_backup_dir)
    message = host_rules.free_space(
        host_facts,
        DOCKER_ROOT,
        manifest.hosts.min_free_docker_root,
        newest,
        manifest.hosts.backup_size_multiple,
    )
    assert judged(host_facts, message) is None, message


@check("HST-03")
@pytest.mark.host_role("backup")
def test_backup_dir_has_free_space(host: Any, host_facts: HostFacts, manifest: Manifest) -> None:
    """The backup directory has the minimum free and room for a multiple of the newest backup."""
    directory = manifest.host_backup_dir
    assert directory, (
        f"{host_facts.host}: backup directory: expected hosts.backup_dir or backup.directory "
        "in the manifest, got none"
    )
    newest = host_rules.newest_backup_bytes(host_facts, directory)
    message = host_rules.free_space(
        host_facts,
        directory,
        manifest.hosts.min_free_backup_dir,
        newest,
        manifest.hosts.backup_size_multiple,
    )
    assert judged(host_facts, message) is None, message


@check("HST-04")
@pytest.mark.host_role("docker")
def test_docker_engine_settings(host: Any, host_facts: HostFacts, manifest: Manifest) -> None:
    """The engine's own answer: version, json-file logs rotated, live-restore on."""
    engine = manifest.hosts.engine
    message = host_rules.engine_settings(
        host_facts, engine.min_version, engine.log_rotation, engine.live_restore
    )
    assert judged(host_facts, message) is None, (
        f"{message}\n(evidence: {host_rules.engine_evidence(host_facts)})"
    )


@check("HST-05")
def test_clock_is_synchronised(host: Any, host_facts: HostFacts) -> None:
    """A time daemon reports the clock synchronised (TLS validity and backup ages rely on it)."""
    message = host_rules.clock_synchronised(host_facts)
    assert judged(host_facts, message) is None, message


@check("HST-06")
def test_env_file_is_private(host: Any, host_facts: HostFacts, manifest: Manifest) -> None:
    """Where the host holds the .env: no group/other access, owned by the declared owner."""
    message = host_rules.env_file_private(
        host_facts, manifest.host_env_file, manifest.hosts.env_owner
    )
    assert judged(host_facts, message) is None, message
