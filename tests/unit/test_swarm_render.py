"""Swarm rendering of a compose model, the published-port address, spec drift (plain data)."""

from __future__ import annotations

from typing import Any

import pytest

from readiness.backends.swarm import SwarmService, SwarmStack
from readiness.model.errors import ProbeError
from readiness.operations.swarm_render import for_swarm
from readiness.parsers.swarm_spec import spec_differences

RENDERED: dict[str, Any] = {
    "name": "hypercode",
    "x-service": {"restart": "unless-stopped"},
    "services": {
        "nginx": {
            "build": {"context": "/srv/nginx"},
            "image": "hypercode/nginx:2.0.0",
            "command": None,
            "depends_on": {"core": {"condition": "service_started"}},
            "restart": "unless-stopped",
            "security_opt": ["no-new-privileges:true"],
            "environment": {"API_KEY": "s3cret-value-of-the-key"},
            "healthcheck": {"test": ["CMD", "true"], "interval": "5s", "start_interval": "1s"},
            "ports": [
                {"mode": "ingress", "host_ip": "127.0.0.1", "target": 443, "published": "8443"}
            ],
            "volumes": [
                {
                    "type": "bind",
                    "source": "/srv/a",
                    "target": "/a",
                    "bind": {"create_host_path": True},
                }
            ],
            "deploy": {
                "resources": {"limits": {"cpus": 0.5, "memory": "268435456"}},
                "placement": {},
            },
            "networks": {"edge-net": None},
        },
        "core": {
            "image": "hypercode/core:2.0.0",
            "deploy": {"update_config": {"parallelism": 2}},
        },
    },
    "networks": {"edge-net": {"name": "hypercode_edge-net", "driver": "bridge", "ipam": {}}},
    "volumes": {"data": {"name": "hypercode_data"}},
}
RAW = {"services": {"nginx": {"environment": {"API_KEY": "${API_KEY:?set it}"}}}}


def test_stack_file_drops_compose_only_keys_and_keeps_no_secret() -> None:
    out = for_swarm(RENDERED, RAW, port_mode="host", endpoint_mode="dnsrr")
    nginx = out["services"]["nginx"]
    assert set(out) == {"services", "networks", "volumes"}
    for key in ("build", "depends_on", "restart", "security_opt", "command"):
        assert key not in nginx, key
    assert "start_interval" not in nginx["healthcheck"]
    assert nginx["environment"] == {"API_KEY": "${API_KEY:?set it}"}
    assert "s3cret" not in str(out)
    assert nginx["ports"] == [{"target": 443, "published": 8443, "mode": "host"}]
    assert nginx["volumes"] == [{"type": "bind", "source": "/srv/a", "target": "/a"}]
    assert nginx["deploy"]["endpoint_mode"] == "dnsrr"
    assert nginx["deploy"]["resources"]["limits"]["cpus"] == "0.5"
    assert "placement" not in nginx["deploy"]
    assert out["networks"] == {"edge-net": {"driver": "overlay", "ipam": {}}}
    assert out["volumes"] == {"data": {}}


def test_declared_rollout_policy_is_kept_and_missing_one_added() -> None:
    out = for_swarm(RENDERED, RAW)
    core = out["services"]["core"]["deploy"]
    assert core["update_config"] == {"parallelism": 2}
    assert core["rollback_config"]["parallelism"] == 1
    assert out["services"]["nginx"]["deploy"]["update_config"]["failure_action"] == "rollback"
    assert out["services"]["nginx"]["ports"][0]["mode"] == "ingress"


def _service(name: str, mode: str, nodes: list[str], replicas: int = 1) -> SwarmService:
    spec = {
        "Mode": {"Replicated": {"Replicas": replicas}},
        "EndpointSpec": {
            "Ports": [{"PublishedPort": 8443, "TargetPort": 443, "PublishMode": mode}]
        },
    }
    tasks = [
        {"DesiredState": "running", "Status": {"State": "running"}, "NodeID": n} for n in nodes
    ]
    return SwarmService(name, spec, {}, tasks)


def test_host_mode_port_answers_on_the_node_of_its_task() -> None:
    nodes = {"n1": "10.0.0.1", "n2": "10.0.0.2"}
    stack = SwarmStack("s", {"nginx": _service("nginx", "host", ["n2"])}, nodes=nodes)
    assert stack.published_address(8443) == "10.0.0.2"
    ingress = SwarmStack("s", {"nginx": _service("nginx", "ingress", [])}, nodes=nodes)
    assert ingress.published_address(8443) == "10.0.0.1"


def test_unpublished_or_taskless_port_cannot_be_reached() -> None:
    nodes = {"n1": "10.0.0.1"}
    with pytest.raises(ProbeError, match="no service of stack s publishes port 9999"):
        SwarmStack(
            "s", {"nginx": _service("nginx", "host", ["n1"])}, nodes=nodes
        ).published_address(9999)
    with pytest.raises(ProbeError, match="no running task"):
        SwarmStack("s", {"nginx": _service("nginx", "host", [])}, nodes=nodes).published_address(
            8443
        )


def test_scaled_to_zero_is_reported_as_zero_replicas() -> None:
    drift = spec_differences({"image": ""}, _service("agent", "host", [], replicas=0))
    assert "replicas: expected 1, got 0" in drift
