"""Fixtures of the host-level tests: the SSH test hosts, reachable through testinfra."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readiness.backends import hosts
from tests.hosts.fleet import Fleet, running_hosts


@pytest.fixture(scope="session")
def host_fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    """rdyhost1..3 up and healthy for the session, removed afterwards (READINESS_KEEP_HOSTS=1
    keeps them, reset to healthy, for the next session)."""
    # testinfra's ansible backend runs `ansible-inventory`: the one next to this interpreter
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    with running_hosts(tmp_path_factory.mktemp("hosts")) as fleet:
        yield fleet


@pytest.fixture(scope="session")
def ssh_host(host_fleet: Fleet) -> Any:
    """name -> testinfra Host over ssh:// through the generated ssh_config."""

    def connect(name: str, **options: Any) -> Any:
        return hosts.connect(host_fleet.spec(name), **options)

    return connect
