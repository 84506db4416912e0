"""Fixtures of the Swarm tests: a three-node docker-in-docker Swarm with the stack's images."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.swarm.cluster import Swarm, load_images, running_swarm

STACK_IMAGES = ("hypercode/redis:2.0.0", "hypercode/redis:1.9.0")
"""What the small Swarm stack of these tests runs (every node gets it)."""


@pytest.fixture(scope="session")
def swarm() -> Iterator[Swarm]:
    """rdyswarm-manager + two workers, swarm formed, the stack's images on every node; removed
    afterwards (READINESS_KEEP_SWARM=1 keeps them for the next session)."""
    with running_swarm() as formed:
        start = time.monotonic()
        load_images(formed, STACK_IMAGES)
        formed.timings["images loaded"] = time.monotonic() - start
        yield formed
