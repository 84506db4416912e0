"""The test Swarm itself: three real nodes, one manager, images on every node."""

from __future__ import annotations

import json

from tests.swarm.cluster import MANAGER, NODES, Swarm
from tests.swarm.conftest import STACK_IMAGES


def test_three_node_swarm_is_formed(swarm: Swarm) -> None:
    """One manager (leader) and two workers, all Ready, every node holding the stack's images."""
    rows = [
        json.loads(line)
        for line in swarm.docker("node", "ls", "--format", "{{json .}}").splitlines()
        if line.strip()
    ]
    by_name = {row["Hostname"]: row for row in rows}
    assert sorted(by_name) == sorted(NODES), (
        f"nodes: expected {sorted(NODES)}, got {sorted(by_name)}"
    )
    assert by_name[MANAGER]["ManagerStatus"] == "Leader", f"manager: got {by_name[MANAGER]}"
    assert all(row["Status"] == "Ready" for row in rows), f"nodes not Ready: {rows}"
    for node in NODES:
        for image in STACK_IMAGES:
            assert swarm.docker("image", "inspect", "-f", "{{.Id}}", image, node=node).strip()
    print(
        "swarm bring-up:",
        {k: round(v, 1) for k, v in swarm.timings.items()},
        "reused:",
        swarm.reused,
    )
