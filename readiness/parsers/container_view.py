"""Which host file a container sees at a path, through the service's binds, configs and secrets.

Input is the rendered compose model (``docker compose config --format json``): one service dict
and the top-level model for the ``configs:`` and ``secrets:`` maps. A container path is served
by the mount with the longest target that contains it; anything no mount covers comes from the
image, which this module cannot see.
"""

from __future__ import annotations

import fnmatch
import glob as globbing
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

How = Literal["bind", "config", "secret", "volume", "tmpfs", "image", "other"]
"""Who provides a container path: a host file (bind, config, secret), something the host
cannot read (volume, tmpfs, other), or nothing mounted (image)."""

HOST_READABLE: frozenset[How] = frozenset({"bind", "config", "secret"})
_MAGIC = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Mount:
    """One mount of a service: where it lands in the container and where it comes from."""

    kind: How
    target: PurePosixPath
    source: str
    host_path: Path | None
    read_only: bool = False

    def covers(self, path: PurePosixPath) -> bool:
        """True when ``path`` is the mount target or lies under it."""
        return path == self.target or self.target in path.parents


@dataclass(frozen=True)
class Resolved:
    """A container path and where its content comes from (``host_path`` for host files)."""

    container_path: PurePosixPath
    host_path: Path | None
    how: How
    mount_source: str | None = None

    @property
    def readable(self) -> bool:
        """True when the host file (or directory) the container sees exists on this host."""
        return self.host_path is not None and self.host_path.exists()

    @property
    def missing_on_host(self) -> bool:
        """True when a host mount provides the path but the host has no such file."""
        return self.host_path is not None and not self.host_path.exists()

    def describe(self) -> str:
        """One line for an operator: where the container's file comes from."""
        where = str(self.container_path)
        if self.how == "image":
            return f"{where} is not mounted: it comes from the image (not visible from the host)"
        if self.host_path is None:
            return (
                f"{where} comes from {self.how} {self.mount_source!r} (not readable from the host)"
            )
        state = "" if self.host_path.exists() else ", which does not exist on the host"
        return f"{where} is {self.how} {self.mount_source!r} -> host {self.host_path}{state}"


@dataclass(frozen=True)
class GlobMatches:
    """What a container-side glob matches, and whether part of its directory is out of sight.

    ``unseen`` names who provides a directory the glob searches that the host cannot list
    (``"image"``, ``"volume"``...); files there may match too. None when every candidate
    directory was listed from the host.
    """

    pattern: PurePosixPath
    matches: tuple[Resolved, ...]
    unseen: How | None = None


def _kind(value: object) -> How:
    kinds: dict[object, How] = {"bind": "bind", "volume": "volume", "tmpfs": "tmpfs"}
    return kinds.get(value, "other")


def _volume_mounts(service: Mapping[str, Any]) -> list[Mount]:
    mounts = []
    for entry in service.get("volumes") or []:
        if not isinstance(entry, Mapping) or not entry.get("target"):
            continue
        kind = _kind(entry.get("type"))
        source = str(entry.get("source") or "")
        host = Path(source) if kind == "bind" and source.startswith("/") else None
        mounts.append(
            Mount(kind, PurePosixPath(entry["target"]), source, host, bool(entry.get("read_only")))
        )
    return mounts


def _file_mounts(
    service: Mapping[str, Any], model: Mapping[str, Any], section: Literal["configs", "secrets"]
) -> list[Mount]:
    """Service configs/secrets, each landing at its target (default ``/<name>``, secrets in
    ``/run/secrets``); only those declared with ``file:`` have a host file."""
    kind: How = "config" if section == "configs" else "secret"
    declared: Mapping[str, Any] = model.get(section) or {}
    base = PurePosixPath("/") if kind == "config" else PurePosixPath("/run/secrets")
    mounts = []
    for entry in service.get(section) or []:
        name = str(entry.get("source") if isinstance(entry, Mapping) else entry)
        target = str(entry.get("target") or "") if isinstance(entry, Mapping) else ""
        spec = declared.get(name) or {}
        file = spec.get("file") if isinstance(spec, Mapping) else None
        host = Path(str(file)) if file and str(file).startswith("/") else None
        mounts.append(Mount(kind, base / (target or name), name, host, True))
    return mounts


class ContainerView:
    """The files one service's container sees, as far as the host can tell."""

    def __init__(self, service: Mapping[str, Any], model: Mapping[str, Any] | None = None):
        """``service``: one ``services.<name>`` dict; ``model``: the whole rendered model."""
        top = model or {}
        self.mounts: tuple[Mount, ...] = (
            *_volume_mounts(service),
            *_file_mounts(service, top, "configs"),
            *_file_mounts(service, top, "secrets"),
        )

    @classmethod
    def of(cls, model: Mapping[str, Any], service: str) -> ContainerView:
        """The view of ``service`` in the rendered ``model`` (no mounts if it is undeclared)."""
        return cls((model.get("services") or {}).get(service) or {}, model)

    def mount_for(self, path: PurePosixPath) -> Mount | None:
        """The mount that provides ``path``: the one with the longest covering target."""
        covering = [m for m in self.mounts if m.covers(path)]
        return max(covering, key=lambda m: len(m.target.parts), default=None)

    def resolve(self, path: str | PurePosixPath, base: str | PurePosixPath = "/") -> Resolved:
        """Where the container's ``path`` (relative ones from ``base``) comes from."""
        full = absolute(path, base)
        mount = self.mount_for(full)
        if mount is None:
            return Resolved(full, None, "image")
        if mount.host_path is None:
            return Resolved(full, None, mount.kind, mount.source)
        host = mount.host_path.joinpath(*full.relative_to(mount.target).parts)
        return Resolved(full, host, mount.kind, mount.source)

    def glob(self, pattern: str | PurePosixPath, base: str | PurePosixPath = "/") -> GlobMatches:
        """Container paths matching ``pattern`` (``*``, ``?``, ``[..]``), sorted like glob(3).

        A match is a file listed on the host under the mount that serves it in the container, or
        a mount target that matches itself (then it may be missing on the host, or be a volume:
        check ``readable``). ``unseen`` tells when a searched directory is provided by something
        the host cannot list (the image, a named volume), so more files may match there.
        """
        full = absolute(pattern, base)
        if not has_magic(str(full)):
            found = self.resolve(full)
            hits = (found,) if found.readable else ()
            return GlobMatches(full, hits, None if found.host_path else found.how)
        fixed = _fixed_prefix(full)
        found_paths: dict[PurePosixPath, Resolved] = {}
        for mount in self.mounts:
            for candidate in _candidates(mount, full, fixed):
                if self.mount_for(candidate) is mount:
                    found_paths[candidate] = self.resolve(candidate)
        return GlobMatches(
            full,
            tuple(found_paths[p] for p in sorted(found_paths, key=str)),
            self._unseen(full.parent),
        )

    def _unseen(self, directory: PurePosixPath) -> How | None:
        """Who provides ``directory`` when the host cannot list it (magic parts: first fixed)."""
        provider = self.resolve(_fixed_prefix(directory))
        return None if provider.how in HOST_READABLE else provider.how


def absolute(path: str | PurePosixPath, base: str | PurePosixPath = "/") -> PurePosixPath:
    """``path`` as an absolute container path (relative ones from ``base``), ``..`` folded."""
    joined = PurePosixPath(base) / PurePosixPath(path)
    parts: list[str] = []
    for part in joined.parts[1:]:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath("/", *parts)


def has_magic(text: str) -> bool:
    """True when ``text`` holds a glob wildcard."""
    return bool(_MAGIC.search(text))


def _fixed_prefix(path: PurePosixPath) -> PurePosixPath:
    """The leading components of ``path`` without wildcards."""
    fixed = PurePosixPath("/")
    for part in path.parts[1:]:
        if has_magic(part):
            break
        fixed /= part
    return fixed


def _matches(parts: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    return len(parts) == len(patterns) and all(
        fnmatch.fnmatchcase(part, pat) and not (part.startswith(".") and not pat.startswith("."))
        for part, pat in zip(parts, patterns, strict=True)
    )


def _candidates(mount: Mount, pattern: PurePosixPath, fixed: PurePosixPath) -> list[PurePosixPath]:
    """Container paths under ``mount`` that match ``pattern`` (files listed on the host)."""
    target_parts, pattern_parts = mount.target.parts, pattern.parts
    if mount.covers(fixed):  # the mount holds the whole searched tree: list it on the host
        return _host_glob(mount, pattern.relative_to(mount.target))
    if fixed not in mount.target.parents or len(target_parts) > len(pattern_parts):
        return []
    if not _matches(target_parts, pattern_parts[: len(target_parts)]):
        return []
    if len(target_parts) == len(pattern_parts):  # the mount target itself matches
        return [mount.target]
    return _host_glob(mount, PurePosixPath(*pattern_parts[len(target_parts) :]))


def _host_glob(mount: Mount, rest: PurePosixPath) -> list[PurePosixPath]:
    """Container paths for the host files under ``mount`` matching ``rest`` (no dotfiles)."""
    if mount.host_path is None or not mount.host_path.is_dir():
        return []
    return [mount.target / hit for hit in globbing.glob(str(rest), root_dir=mount.host_path)]
