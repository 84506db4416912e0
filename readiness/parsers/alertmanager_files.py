"""Alertmanager as Prometheus and its own container see it: where alerts go, which file it reads.

Prometheus's ``alerting.alertmanagers`` names the Alertmanagers (targets such as
``alertmanager:9093``, with the line they are on); a target's host is matched to the compose
service it names (service name, ``container_name``, ``hostname`` or network alias). The
Alertmanager's configuration file is its ``--config.file`` flag, read from the rendered compose
``entrypoint``/``command`` or else the image's own ``Entrypoint``/``Cmd``, and resolved through
the container's mounts (``ContainerView``). Files the configuration names in turn (``templates``
globs, ``*_file`` keys) are resolved the same way.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from readiness.parsers.container_view import ContainerView, Resolved, absolute, has_magic

CONFIG_FLAG = "config.file"
LISTEN_FLAG = "web.listen-address"
DEFAULT_CONFIG = "/etc/alertmanager/alertmanager.yml"
"""Where the official ``prom/alertmanager`` image's command points ``--config.file``."""
DEFAULT_PORT = 9093
_SD_KINDS = ("file_sd_configs", "consul_sd_configs", "kubernetes_sd_configs", "http_sd_configs")


@dataclass(frozen=True)
class AlertTarget:
    """One Alertmanager address in Prometheus's ``alerting:`` block."""

    text: str
    host: str
    port: int | None
    where: str
    """``prometheus.yml line 6: alerting.alertmanagers[0].static_configs[0].targets[0]``."""


@dataclass(frozen=True)
class Alerting:
    """Prometheus's ``alerting:`` block: the addresses it sends to, and any it discovers."""

    targets: tuple[AlertTarget, ...]
    discovered: tuple[str, ...]
    """Service-discovery blocks (``file_sd_configs`` ...) whose addresses are only known live."""

    @property
    def sends_anywhere(self) -> bool:
        """True when Prometheus names at least one Alertmanager (or discovers some)."""
        return bool(self.targets or self.discovered)

    def describe(self) -> str:
        """The addresses, for a message (``none`` when there are none)."""
        named = [t.text for t in self.targets] + list(self.discovered)
        return ", ".join(named) or "none"


def alerting(config: Path) -> Alerting:
    """The Alertmanagers ``config`` (prometheus.yml on the host) sends alerts to."""
    root = yaml.compose(config.read_text(encoding="utf-8"))
    block = _child(_child(root, "alerting"), "alertmanagers")
    targets: list[AlertTarget] = []
    discovered: list[str] = []
    for i, manager in enumerate(_items(block)):
        base = f"alerting.alertmanagers[{i}]"
        for j, static in enumerate(_items(_child(manager, "static_configs"))):
            for k, node in enumerate(_items(_child(static, "targets"))):
                path = f"{base}.static_configs[{j}].targets[{k}]"
                targets.append(_target(str(node.value), f"{_line(config, node)}: {path}"))
        for j, dns in enumerate(_items(_child(manager, "dns_sd_configs"))):
            for k, node in enumerate(_items(_child(dns, "names"))):
                path = f"{base}.dns_sd_configs[{j}].names[{k}]"
                name = str(node.value)
                if not name.startswith("_"):  # an SRV record is no compose name
                    port = _child(dns, "port")
                    text = f"{name}:{port.value}" if port is not None else name
                    targets.append(_target(text, f"{_line(config, node)}: {path}"))
                else:
                    discovered.append(f"{name} ({_line(config, node)}: {path})")
        for kind in _SD_KINDS:
            node = _child(manager, kind)
            if node is not None:
                discovered.append(f"{kind} ({_line(config, node)}: {base}.{kind})")
    return Alerting(tuple(targets), tuple(discovered))


def _target(text: str, where: str) -> AlertTarget:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return AlertTarget(text, text, None, where)
    return AlertTarget(text, host.strip("[]"), int(port), where)


def _line(config: Path, node: yaml.Node) -> str:
    return f"{config.name} line {node.start_mark.line + 1}"


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
            return v
    return None


def _items(node: yaml.Node | None) -> list[Any]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def services_named(model: Mapping[str, Any]) -> dict[str, str]:
    """Every name a project's containers resolve -> the compose service it reaches."""
    names: dict[str, str] = {}
    services: Mapping[str, Any] = model.get("services") or {}
    for service, spec in services.items():
        for key in ("container_name", "hostname"):
            if spec.get(key):
                names.setdefault(str(spec[key]), service)
        networks = spec.get("networks") or {}
        for attached in networks.values() if isinstance(networks, Mapping) else []:
            for alias in (attached or {}).get("aliases") or []:
                names.setdefault(str(alias), service)
    names.update({str(service): str(service) for service in services})
    return names


def alertmanager_services(model: Mapping[str, Any], found: Alerting) -> list[str]:
    """The compose services Prometheus's alert targets name, sorted."""
    named = services_named(model)
    return sorted({named[t.host] for t in found.targets if t.host in named})


@dataclass(frozen=True)
class Command:
    """What a container runs: its argv in parts, each named by where it came from."""

    parts: tuple[tuple[str, tuple[str, ...]], ...]
    """(source, argv part): ``("compose command", (...))``, ``("image x Cmd", (...))``."""

    @property
    def args(self) -> tuple[str, ...]:
        """The whole argv."""
        return tuple(arg for _, part in self.parts for arg in part)

    @property
    def source(self) -> str:
        """Where the argv came from, e.g. ``image x Entrypoint + compose command``."""
        return " + ".join(source for source, _ in self.parts) or "nothing"

    def source_of(self, name: str) -> str:
        """Which part holds ``--name`` (the whole source when none does)."""
        holders = [source for source, part in self.parts if flag(part, name) is not None]
        return holders[0] if holders else self.source


def command_of(
    service: Mapping[str, Any], image: str, image_config: Mapping[str, Any] | None
) -> Command:
    """The container's argv: compose ``entrypoint``/``command`` over the image's own.

    Compose's ``entrypoint`` replaces the image's and drops its ``Cmd``; ``command`` replaces
    ``Cmd``. ``image_config`` is ``docker image inspect``'s ``Config`` (None: image not here).
    """
    image_cfg = image_config or {}
    parts: list[tuple[str, tuple[str, ...]]] = []
    if service.get("entrypoint") is not None:
        parts.append(("compose entrypoint", _argv(service.get("entrypoint"))))
        if service.get("command") is not None:
            parts.append(("compose command", _argv(service.get("command"))))
    else:
        if image_cfg.get("Entrypoint"):
            parts.append((f"image {image} Entrypoint", _argv(image_cfg.get("Entrypoint"))))
        if service.get("command") is not None:
            parts.append(("compose command", _argv(service.get("command"))))
        elif image_cfg.get("Cmd"):
            parts.append((f"image {image} Cmd", _argv(image_cfg.get("Cmd"))))
    return Command(tuple(parts))


def _argv(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(shlex.split(value))
    if isinstance(value, Sequence):
        return tuple(str(part) for part in value)
    return ()


def flag(args: Sequence[str], name: str) -> str | None:
    """The value of ``--name`` in ``args`` (``--name=v``, ``--name v``, or inside ``sh -c``)."""
    for token in _tokens(args):
        for prefix in (f"--{name}=", f"-{name}="):
            if token.startswith(prefix):
                return token[len(prefix) :]
    tokens = list(_tokens(args))
    for index, token in enumerate(tokens[:-1]):
        if token in (f"--{name}", f"-{name}"):
            return tokens[index + 1]
    return None


def _tokens(args: Sequence[str]) -> Iterator[str]:
    """The arguments, with any shell-command string split into words too."""
    for arg in args:
        yield arg
        if " " in arg:
            try:
                yield from shlex.split(arg)
            except ValueError:
                continue


@dataclass(frozen=True)
class ConfigLocation:
    """Where the Alertmanager reads its configuration, and what says so."""

    container_path: PurePosixPath
    line: str
    """``--config.file=/etc/alertmanager/alertmanager.yml (image x Cmd)`` or the default used."""
    listen_port: int | None


def config_location(
    service: Mapping[str, Any], image: str, image_config: Mapping[str, Any] | None
) -> ConfigLocation:
    """The container path of the Alertmanager's configuration file (and its listening port)."""
    command = command_of(service, image, image_config)
    workdir = str((image_config or {}).get("WorkingDir") or "/")
    if service.get("working_dir"):
        workdir = str(service["working_dir"])
    listen = flag(command.args, LISTEN_FLAG)
    port_text = listen.rpartition(":")[2] if listen else str(DEFAULT_PORT)
    port = int(port_text) if port_text.isdigit() else None
    value = flag(command.args, CONFIG_FLAG)
    if value is not None:
        line = f"--{CONFIG_FLAG}={value} ({command.source_of(CONFIG_FLAG)})"
        return ConfigLocation(absolute(value, workdir), line, port)
    if image_config is None:
        line = (
            f"no --{CONFIG_FLAG} in the compose service and image {image} is not on this "
            f"machine: assumed the official image's {DEFAULT_CONFIG}"
        )
        return ConfigLocation(PurePosixPath(DEFAULT_CONFIG), line, port)
    line = (
        f"no --{CONFIG_FLAG} in {command.source}: Alertmanager's default alertmanager.yml "
        f"in the working directory {workdir}"
    )
    return ConfigLocation(absolute("alertmanager.yml", workdir), line, port)


def referenced_problems(view: ContainerView, config: Path, inside: PurePosixPath) -> list[str]:
    """Files ``config`` names (``templates`` globs, ``*_file`` keys) that the container lacks.

    A path a host mount provides but the host lacks is a problem; so is a ``templates`` glob
    whose directory no mount provides (the image's own templates cannot be what was meant).
    ``*_file`` paths from the image (CA bundles) are not judged.
    """
    data: Any = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    if not isinstance(data, Mapping):
        return []
    problems: list[str] = []
    for index, pattern in enumerate(data.get("templates") or []):
        where = f"{config.name} templates[{index}] {pattern!r}"
        full = absolute(str(pattern), inside.parent)
        if has_magic(str(full)):
            found = view.glob(full)
            problems += [f"{where}: {m.describe()}" for m in found.matches if m.missing_on_host]
            if not found.matches and found.unseen == "image":
                problems.append(f"{where}: no mount provides {full.parent} in the container")
            continue
        resolved = view.resolve(full)
        if resolved.how == "image" or resolved.missing_on_host:
            problems.append(f"{where}: {resolved.describe()}")
    for key, value in _file_keys(data, ""):
        resolved = view.resolve(absolute(value, inside.parent))
        if resolved.missing_on_host:
            problems.append(f"{config.name} {key} {value!r}: {resolved.describe()}")
    return problems


def _file_keys(node: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).endswith("_file") and isinstance(value, str) and value:
                yield where, value
            else:
                yield from _file_keys(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _file_keys(item, f"{path}[{index}]")


def config_file(view: ContainerView, location: ConfigLocation) -> Resolved:
    """Where the container's configuration file comes from (host path when a mount gives it)."""
    return view.resolve(location.container_path)
