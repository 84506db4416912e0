"""The reference HyperCode stack as a Swarm stack: its stack file and its manifest, made per run.

The stack file is ``readiness.operations.swarm_render.for_swarm`` of the reference compose files
(host-mode ports and ``dnsrr``: this kernel has no IPVS, see ``cluster.py``). The manifest is the
reference ``readiness.yml`` with only the target changed (kind ``swarm``, stack ``rdyswarm-ref``,
the stack file as its compose file) and a ``swarm`` section: nginx publishes in host mode, and
the relay runs in the hypercode-core image (it has ``python3``). Every other expectation (limits,
routes, database, Prometheus, Grafana, agents, TLS) is the compose stack's own.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from readiness.operations.stack import ComposeProject
from readiness.operations.swarm_render import for_swarm, render_project
from tests.harness import MANIFEST, STACK

REF = "rdyswarm-ref"
SERVICES = (
    "alertmanager", "broski-terminal", "celery-worker", "crew-orchestrator", "grafana",
    "hypercode-core", "nginx", "postgres", "postgres-exporter", "project-strategist",
    "prometheus", "redis",
)  # fmt: skip
IMAGES = tuple(f"hypercode/{service}:2.0.0" for service in SERVICES)
RELAY_IMAGE = "hypercode/hypercode-core:2.0.0"


def write_reference(tmp: Path) -> tuple[Path, Path]:
    """The Swarm stack file and the manifest of the reference stack, written into ``tmp``."""
    reference = yaml.safe_load(MANIFEST.read_text())
    files = [STACK / name for name in reference["target"]["compose_files"]]
    project = ComposeProject(STACK, REF, STACK / ".env", tuple(files))
    interpolated, raw = render_project(project.compose())
    stack_file = tmp / "docker-compose.swarm.yml"
    document = for_swarm(interpolated, raw, port_mode="host", endpoint_mode="dnsrr")
    stack_file.write_text(json.dumps(document, indent=1))
    stack_file.chmod(0o600)
    reference["target"].update(
        {
            "name": "HyperCode V2.0 on Swarm",
            "kind": "swarm",
            "project_dir": str(STACK),
            "project_name": REF,
            "compose_files": [str(stack_file)],
            "env_file": str(STACK / ".env"),
        }
    )
    reference["swarm"] = {"port_modes": {"nginx": "host"}, "relay_image": RELAY_IMAGE}
    manifest = tmp / "swarm-readiness.yml"
    manifest.write_text(yaml.safe_dump(reference, sort_keys=False))
    return stack_file, manifest
