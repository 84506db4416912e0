"""An Alertmanager service judged before launch: its config file through the mounts, and amtool.

``inspect`` reads one compose service: where its ``--config.file`` points (compose command, else
the image's), which host file the container sees there, the files that configuration names in
turn, and, when all of them are readable, ``amtool check-config`` with the service's own mounts
in its own image (or the suite's tool image).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.backends import tools
from readiness.parsers import alertmanager_files as am
from readiness.parsers.container_view import ContainerView, Resolved


@dataclass(frozen=True)
class AlertmanagerFacts:
    """What the suite found out about one Alertmanager service before launch."""

    service: str
    declared: bool
    """The compose files declare the service."""
    location: am.ConfigLocation | None = None
    config: Resolved | None = None
    problems: tuple[str, ...] = ()
    """The config file (or a file it names) is not where the container reads it."""
    check: tools.ToolResult | None = None
    """``amtool check-config`` (None when it could not be run on a readable file)."""


def inspect(docker_host: str, model: Mapping[str, Any], service: str) -> AlertmanagerFacts:
    """Judge ``service`` of the rendered compose ``model`` (ProbeError if a tool cannot run)."""
    spec: Mapping[str, Any] = (model.get("services") or {}).get(service) or {}
    if not spec:
        return AlertmanagerFacts(service, declared=False)
    image = str(spec.get("image") or "")
    location = am.config_location(spec, image, tools.image_config(docker_host, image))
    view = ContainerView(spec, model)
    config = am.config_file(view, location)
    problem = _config_problem(config)
    if problem:
        return AlertmanagerFacts(service, True, location, config, (problem,))
    assert config.host_path is not None  # no problem: a host file provides it
    try:
        problems = am.referenced_problems(view, config.host_path, location.container_path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        problems = [f"{config.host_path} cannot be read as YAML: {str(exc).splitlines()[0]}"]
    mounts = [
        (m.host_path, str(m.target)) for m in view.mounts if m.host_path and m.host_path.exists()
    ]
    check = tools.amtool_check(docker_host, image, mounts, str(location.container_path))
    return AlertmanagerFacts(service, True, location, config, tuple(problems), check)


def _config_problem(config: Resolved) -> str:
    """Why the container's config file cannot be judged from the host ("" when it can)."""
    where = str(config.container_path)
    if config.how == "image":
        return (
            f"no mount provides {where}: the container would read whatever its image holds "
            "there, not a file of the project, and nothing on the host can be checked"
        )
    if config.host_path is None:
        return f"{config.describe()}: not a file the project provides"
    host: Path = config.host_path
    if not host.exists():
        return (
            f"{where} is {config.how} {config.mount_source!r} -> host {host}, which does not "
            "exist (Docker would mount an empty directory there and the Alertmanager would "
            "not start)"
        )
    if not host.is_file():
        return f"{where} is {config.how} {config.mount_source!r} -> host {host}, not a file"
    return ""
