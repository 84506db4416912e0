"""Read nginx's configuration the way the container sees it: includes resolved through its mounts.

Each file is parsed by crossplane on its own (``single=True``); ``include`` is followed here,
through the service's :class:`ContainerView`, relative to nginx's prefix (``/etc/nginx``) and with
globs, so files that only the container layout pulls in (``conf.d/*.conf``) are read too.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

import crossplane

from readiness.parsers.container_view import ContainerView, Resolved, has_magic

Level = Literal["error", "unverifiable", "info"]
"""error: nginx will fail or miss a file; unverifiable: the file is out of the host's sight
(image, named volume); info: legal but worth knowing (a glob that matches nothing)."""

PREFIX = "/etc/nginx"
MAIN = "/etc/nginx/nginx.conf"
FILE_DIRECTIVES = ("ssl_certificate", "ssl_certificate_key")
PASS_DIRECTIVES = ("proxy_pass", "grpc_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass")
STOCK_FILES = frozenset(
    {"mime.types", "fastcgi_params", "fastcgi.conf", "scgi_params", "uwsgi_params"}
    | {"koi-utf", "koi-win", "win-utf"}
)
"""Files every nginx image ships in its prefix: an include of them is expected to be unmounted."""
_MAX_DEPTH = 16
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


class NginxConfigError(ValueError):
    """nginx would refuse the configuration: crossplane's message with file and line."""

    def __init__(self, place: Place, problem: str):
        super().__init__(f"{place.describe()}: {problem}")
        self.place = place
        self.problem = problem


@dataclass(frozen=True)
class Place:
    """Where something is written: the config file (container and host path) and line."""

    container_path: PurePosixPath
    host_path: Path | None
    line: int

    def describe(self) -> str:
        """``/etc/nginx/conf.d/app.conf:12 (host /srv/nginx/app.conf)``."""
        host = f" (host {self.host_path})" if self.host_path else " (not on the host)"
        return f"{self.container_path}:{self.line}{host}"


@dataclass(frozen=True)
class Directive:
    """One directive, where it is written, and for blocks the directives inside."""

    name: str
    args: tuple[str, ...]
    place: Place
    block: tuple[Directive, ...] | None = None

    def all(self, name: str) -> list[Directive]:
        """Direct children called ``name`` (included files are spliced in where included)."""
        return [child for child in self.block or () if child.name == name]

    def first_arg(self, name: str) -> str | None:
        """The first argument of the first child called ``name`` (None if absent)."""
        found = self.all(name)
        return found[0].args[0] if found and found[0].args else None


@dataclass(frozen=True)
class Finding:
    """Something an operator should know about a file the configuration names."""

    level: Level
    message: str
    place: Place
    container_path: PurePosixPath
    host_path: Path | None = None

    def describe(self) -> str:
        """One line: level, where it is written, what is wrong."""
        return f"{self.level}: {self.place.describe()}: {self.message}"


@dataclass(frozen=True)
class Location:
    """An http ``location``: how it matches, where it proxies, the variables it sets."""

    modifier: str
    path: str
    proxy_pass: str
    variables: Mapping[str, str]
    place: Place


@dataclass(frozen=True)
class Server:
    """An http ``server`` block with what the readiness checks ask of it."""

    listen: tuple[tuple[str, ...], ...]
    server_names: tuple[str, ...]
    ssl_certificates: tuple[Resolved, ...]
    ssl_certificate_keys: tuple[Resolved, ...]
    locations: tuple[Location, ...]
    variables: Mapping[str, str]
    place: Place

    @property
    def tls(self) -> bool:
        """True when a ``listen`` has ``ssl`` or port 443."""
        return any(
            "ssl" in args or any(a == "443" or a.endswith(":443") for a in args)
            for args in self.listen
        )


@dataclass(frozen=True)
class Upstream:
    """An ``upstream`` block: its name and its ``server`` addresses (``host:port``)."""

    name: str
    servers: tuple[str, ...]
    place: Place

    @property
    def hosts(self) -> tuple[str, ...]:
        """The host names of the servers, without ports (``unix:`` sockets left out)."""
        return tuple(sorted({h for h in map(_address_host, self.servers) if h}))


@dataclass(frozen=True)
class RouteTarget:
    """Where nginx sends a request path: the location that matched and its upstream host."""

    location: str
    proxy_pass: str
    host: str
    place: Place | None = None


@dataclass(frozen=True)
class NginxConfig:
    """nginx's configuration as the container sees it, with what could not be checked."""

    main: Resolved
    root: tuple[Directive, ...]
    files: tuple[Resolved, ...]
    findings: tuple[Finding, ...]
    view: ContainerView = field(compare=False, repr=False)
    prefix: str = PREFIX

    @property
    def directives(self) -> tuple[Directive, ...]:
        """Every directive, depth first, included files in place."""
        return tuple(_walk(self.root))

    def blocks(self, name: str) -> list[Directive]:
        """Top-level blocks called ``name`` (``http``, ``events``, ``stream``)."""
        return [d for d in self.root if d.name == name]

    @functools.cached_property
    def servers(self) -> tuple[Server, ...]:
        """Every ``server`` block of every ``http`` block, in file order."""
        return tuple(_server(s, self, h) for h in self.blocks("http") for s in h.all("server"))

    @functools.cached_property
    def upstreams(self) -> dict[str, Upstream]:
        """http ``upstream`` blocks by name."""
        found = {}
        for block in (u for h in self.blocks("http") for u in h.all("upstream") if u.args):
            servers = tuple(s.args[0] for s in block.all("server") if s.args)
            found[block.args[0]] = Upstream(block.args[0], servers, block.place)
        return found

    def resolve(self, path: str) -> Resolved:
        """A file path as nginx reads it (relative to the prefix), through the mounts."""
        return self.view.resolve(path, self.prefix)


def load(
    view: ContainerView, main: str = MAIN, prefix: str = PREFIX, assume_stock_main: bool = True
) -> NginxConfig:
    """Read ``main`` and everything it includes as the container sees it.

    When no mount provides ``main`` and ``assume_stock_main`` is set, the official image's
    ``nginx.conf`` is assumed (an ``http`` block including ``mime.types`` and ``conf.d/*.conf``)
    and an unverifiable finding says so. Raises :class:`NginxConfigError` on a syntax error, and
    FileNotFoundError when ``main`` cannot be read at all.
    """
    reader = _Reader(view, prefix)
    resolved = view.resolve(main, prefix)
    if resolved.readable and resolved.host_path and resolved.host_path.is_file():
        root = reader.read(resolved, depth=0)
    elif resolved.how == "image" and assume_stock_main:
        place = Place(resolved.container_path, None, 0)
        reader.findings.append(
            Finding(
                "unverifiable",
                "nginx.conf is not mounted: assuming the official nginx image's, whose http block"
                f" includes {prefix}/mime.types and {prefix}/conf.d/*.conf",
                place,
                resolved.container_path,
            )
        )
        root = (reader.stock_main(place),)
    else:
        raise FileNotFoundError(f"cannot read nginx's main configuration: {resolved.describe()}")
    reader.check_files(root)
    return NginxConfig(resolved, root, tuple(reader.files), tuple(reader.findings), view, prefix)


def load_directory(config_dir: Path, target: str = PREFIX) -> NginxConfig:
    """The configuration of a host directory mounted as nginx's prefix (the reference layout)."""
    bind = {"type": "bind", "source": str(config_dir.resolve()), "target": target}
    view = ContainerView({"volumes": [bind]})
    main = f"{target}/nginx.conf"
    if not (config_dir / "nginx.conf").is_file():
        confs = sorted(config_dir.glob("*.conf"))
        if len(confs) == 1:
            main = f"{target}/{confs[0].name}"
    return load(view, main, target, assume_stock_main=False)


class _Reader:
    """Parses files one by one and follows ``include`` through the container view."""

    def __init__(self, view: ContainerView, prefix: str):
        self.view = view
        self.prefix = prefix
        self.files: list[Resolved] = []
        self.findings: list[Finding] = []

    def read(self, file: Resolved, depth: int) -> tuple[Directive, ...]:
        assert file.host_path is not None
        self.files.append(file)
        payload = crossplane.parse(
            str(file.host_path), single=True, check_ctx=False, check_args=False, comments=False
        )
        for error in payload.get("errors") or []:
            place = Place(file.container_path, file.host_path, int(error.get("line") or 0))
            raise NginxConfigError(place, _strip_location(str(error.get("error", "")), file))
        parsed = payload["config"][0]["parsed"] if payload.get("config") else []
        return self._convert(parsed, file, depth)

    def _convert(
        self, parsed: list[dict[str, Any]], file: Resolved, depth: int
    ) -> tuple[Directive, ...]:
        out: list[Directive] = []
        for stmt in parsed:
            place = Place(file.container_path, file.host_path, int(stmt.get("line") or 0))
            block = stmt.get("block")
            directive = Directive(
                str(stmt["directive"]),
                tuple(str(a) for a in stmt.get("args") or ()),
                place,
                self._convert(block, file, depth) if block is not None else None,
            )
            out.append(directive)
            if directive.name == "include" and directive.args:
                out.extend(self.include(directive, depth + 1))
        return tuple(out)

    def include(self, directive: Directive, depth: int) -> list[Directive]:
        """The directives of every file ``directive`` includes, as the container sees them."""
        pattern, place = directive.args[0], directive.place
        if depth > _MAX_DEPTH:
            target = self.view.resolve(pattern, self.prefix)
            self._find("error", f"include {pattern} nests deeper than {_MAX_DEPTH}", place, target)
            return []
        if not has_magic(pattern):
            target = self.view.resolve(pattern, self.prefix)
            return self._included(target, place, depth, "include")
        matches = self.view.glob(pattern, self.prefix)
        if matches.unseen is not None:
            self._find(
                "unverifiable",
                f"include {pattern} also searches a directory that comes from the"
                f" {matches.unseen}, not the host: files there are included too and unknown here",
                place,
                Resolved(matches.pattern, None, matches.unseen),
            )
        elif not matches.matches:
            self._find(
                "info",
                f"include {pattern} matches no file (legal: nginx includes nothing)",
                place,
                Resolved(matches.pattern, None, "image"),
            )
        out: list[Directive] = []
        for match in matches.matches:
            out.extend(self._included(match, place, depth, "include"))
        return out

    def _included(self, target: Resolved, place: Place, depth: int, what: str) -> list[Directive]:
        if not self._check_file(target, place, what):
            return []
        return list(self.read(target, depth))

    def _check_file(self, target: Resolved, place: Place, what: str) -> bool:
        """True when ``target`` can be read; otherwise a finding explains why not."""
        name = target.container_path
        if target.how == "image":
            stock = name.name in STOCK_FILES and str(name.parent) == self.prefix
            self._find(
                "info" if stock else "unverifiable",
                f"{what} {name} is not mounted: it comes from the image"
                + (" (nginx ships it)" if stock else ", unknown to us"),
                place,
                target,
            )
            return False
        if target.host_path is None:
            self._find(
                "unverifiable",
                f"{what} {name} comes from {target.how} {target.mount_source!r},"
                " which the host cannot read",
                place,
                target,
            )
            return False
        if not target.host_path.exists():
            self._find(
                "error",
                f"{what} {name} is mounted from {target.mount_source} but the host file"
                f" {target.host_path} does not exist",
                place,
                target,
            )
            return False
        if target.host_path.is_dir():
            self._find(
                "error",
                f"{what} {name} is a directory on the host ({target.host_path}); Docker creates"
                " one when a bind source is missing",
                place,
                target,
            )
            return False
        return True

    def check_files(self, root: tuple[Directive, ...]) -> None:
        """Findings for certificate and key files that cannot be read where nginx reads them."""
        for directive in _walk(root):
            if directive.name in FILE_DIRECTIVES and directive.args:
                value = directive.args[0]
                if "$" in value or value.startswith(("data:", "engine:")):
                    continue
                target = self.view.resolve(value, self.prefix)
                self._check_file(target, directive.place, directive.name)

    def stock_main(self, place: Place) -> Directive:
        """The official image's nginx.conf, as far as the configuration's shape goes."""
        includes = [
            Directive("include", (f"{self.prefix}/{name}",), place)
            for name in ("mime.types", "conf.d/*.conf")
        ]
        block: list[Directive] = []
        for include in includes:
            block.append(include)
            block.extend(self.include(include, 1))
        return Directive("http", (), place, tuple(block))

    def _find(self, level: Level, message: str, place: Place, target: Resolved) -> None:
        self.findings.append(
            Finding(level, message, place, target.container_path, target.host_path)
        )


def _strip_location(error: str, file: Resolved) -> str:
    """crossplane's message without its trailing `` in <host file>:<line>``."""
    return re.sub(rf" in {re.escape(str(file.host_path))}(:\d+)?$", "", error)


def _walk(directives: tuple[Directive, ...]) -> Iterator[Directive]:
    for directive in directives:
        yield directive
        yield from _walk(directive.block or ())


def _sets(*blocks: Directive | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for block in blocks:
        for directive in block.all("set") if block else ():
            if len(directive.args) == 2:
                values[directive.args[0].lstrip("$")] = directive.args[1]
    return values


def _server(block: Directive, config: NginxConfig, http: Directive) -> Server:
    main = Directive("main", (), block.place, config.root)

    def files(name: str) -> tuple[Resolved, ...]:
        own = block.all(name) or http.all(name)
        return tuple(config.resolve(d.args[0]) for d in own if d.args)

    locations = []
    for loc in block.all("location"):
        if len(loc.args) == 1:
            modifier, path = "", loc.args[0]
        elif len(loc.args) == 2:
            modifier, path = loc.args
        else:
            continue
        passes = [d for d in loc.block or () if d.name in PASS_DIRECTIVES]
        target = passes[0].args[0] if passes and passes[0].args else ""
        locations.append(Location(modifier, path, target, MappingProxyType(_sets(loc)), loc.place))
    return Server(
        listen=tuple(d.args for d in block.all("listen")),
        server_names=tuple(a for d in block.all("server_name") for a in d.args),
        ssl_certificates=files("ssl_certificate"),
        ssl_certificate_keys=files("ssl_certificate_key"),
        locations=tuple(locations),
        variables=MappingProxyType(_sets(main, http, block)),
        place=block.place,
    )


def _expand(text: str, variables: Mapping[str, str]) -> str:
    return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def _address_host(address: str) -> str:
    """``core:8000`` -> ``core``; ``unix:`` sockets and bracketed IPv6 -> ''."""
    if address.startswith(("unix:", "[")):
        return ""
    return address.rsplit(":", 1)[0] if address.count(":") == 1 else address


def route_target(config: NginxConfig, path: str) -> RouteTarget | None:
    """The upstream nginx proxies ``path`` to on the TLS servers (exact, then longest prefix).

    Regex locations are not evaluated. ``proxy_pass`` variables come from ``set``; an upstream
    name becomes its servers' host names, comma-joined.
    """
    servers = [s for s in config.servers if s.tls] or list(config.servers)
    upstreams = config.upstreams
    for server in servers:
        usable = [loc for loc in server.locations if loc.modifier in ("", "=", "^~")]
        exact = [loc for loc in usable if loc.modifier == "=" and loc.path == path]
        prefix = sorted(
            (loc for loc in usable if loc.modifier != "=" and path.startswith(loc.path)),
            key=lambda loc: len(loc.path),
            reverse=True,
        )
        for location in exact + prefix[:1]:
            if not location.proxy_pass:
                return RouteTarget(location.path, "", "", location.place)
            resolved = _expand(location.proxy_pass, {**server.variables, **location.variables})
            host = urlsplit(resolved).hostname or ""
            upstream = upstreams.get(host)
            hosts = ",".join(upstream.hosts) if upstream else host
            return RouteTarget(location.path, resolved, hosts, location.place)
    return None


def upstream_hosts(config: NginxConfig) -> tuple[str, ...]:
    """Every host name nginx resolves at start: upstream servers and ``*_pass`` hosts.

    IP addresses and ``localhost`` are left out: what remains needs a DNS name (for
    ``nginx -t`` outside compose, an ``--add-host`` alias per compose service name).
    """
    upstreams = config.upstreams
    names = {h for u in upstreams.values() for h in u.hosts}
    for server in config.servers:
        for location in server.locations:
            target = _expand(location.proxy_pass, {**server.variables, **location.variables})
            if not target or "$" in target or target.startswith("unix:"):
                continue
            host = urlsplit(target if "://" in target else f"//{target}").hostname or ""
            if host and host not in upstreams:
                names.add(host)
    return tuple(sorted(n for n in names if n != "localhost" and not _is_ip(n)))


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
