"""A starter manifest for any compose project: what the files say, every guess marked.

``render_project`` renders the compose project (``docker compose config --format json``; when
compose fails, the raw YAML files merged, and a note says so). ``starter_manifest`` writes the
manifest text: target, network (services that publish ports proposed public), limits from
``deploy.resources.limits``, secret-named variables, nginx, TLS and Prometheus files found
through each container's mounts, a mounted backups directory, contacts left TODO. Each guess
carries a ``# guess: ...`` comment; a section the schema requires but the project lacks is
written anyway with a comment saying so (until every section but ``target`` is optional).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from readiness.model.errors import ConfigError
from readiness.parsers import alertmanager_files, nginx_config
from readiness.parsers.compose_secrets import is_secret_name, secret_literals
from readiness.parsers.container_view import ContainerView, Resolved
from readiness.parsers.envfile import read_env

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
OVERRIDE_FILES = {
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
}
PLACEHOLDERS = (
    "changeme",
    "change-me",
    "password",
    "secret",
    "admin",
    "default",
    "example",
    "todo",
)
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")
_PLAIN = re.compile(r"^[A-Za-z0-9_./@-][A-Za-z0-9_./@ -]*$")
PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml"
_RESERVED = ("yes", "no", "on", "off", "null", "true", "false", "~")


@dataclass(frozen=True)
class Project:
    """A compose project as rendered: its directory, files, model and how it was read."""

    project_dir: Path
    compose_files: tuple[Path, ...]
    model: dict[str, Any]
    env_file: Path
    notes: tuple[str, ...] = ()

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        """Rendered services by name, sorted."""
        return dict(sorted((self.model.get("services") or {}).items()))

    @property
    def name(self) -> str:
        """The compose project name (``name:``), else the directory's name."""
        return str(self.model.get("name") or self.project_dir.name)

    def view(self, service: str) -> ContainerView:
        """The files ``service``'s container sees."""
        return ContainerView.of(self.model, service)

    def relative(self, path: Path) -> str:
        """``path`` relative to the project directory (absolute if outside it)."""
        if path.is_relative_to(self.project_dir):
            return path.relative_to(self.project_dir).as_posix() or "."
        return str(path)


def discover_compose_files(project_dir: Path) -> list[Path]:
    """The files ``docker compose`` reads by default (+ its override), else every
    ``*compose*.y(a)ml`` of the directory, the one declaring most services first."""
    for name in DEFAULT_FILES:
        if (project_dir / name).is_file():
            found = [project_dir / name]
            override = next(
                (project_dir / o for o in OVERRIDE_FILES[name] if (project_dir / o).is_file()),
                None,
            )
            return found + ([override] if override else [])
    candidates = [
        p
        for p in sorted(project_dir.iterdir())
        if p.is_file() and "compose" in p.name and p.suffix in (".yml", ".yaml")
    ]
    return sorted(candidates, key=lambda p: ("override" in p.name, -_service_count(p), p.name))


def _service_count(path: Path) -> int:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return 0
    services = data.get("services") if isinstance(data, dict) else None
    return len(services) if isinstance(services, dict) else 0


def render_project(
    project_dir: Path, compose_files: Sequence[Path] = (), env_file: Path | None = None
) -> Project:
    """Render the project with compose; fall back to the raw YAML files (noted) if it fails."""
    project_dir = project_dir.resolve()
    if not project_dir.is_dir():
        raise ConfigError(str(project_dir), "", "not a directory")
    files = [(project_dir / f).resolve() for f in compose_files] or discover_compose_files(
        project_dir
    )
    if not files:
        raise ConfigError(str(project_dir), "", "no compose file found (compose.yaml, ...)")
    for file in files:
        if not file.is_file():
            raise ConfigError(str(file), "", "compose file not found")
    env = (env_file or project_dir / ".env").resolve()
    command = ["docker", "compose", "--project-directory", str(project_dir)]
    if env.is_file():
        command += ["--env-file", str(env)]
    for file in files:
        command += ["-f", str(file)]
    error = ""
    try:
        proc = subprocess.run(
            [*command, "config", "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode == 0:
            return Project(project_dir, tuple(files), json.loads(proc.stdout), env)
        error = " ".join(proc.stderr.strip().splitlines()[-2:]) or f"exit {proc.returncode}"
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        error = str(exc)
    note = f"`docker compose config` failed ({error}): read the YAML files directly instead"
    return Project(project_dir, tuple(files), _read_yaml(project_dir, files, env), env, (note,))


# --- the YAML fallback: merge the files and normalize what the guesses read ----------------


def _read_yaml(project_dir: Path, files: Sequence[Path], env_file: Path) -> dict[str, Any]:
    values = {**read_env(env_file), **os.environ} if env_file.is_file() else dict(os.environ)
    merged: dict[str, Any] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(str(file), "", f"not readable YAML ({exc})") from None
        if not isinstance(data, dict):
            raise ConfigError(str(file), "", "expected a mapping at the top level")
        merged = _merge(merged, _interpolate(data, values))
    for service in (merged.get("services") or {}).values():
        if isinstance(service, dict):
            _normalize(service, project_dir)
    return merged


def _interpolate(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, values) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name, _, rest = match.group(1).partition(":")
        name, _, fallback = name.partition("-")
        default = rest[1:] if rest.startswith("-") else fallback
        return values.get(name) or default

    return re.sub(r"\$\{([^}]*)\}", one, value)


def _merge(base: Any, extra: Any) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = _merge(base.get(key), value) if key in base else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return [*base, *(v for v in extra if v not in base)]
    return extra


def _normalize(service: dict[str, Any], project_dir: Path) -> None:
    """Short-syntax volumes, ports, networks and environment as compose renders them."""
    volumes = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, str):
            source, _, rest = entry.partition(":")
            target, _, mode = rest.partition(":")
            if not rest:
                volumes.append({"type": "volume", "target": source})
                continue
            bind = source.startswith((".", "/", "~"))
            long: dict[str, Any] = {
                "type": "bind" if bind else "volume",
                "source": str((project_dir / source).resolve()) if bind else source,
                "target": target,
                "read_only": "ro" in mode.split(","),
            }
            volumes.append(long)
        elif isinstance(entry, dict):
            entry = dict(entry)
            source = str(entry.get("source") or "")
            if entry.get("type") == "bind" and source and not source.startswith("/"):
                entry["source"] = str((project_dir / source).resolve())
            volumes.append(entry)
    service["volumes"] = volumes
    ports = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            ports.append(entry)
            continue
        text, _, protocol = str(entry).partition("/")
        host_ip, _, rest = text.partition(":") if text.count(":") == 2 else ("", "", text)
        published, _, target = rest.rpartition(":")
        ports.append(
            {
                "host_ip": host_ip.strip("[]"),
                "published": published,
                "target": int(target.split("-")[0]) if target.split("-")[0].isdigit() else target,
                "protocol": protocol or "tcp",
            }
        )
    service["ports"] = ports
    networks = service.get("networks")
    if isinstance(networks, list):
        service["networks"] = {str(n): None for n in networks}


# --- the guesses ----------------------------------------------------------------------------


@dataclass
class Guesses:
    """What the starter manifest says, section by section (values + comments)."""

    lines: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    def add(self, text: str = "", guess: str = "") -> None:
        """One line, with ``# guess: ...`` when it is a guess."""
        self.lines.append(f"{text}  # guess: {guess}" if guess and text else text)

    def comment(self, text: str, indent: int = 0) -> None:
        """A whole-line comment."""
        self.lines.append(" " * indent + f"# {text}")

    def invent(self, section: str, body: Iterable[str], why: str) -> None:
        """A section the project lacks: left out (its checks are N/A), shown commented out."""
        self.invented.append(section)
        self.comment(f"guess: no {section} in the project ({why}): its checks are not applicable.")
        self.comment(f"{section}:  # uncomment and fill in if the project does have one")
        for line in body:
            self.comment(f"  {line}")


def scalar(value: object) -> str:
    """``value`` as a YAML scalar (quoted when it needs to be)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value)
    reserved = text.lower() in _RESERVED or re.fullmatch(r"[\d.eE+-]+", text)
    if _PLAIN.match(text) and not reserved:
        return text
    return json.dumps(text)


def _size(value: object) -> str:
    """Compose's byte count as ``512M`` / ``1G`` (as written, if it is not a number)."""
    try:
        number = int(str(value))
    except ValueError:
        return str(value)
    for unit, factor in (("G", 1024**3), ("M", 1024**2), ("K", 1024)):
        if number >= factor and number % factor == 0:
            return f"{number // factor}{unit}"
    return str(number)


def flow(values: Iterable[object]) -> str:
    """``[a, b]``."""
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def _published(service: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [p for p in service.get("ports") or [] if isinstance(p, dict) and p.get("published")]


def _networks(service: Mapping[str, Any]) -> list[str]:
    return sorted(service.get("networks") or {"default": None})


def _image(service: Mapping[str, Any]) -> str:
    return str(service.get("image") or "")


def _find_service(project: Project, word: str, mount_prefix: str, avoid: str = "") -> str | None:
    """The service whose mounts reach ``mount_prefix``, else whose image names ``word``."""
    for name in project.services:
        if any(str(m.target).startswith(mount_prefix) for m in project.view(name).mounts) and (
            not avoid or avoid not in _image(project.services[name])
        ):
            return name
    for name, service in project.services.items():
        image = _image(service).rsplit("/", 1)[-1]
        if word in image and (not avoid or avoid not in image):
            return name
    return None


def _interpolated(project: Project, service: str, variable_names: Iterable[str]) -> str | None:
    """The ``${VAR}`` the raw files give one of ``service``'s variables (the last file wins)."""
    wanted = set(variable_names)
    found: str | None = None
    for file in project.compose_files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        spec = ((data.get("services") or {}) if isinstance(data, dict) else {}).get(service) or {}
        env = spec.get("environment") or {} if isinstance(spec, dict) else {}
        pairs = env.items() if isinstance(env, dict) else (str(e).partition("=")[::2] for e in env)
        for key, value in pairs:
            if key in wanted and value is not None:
                match = _VARIABLE.search(str(value))
                found = match.group(1) if match else None
    return found


def _secret_variables(project: Project) -> list[str]:
    """Secret-named variables the compose files interpolate or ``.env.example`` lists."""
    names: set[str] = set()
    for file in project.compose_files:
        try:
            names.update(_VARIABLE.findall(file.read_text(encoding="utf-8")))
        except OSError:
            continue
    for env in (project.project_dir / ".env.example", project.env_file):
        names.update(read_env(env) if env.is_file() else {})
    return sorted(n for n in names if is_secret_name(n))


def _env_value(service: Mapping[str, Any], name: str) -> str:
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return str(env.get(name) or "")
    for item in env:
        key, _, value = str(item).partition("=")
        if key == name:
            return value
    return ""


def starter_manifest(project: Project, output: Path) -> tuple[str, list[str]]:
    """(manifest text, sections invented because the project lacks them)."""
    g = Guesses()
    services = project.services
    out_dir = output.resolve().parent
    rel_dir = os.path.relpath(project.project_dir, out_dir)
    g.comment(f"Starter manifest written by `python -m runbook.init` for {project.project_dir}.")
    g.comment("Every `# guess:` is what the compose files suggest: check it, then delete the mark.")
    for note in project.notes:
        g.comment(f"note: {note}")
    g.add("version: 1")
    g.add()
    # --- target
    g.add("target:")
    g.add(f"  name: {scalar(project.name)}", "the compose project name")
    g.add(f"  project_dir: {scalar(Path(rel_dir).as_posix())}")
    g.add(f"  project_name: {scalar(project.name)}")
    files = flow(project.relative(f) for f in project.compose_files)
    g.add(f"  compose_files: {files}", "compose's own files, in merge order")
    g.add(f"  env_file: {scalar(project.relative(project.env_file))}")
    nginx_service = _find_service(project, "nginx", "/etc/nginx")
    config = _nginx(project, nginx_service)
    server_name = _server_name(config)
    g.add(
        f"  server_name: {scalar(server_name)}",
        "from nginx's TLS server_name" if config else "no TLS server found",
    )
    g.add()
    # --- network
    public = [n for n, s in services.items() if _published(s)]
    backend = [n for n in services if n not in public]
    usage = Counter(net for n in backend for net in _networks(services[n]))
    usage = usage or Counter(net for s in services.values() for net in _networks(s))
    internal = usage.most_common(1)[0][0] if usage else "default"
    g.add("network:")
    g.add(f"  internal: {scalar(internal)}", "the network most backend services are on")
    g.add(f"  public_services: {flow(public)}", "the services that publish ports")
    g.add(f"  backend_services: {flow(backend)}", "every service that publishes no port")
    ips = sorted(
        {str(p.get("host_ip") or "0.0.0.0") for s in services.values() for p in _published(s)}
    )
    g.add("  allowed_host_ips: [127.0.0.1]", f"compose binds {', '.join(ips) or 'nothing'}")
    g.add()
    # --- limits
    limit_lines: list[tuple[str, str]] = []
    for name, service in services.items():
        limits = ((service.get("deploy") or {}).get("resources") or {}).get("limits") or {}
        cpus, memory = limits.get("cpus"), limits.get("memory")
        if cpus and memory:
            size = _size(memory)
            text = f"  {scalar(name)}: {{cpus: {scalar(float(cpus))}, memory: {scalar(size)}}}"
            limit_lines.append((text, "the compose file's own limits"))
        else:
            limit_lines.append(
                (
                    f"  # {name}: {{cpus: TODO, memory: TODO}}",
                    "compose sets no CPU and memory limit",
                )
            )
    if any(not text.lstrip().startswith("#") for text, _ in limit_lines):
        g.add("limits:")
        for text, why in limit_lines:
            g.add(text, why)
    else:
        g.add("limits: {}", "no service declares CPU and memory limits: fill in the table")
    g.add()
    # --- secrets
    required = _secret_variables(project)
    g.add("secrets:")
    g.add(
        f"  required: {flow(required)}",
        "secret-named variables of the compose files and .env.example",
    )
    g.add("  min_length: 16")
    g.add(f"  placeholders: {flow(PLACEHOLDERS)}")
    for file in project.compose_files:
        try:
            for literal in secret_literals(file):
                where = f"{project.relative(file)}:{literal.line}"
                g.comment(
                    f"found: {where} service {literal.service}: {literal.variable} is a"
                    f" {literal.kind} in the compose file (take it from .env)",
                    2,
                )
        except (OSError, yaml.YAMLError):
            continue
    g.add()
    # --- tls
    cert, key = _tls_files(config)
    if cert is not None and key is not None:
        g.add("tls:")
        g.add(
            f"  cert: {scalar(project.relative(cert.host_path or Path()))}",
            f"nginx ssl_certificate {cert.container_path}, through {nginx_service}'s mounts",
        )
        g.add(
            f"  key: {scalar(project.relative(key.host_path or Path()))}",
            f"nginx ssl_certificate_key {key.container_path}",
        )
        g.add("  min_days_left: 30")
    else:
        g.invent(
            "tls",
            ["cert: certs/server.crt", "key: certs/server.key"],
            "no ssl_certificate readable through nginx's mounts",
        )
    g.add()
    # --- nginx and routes
    main = config.main if config else None
    if nginx_service and main is not None and main.host_path is not None:
        g.add("nginx:")
        g.add(f"  service: {scalar(nginx_service)}", "mounts /etc/nginx or runs an nginx image")
        g.add(
            f"  config_dir: {scalar(project.relative(main.host_path.parent))}",
            f"the host directory of {main.container_path}",
        )
        g.add()
        routes = _routes(config, services) if config else []
        if routes:
            g.add("routes:")
            for path, target in routes:
                g.add(
                    f"  - {{path: {scalar(path)}, service: {scalar(target)}, status: 200}}",
                    "where nginx proxies it now: is it the service you mean?",
                )
        else:
            g.add("routes: []", "no location of the TLS server proxies to a compose service")
    else:
        g.invent("nginx", ["service: nginx", "config_dir: nginx"], "no service mounts /etc/nginx")
    g.add()
    g.add("dependencies: {}", "no audit reports known; add npm/pip audit JSON reports here")
    g.add()
    # --- backup and database
    db_service = _find_service(project, "postgres", "/var/lib/postgresql", avoid="exporter")
    backups = _backup_dir(project)
    if backups is not None:
        host, mounted_at = backups
        g.add("backup:")
        g.add("  tool: pg_dump", "PostgreSQL's own dump tool")
        g.add(f"  directory: {scalar(project.relative(host))}", f"bind-mounted at {mounted_at}")
        g.add(f"  pattern: {scalar(_pattern(host))}", "from the files there now")
        g.add("  max_age_hours: 24", "a daily backup")
    else:
        g.invent(
            "backup",
            ["tool: pg_dump", "directory: backups", 'pattern: "*.dump"'],
            "no bind mount with 'backup' in its container path",
        )
    g.add()
    if db_service:
        service = services[db_service]
        password = _interpolated(project, db_service, ("POSTGRES_PASSWORD", "DB_PASSWORD")) or next(
            (n for n in required if "DB" in n or "POSTGRES" in n), "DB_PASSWORD"
        )
        g.add("database:")
        g.add(f"  service: {scalar(db_service)}", "a PostgreSQL image or data volume")
        g.add(f"  name: {scalar(_env_value(service, 'POSTGRES_DB') or 'postgres')}", "POSTGRES_DB")
        g.add(
            f"  user: {scalar(_env_value(service, 'POSTGRES_USER') or 'postgres')}", "POSTGRES_USER"
        )
        g.add(f"  password_env: {scalar(password)}", "the variable its password comes from")
    else:
        g.invent(
            "database",
            ["service: postgres", "name: postgres", "user: postgres", "password_env: DB_PASSWORD"],
            "no PostgreSQL service",
        )
    g.add()
    _monitoring(project, g)
    g.add()
    # --- grafana
    grafana = _find_service(project, "grafana", "/etc/grafana")
    if grafana is None:
        grafana = next(
            (n for n, s in services.items() if _env_value(s, "GF_SECURITY_ADMIN_PASSWORD")), None
        )
    if grafana:
        variable = _interpolated(project, grafana, ("GF_SECURITY_ADMIN_PASSWORD",))
        g.add("grafana:")
        g.add(f"  service: {scalar(grafana)}", "a Grafana image or GF_* settings")
        g.add(
            f"  password_env: {scalar(variable or 'GRAFANA_ADMIN_PASSWORD')}",
            "the variable GF_SECURITY_ADMIN_PASSWORD comes from",
        )
    else:
        g.invent(
            "grafana",
            ["service: grafana", "password_env: GRAFANA_ADMIN_PASSWORD"],
            "no Grafana service",
        )
    g.add()
    g.add("contacts:")
    g.add("  incident_commander: TODO", "name the incident commander")
    g.add("  channel: TODO", "name the communication channel")
    return "\n".join(g.lines) + "\n", g.invented


def _nginx(project: Project, service: str | None) -> nginx_config.NginxConfig | None:
    if service is None:
        return None
    try:
        return nginx_config.load(project.view(service))
    except (OSError, ValueError):
        return None


def _tls_server(config: nginx_config.NginxConfig | None) -> nginx_config.Server | None:
    if config is None:
        return None
    return next((s for s in config.servers if s.tls and s.ssl_certificates), None)


def _server_name(config: nginx_config.NginxConfig | None) -> str:
    server = _tls_server(config)
    names = [
        n for n in (server.server_names if server else ()) if n not in ("_", "") and "*" not in n
    ]
    return names[0] if names else "localhost"


def _tls_files(config: nginx_config.NginxConfig | None) -> tuple[Resolved | None, Resolved | None]:
    server = _tls_server(config)
    if server is None or not server.ssl_certificate_keys:
        return None, None
    cert, key = server.ssl_certificates[0], server.ssl_certificate_keys[0]
    if cert.host_path is None or key.host_path is None:
        return None, None
    return cert, key


def _routes(config: nginx_config.NginxConfig, services: Mapping[str, Any]) -> list[tuple[str, str]]:
    server = _tls_server(config) or next(iter(config.servers), None)
    if server is None:
        return []
    found = []
    for location in server.locations:
        if location.modifier not in ("", "^~") or not location.proxy_pass:
            continue
        target = nginx_config.route_target(config, location.path)
        host = target.host if target is not None else ""
        for candidate in host.split(","):
            if candidate in services:
                found.append((location.path, candidate))
                break
    return sorted(found)


def _backup_dir(project: Project) -> tuple[Path, PurePosixPath] | None:
    for name in project.services:
        for mount in project.view(name).mounts:
            if (
                mount.kind == "bind"
                and mount.host_path is not None
                and "backup" in str(mount.target)
            ):
                return mount.host_path, mount.target
    return None


def _pattern(directory: Path) -> str:
    suffixes = Counter(
        p.suffix for p in directory.glob("*") if p.is_file() and not p.name.startswith(".")
    )
    if len(suffixes) == 1:
        return f"*{next(iter(suffixes))}"
    return "*" if suffixes else "*.dump"


def _monitoring(project: Project, g: Guesses) -> None:
    service = _find_service(project, "prometheus", "/etc/prometheus", avoid="exporter")
    view = project.view(service) if service else None
    resolved = view.resolve(PROMETHEUS_CONFIG) if view else None
    if service is None or view is None or resolved is None or not resolved.readable:
        g.invent(
            "monitoring",
            [
                "prometheus_service: prometheus",
                "config: prometheus/prometheus.yml",
                "rules: prometheus/alert.rules.yml",
                "required_jobs: []",
                "required_alerts: {}",
            ],
            "no Prometheus configuration readable through a mount",
        )
        return
    assert resolved.host_path is not None
    try:
        data = yaml.safe_load(resolved.host_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        data = {}
    data = data if isinstance(data, dict) else {}
    jobs = [str(j.get("job_name")) for j in data.get("scrape_configs") or [] if isinstance(j, dict)]
    rule_files: list[Resolved] = []
    notes: list[str] = []
    for pattern in data.get("rule_files") or []:
        matches = view.glob(str(pattern), PurePosixPath(PROMETHEUS_CONFIG).parent)
        for match in matches.matches:
            rule_files.append(match)
            if match.missing_on_host:
                notes.append(
                    f"rule file {match.container_path} is mounted from"
                    f" {project.relative(match.host_path or Path())}, which does not exist"
                )
        if not matches.matches:
            where = f"the {matches.unseen}" if matches.unseen else "nothing"
            notes.append(f"rule_files {pattern}: no mount provides a match ({where} serves it)")
    readable = [
        r for r in rule_files if r.readable and r.host_path is not None and r.host_path.is_file()
    ]
    alerts: list[str] = []
    for rules in readable:
        assert rules.host_path is not None
        try:
            groups = (yaml.safe_load(rules.host_path.read_text(encoding="utf-8")) or {}).get(
                "groups"
            ) or []
        except (OSError, yaml.YAMLError, AttributeError):
            continue
        alerts += [
            str(r["alert"]) for grp in groups for r in grp.get("rules") or [] if "alert" in r
        ]
    chosen = readable[0] if readable else (rule_files[0] if rule_files else None)
    g.add("monitoring:")
    g.add(
        f"  prometheus_service: {scalar(service)}",
        "mounts /etc/prometheus or runs a Prometheus image",
    )
    g.add(
        f"  config: {scalar(project.relative(resolved.host_path))}",
        f"mounted at {PROMETHEUS_CONFIG}",
    )
    if chosen is not None and chosen.host_path is not None:
        g.add(
            f"  rules: {scalar(project.relative(chosen.host_path))}",
            f"the first rule file of rule_files ({len(rule_files)} found)",
        )
    else:
        g.add("  rules: prometheus/alert.rules.yml", "no rule file found through the mounts")
    for note in notes:
        g.comment(f"found: {note}", 2)
    g.add(f"  required_jobs: {flow(jobs)}", "every scrape job of the configuration")
    if alerts:  # one line, so that reviewing the guess (adding an alert) edits only it
        names = ", ".join(f"{scalar(alert)}: null" for alert in sorted(set(alerts)))
        g.add(
            f"  required_alerts: {{{names}}}",
            "every alert of the readable rule files, any expression",
        )
    else:
        g.add("  required_alerts: {}", "no alert rule readable")
    _alertmanager(project, resolved.host_path, g)


def _alertmanager(project: Project, config: Path, g: Guesses) -> None:
    """The Alertmanager service Prometheus's ``alerting:`` targets name, required (one line)."""
    try:
        services = alertmanager_files.alertmanager_services(
            project.model, alertmanager_files.alerting(config)
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        services = []
    if services:
        g.add(
            f"  alertmanager: {{service: {scalar(services[0])}, required: true}}",
            f"Prometheus's alerting targets name {', '.join(services)}",
        )
