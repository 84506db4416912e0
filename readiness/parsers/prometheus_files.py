"""Prometheus's ``rule_files`` as its container sees them: globs resolved through the mounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from readiness.parsers.container_view import ContainerView, absolute, has_magic


@dataclass(frozen=True)
class RuleFiles:
    """The rule files Prometheus loads (host paths) and what is wrong with the ones it names."""

    files: tuple[Path, ...]
    problems: tuple[str, ...]
    config_in_container: PurePosixPath | None


def container_path_of(view: ContainerView, host_file: Path) -> PurePosixPath | None:
    """Where a host file is mounted in the container (the longest bind that holds it)."""
    host_file = host_file.resolve()
    best: tuple[int, PurePosixPath] | None = None
    for mount in view.mounts:
        source = mount.host_path
        if source is None:
            continue
        source = source.resolve()
        if host_file == source or host_file.is_relative_to(source):
            inside = PurePosixPath(mount.target).joinpath(*host_file.relative_to(source).parts)
            if best is None or len(source.parts) > best[0]:
                best = (len(source.parts), inside)
    return best[1] if best else None


def rule_files(view: ContainerView, config: Path) -> RuleFiles:
    """Resolve ``rule_files`` of ``config`` (a host file mounted into the container)."""
    data: Any = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    patterns = [str(p) for p in (data.get("rule_files") or [])] if isinstance(data, dict) else []
    inside = container_path_of(view, config)
    if inside is None:  # not mounted: patterns are read relative to the host file
        local = [f for p in patterns for f in sorted(config.parent.glob(p)) if f.is_file()]
        return RuleFiles(tuple(local), (), None)
    files: list[Path] = []
    problems: list[str] = []
    for index, pattern in enumerate(patterns):
        where = f"{config.name} rule_files[{index}] {pattern!r}"
        full = absolute(pattern, inside.parent)
        if has_magic(str(full)):
            found = view.glob(full)
            readable = [m for m in found.matches if m.host_path and m.host_path.is_file()]
            files += [m.host_path for m in readable if m.host_path]
            broken = [m for m in found.matches if m.host_path and not m.host_path.exists()]
            problems += [f"{where}: {m.describe()}" for m in broken]
            if not found.matches and found.unseen == "image":
                problems.append(
                    f"{where}: no mount provides {full.parent} in the container "
                    "(it would come from the image, where these rules are not)"
                )
            continue
        resolved = view.resolve(full)
        if resolved.host_path is not None and resolved.host_path.is_file():
            files.append(resolved.host_path)
        else:
            problems.append(f"{where}: {resolved.describe()}")
    return RuleFiles(tuple(dict.fromkeys(files)), tuple(problems), inside)
