"""The readiness manifest: what "ready" means for one target, as one nested, typed schema.

Sections mirror the YAML (``manifest.tls.cert`` is ``tls: {cert: ...}``); every default lives
here. Unknown keys, duplicate keys and impossible values are bad input: ``load_manifest``
raises one ``ConfigError`` naming the file, the key and the problem (with the closest valid
key for a misspelling). ``python -m runbook.schema`` exports the JSON Schema editors use.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from readiness.model.catalogue import CATALOGUE
from readiness.model.errors import ConfigError

_MEMORY = re.compile(r"^(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
SECRET_WORDS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "PRIVATE", "CREDENTIAL", "API_KEY")
"""Words that make a variable name secret when they stand between ``_`` (or at either end)."""
SEVERITIES = ("low", "moderate", "medium", "high", "critical")
DEFAULT_ERROR_RATE_QUERY = (
    'sum(rate(http_requests_total{status=~"5.."}[$window]))'
    " / sum(rate(http_requests_total[$window]))"
)


def parse_memory(value: object) -> int:
    """Bytes in a compose-style memory size: ``4G``, ``768M``, ``512m``, ``1073741824``."""
    if isinstance(value, bool):
        raise ValueError(f"expected a size like 4G or 768M, got {value!r}")
    if isinstance(value, int):
        return value
    match = _MEMORY.match(str(value).strip())
    if not match:
        raise ValueError(f"expected a size like 4G or 768M, got {value!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


Memory = Annotated[int, BeforeValidator(parse_memory), Field(gt=0)]
Name = Annotated[str, Field(min_length=1)]
Names = list[Name]
Port = Annotated[int, Field(ge=1, le=65535)]
Positive = Annotated[float, Field(gt=0)]
S = TypeVar("S", bound=BaseModel)
ProjectPath = Annotated[Path, "project-relative"]
"""A path relative to ``target.project_dir`` (resolved on load)."""


class Section(BaseModel):
    """A manifest section: unknown keys are errors; paths resolved on load."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TargetSection(Section):
    """``target``: the compose project this manifest describes."""

    name: Name
    project_dir: Path = Path(".")
    project_name: str = ""
    compose_files: Annotated[list[ProjectPath], Field(min_length=1)]
    env_file: ProjectPath = Path(".env")
    server_name: Name = "localhost"
    kind: Literal["compose", "swarm"] = "compose"
    """``compose``: a compose project on one engine; ``swarm``: a stack deployed with
    ``docker stack deploy`` (its name is ``project_name``), read through a manager's API."""


class SwarmSection(Section):
    """``swarm``: what a Swarm deployment of the stack must look like (target.kind: swarm)."""

    port_modes: dict[str, Literal["ingress", "host"]] = {}
    """Service -> how its published ports are published; a service not named: ``ingress``."""
    update_config: bool = True
    """Every service must declare ``deploy.update_config`` (a rollout policy)."""
    rollback_config: bool = True
    """Every service must declare ``deploy.rollback_config`` (what ``service rollback`` does)."""
    rollback_services: list[str] = []
    """Services the 3.3 drill rolls back and forward (SWM-07, disruptive); none: N/A."""
    relay_image: str = ""
    """An image with ``python3`` on the manager node: post-deploy runs a relay service from it on
    the internal overlay network (host-mode ports on the manager, removed after the run) to reach
    Prometheus, PostgreSQL, Grafana and the agents; empty: those checks cannot look (Broken)."""


class NetworkSection(Section):
    """``network``: which services are public, which are backend, and the internal network."""

    internal: Name
    public_services: Names
    backend_services: Names = []
    allowed_host_ips: Names = ["127.0.0.1"]


class Limit(Section):
    """A service's declared CPU and memory limit."""

    cpus: Positive
    memory: Memory


class SecretsSection(Section):
    """``secrets``: required secrets and what counts as weak."""

    required: Names
    min_length: Annotated[int, Field(ge=1)] = 16
    placeholders: Names = []
    scan_tracked_files: bool = True
    secret_words: Names = list(SECRET_WORDS)
    """Words that make a variable secret-named: a literal value in a compose file fails SEC-03."""

    @field_validator("placeholders")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [p.lower() for p in value]


class TlsSection(Section):
    """``tls``: the certificate nginx serves and what it must satisfy."""

    cert: ProjectPath | None = None
    """The certificate (PEM). Left out: the one nginx's ``ssl_certificate`` names, found
    through the nginx container's mounts (needs the nginx section)."""
    key: ProjectPath | None = None
    """The private key (PEM). Left out: nginx's ``ssl_certificate_key``."""
    ca: ProjectPath | None = None
    min_days_left: Annotated[int, Field(ge=0)] = 30
    min_rsa_bits: Annotated[int, Field(ge=512)] = 2048
    min_ec_bits: Annotated[int, Field(ge=128)] = 256

    @model_validator(mode="after")
    def _cert_and_key_together(self) -> TlsSection:
        if (self.cert is None) != (self.key is None):
            raise ValueError("expected cert and key together (or neither: nginx's are used)")
        return self


class NginxSection(Section):
    """``nginx``: the reverse proxy service and its configuration directory."""

    service: Name
    config_dir: ProjectPath | None = None
    """Only when compose cannot render: the directory mounted as /etc/nginx."""


class Route(Section):
    """A path nginx must route, and what a request to its probe must answer."""

    path: str | None = None
    probe: str = ""
    service: str | None = None
    status: Annotated[int, Field(ge=100, le=599)]
    contains: str | None = None

    @model_validator(mode="after")
    def _probe_defaults_to_path(self) -> Route:
        if not self.probe:
            if self.path is None:
                raise ValueError("needs a path or a probe")
            self.probe = self.path
        return self


class AuditReport(Section):
    """A dependency audit report file (``npm audit --json`` or ``pip-audit -f json``)."""

    name: Name
    kind: Literal["npm", "pip"]
    path: ProjectPath


class DependenciesSection(Section):
    """``dependencies``: audit reports and the severity that blocks."""

    severity_threshold: Literal["low", "moderate", "medium", "high", "critical"] = "high"
    reports: list[AuditReport] = []

    @field_validator("severity_threshold", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value


class BackupSection(Section):
    """``backup``: the tool, where backups go, how fresh they must be, RTO and RPO."""

    tool: Name
    directory: ProjectPath
    pattern: Name = "*.dump"
    max_age_hours: Positive = 24
    rto_seconds: Positive = 300
    rpo_hours: Positive = 24
    stop_services: Names = []
    previous_release: str | None = None
    command: str = ""
    """The project's own backup command (run in the project directory with BACKUP_DIR set);
    BAK-01 checks it exists and BAK-04 runs it. Empty: the suite's `runbook.backup`."""
    restore_command: str = ""
    """The project's own restore command (run in the project directory with RESTORE_FILE, the
    dump, and RESTORE_DATABASE, an existing database whose contents it replaces; also
    BACKUP_DIR and COMPOSE_PROJECT_NAME). BAK-01 checks it exists, RBK-01 runs it into a scratch
    database and RBK-02 into the live one. Empty: the suite's `runbook.restore`."""
    timeout_seconds: Positive = 600


class DatabaseSection(Section):
    """``database``: the PostgreSQL service, credentials and expected schema."""

    service: Name
    name: Name
    user: Name
    password_env: Name
    tables: Names = []
    port: Port = 5432
    migrations_table: str = ""
    migrations: list[int] = []


class AlertmanagerSection(Section):
    """``monitoring.alertmanager``: the Alertmanager service Prometheus must send alerts to."""

    service: Name
    required: bool = True
    """Prometheus sending alerts to no Alertmanager (or not to this one) is a failure."""


class MonitoringSection(Section):
    """``monitoring``: Prometheus configuration, required jobs and alerts, error-rate ceiling."""

    prometheus_service: Name
    config: ProjectPath
    rules: ProjectPath
    required_jobs: Names
    required_alerts: dict[str, str | None]
    error_rate_ceiling: Annotated[float, Field(ge=0, le=1)] = 0.01
    port: Port = 9090
    error_rate_window: Name = "1m"
    error_rate_query: str = DEFAULT_ERROR_RATE_QUERY
    critical_severities: Names = ["critical"]
    alertmanager: AlertmanagerSection | None = None
    """Absent: the Alertmanagers Prometheus's ``alerting:`` names are checked, none required."""

    @field_validator("required_alerts", mode="before")
    @classmethod
    def _list_means_any_expression(cls, value: object) -> object:
        return {str(name): None for name in value} if isinstance(value, list) else value

    @field_validator("error_rate_query")
    @classmethod
    def _uses_window(cls, value: str) -> str:
        if "$window" not in value:
            raise ValueError("expected a PromQL query using $window")
        return value


class GrafanaSection(Section):
    """``grafana``: the Grafana service, its admin password variable and the default login."""

    service: Name
    password_env: Name
    default_user: Name = "admin"
    default_password: Name = "admin"
    port: Port = 3000


class Connection(Section):
    """A service that must reach another one's port from inside the network."""

    source: Name = Field(alias="from")
    dest: Name = Field(alias="to")
    port: Port

    @property
    def id(self) -> str:
        """``hypercode-core->postgres:5432``."""
        return f"{self.source}->{self.dest}:{self.port}"


class AgentProbe(Section):
    """An agent's HTTP endpoint on the internal network, and what it must answer."""

    service: Name
    port: Port
    path: str = "/health"
    status: Annotated[int, Field(ge=100, le=599)] = 200
    contains: list[str] = []

    @field_validator("contains", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class ContactsSection(Section):
    """``contacts``: seed 6, who leads an incident and where the team talks."""

    incident_commander: str = ""
    channel: str = ""


class DeploymentSection(Section):
    """``deployment``: the ref the checkout must be at."""

    expected_ref: Name = "HEAD"


class TestsSection(Section):
    """``tests``: the target's own test and smoke commands."""

    command: str = ""
    smoke: str = ""
    timeout_seconds: Positive = 300


# --- hosts (host-level checks through testinfra) ---------------------------------------------
HostRole = Literal["docker", "backup"]
HOST_ROLES: tuple[HostRole, ...] = ("docker", "backup")
"""Roles a host can hold: ``docker`` runs the engine, ``backup`` takes the scheduled backups."""


def host_spec_problem(spec: str) -> str:
    """Why testinfra cannot use ``spec`` ("" when it can): an unknown connection type."""
    from testinfra.backend import BACKENDS

    scheme = spec.split("://", 1)[0] if "://" in spec else ""
    if scheme and scheme not in BACKENDS:
        return f"unknown connection type {scheme!r} in {spec!r}; expected one of {sorted(BACKENDS)}"
    return ""


class HostEntry(Section):
    """One host: its testinfra spec (``ssh://user@name``, ``ansible://name``) and its roles."""

    spec: Name
    roles: list[HostRole] = list(HOST_ROLES)

    @field_validator("spec")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        problem = host_spec_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def name(self) -> str:
        """The host part of the spec (what testinfra and the inventory call it)."""
        rest = self.spec.split("://", 1)[-1].split("?", 1)[0]
        return rest.rsplit("@", 1)[-1].split(":", 1)[0]


class EngineRequirements(Section):
    """What the Docker engine on each ``docker`` host must answer in ``docker info``."""

    min_version: str | None = None
    log_rotation: bool = True
    live_restore: bool = True


class HostsSection(Section):
    """``hosts``: the machines the stack runs on, their roles, and what each must satisfy.

    testinfra's ``--hosts`` (or ``--ansible-inventory`` alone: every inventory host) replaces
    ``specs``; a host named there gets the roles of the entry with its name, else its inventory
    groups named like a role, else ``default_roles``.
    """

    specs: list[HostEntry] = []
    default_roles: list[HostRole] = list(HOST_ROLES)
    env_file: str = ""
    """The .env path on the hosts (default: target.env_file); checked where a host holds it."""
    env_owner: Name = "root"
    backup_dir: str = ""
    """The backup directory on the backup hosts (default: backup.directory)."""
    backup_command: str = ""
    """What the scheduled job must run (default: backup.command, else the suite's backup)."""
    min_free_docker_root: Memory = 2 * 1024**3
    min_free_backup_dir: Memory = 1024**3
    backup_size_multiple: Annotated[float, Field(ge=0)] = 2.0
    """Free space must also hold this many copies of the newest backup."""
    engine: EngineRequirements = EngineRequirements()
    backend_ports: list[Port] | None = None
    """Ports no host may listen on (default: the connectivity ports of the backend services)."""


class Waiver(Section):
    """An accepted failure of one check for one subject, until an expiry date."""

    check: Name
    subject: str = "*"
    id: str = ""
    justification: Name
    owner: Name
    expires: dt.date

    @field_validator("check")
    @classmethod
    def _known_check(cls, value: str) -> str:
        if value not in CATALOGUE:
            raise ValueError(f"unknown check ID {value!r}")
        return value

    @field_validator("subject", mode="before")
    @classmethod
    def _subject_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class Approver(Section):
    """A person who signs the sign-off."""

    role: Name
    name: str = ""


class SignoffSection(Section):
    """``signoff``: who signs, and where the seed checklist is (relative to the manifest)."""

    approvers: list[Approver] = []
    checklist: str | None = None


class Manifest(Section):
    """The validated manifest; every project path already resolved.

    Every section but ``target`` is optional: the checks of an absent section are not
    applicable (N/A), never passed.
    """

    version: Literal[1]
    target: TargetSection
    network: NetworkSection = Field(default_factory=lambda: _absent(NetworkSection))
    limits: dict[str, Limit] = {}
    secrets: SecretsSection = Field(default_factory=lambda: _absent(SecretsSection))
    tls: TlsSection = Field(default_factory=lambda: _absent(TlsSection))
    nginx: NginxSection = Field(default_factory=lambda: _absent(NginxSection))
    routes: list[Route] = []
    dependencies: DependenciesSection = Field(default_factory=DependenciesSection)
    backup: BackupSection = Field(default_factory=lambda: _absent(BackupSection))
    database: DatabaseSection = Field(default_factory=lambda: _absent(DatabaseSection))
    monitoring: MonitoringSection = Field(default_factory=lambda: _absent(MonitoringSection))
    grafana: GrafanaSection = Field(default_factory=lambda: _absent(GrafanaSection))
    connectivity: list[Connection] = []
    agents: list[AgentProbe] = []
    hosts: HostsSection = HostsSection()
    contacts: ContactsSection = ContactsSection()
    deployment: DeploymentSection = DeploymentSection()
    tests: TestsSection = TestsSection()
    request_timeout_seconds: Positive = 10
    waivers: list[Waiver] = []
    signoff: SignoffSection = SignoffSection()
    swarm: SwarmSection = SwarmSection()
    path: SkipJsonSchema[Path] = Field(default=Path("readiness.yml"), exclude=True)

    @field_validator("routes")
    @classmethod
    def _unique_routes(cls, routes: list[Route]) -> list[Route]:
        seen: set[str] = set()
        for index, route in enumerate(routes):
            if route.probe in seen:
                raise ValueError(f"routes[{index}]: probe {route.probe!r} is declared twice")
            seen.add(route.probe)
        return routes

    def declares(self, section: str) -> bool:
        """True when the manifest declares ``section`` (absent: its checks are N/A)."""
        return section in self.model_fields_set and section in OPTIONAL_SECTIONS | {"target"}

    def fix_values(self) -> dict[str, str]:
        """The target's own names for fix texts: its backup tool, config and rules files."""
        values = {"manifest": self.path.name}
        if self.declares("backup"):
            values["backup_tool"] = f"`{self.backup.tool}`"
        if self.declares("monitoring"):
            values["prometheus_config"] = self.monitoring.config.name
            values["alert_rules"] = self.monitoring.rules.name
        values["backup_command"] = f"`{self.host_backup_command}`"
        values["env_owner"] = self.hosts.env_owner
        return values

    # --- the hosts section, with its defaults from the other sections -------------------
    @property
    def host_env_file(self) -> str:
        """The .env path on the hosts (``hosts.env_file``, else the target's)."""
        return self.hosts.env_file or str(self.env_file)

    @property
    def host_backup_dir(self) -> str:
        """The backup directory on the backup hosts (``hosts.backup_dir``, else backup's)."""
        if self.hosts.backup_dir:
            return self.hosts.backup_dir
        return str(self.backup.directory) if self.declares("backup") else ""

    @property
    def host_backup_pattern(self) -> str:
        """The glob of backup files (``backup.pattern``)."""
        return self.backup.pattern if self.declares("backup") else "*.dump"

    @property
    def host_backup_command(self) -> str:
        """What a scheduled job must run: ``hosts.backup_command``, ``backup.command``, or
        the suite's own backup module."""
        return self.hosts.backup_command or self.backup.command or "python -m runbook.backup"

    @property
    def host_backend_ports(self) -> list[int]:
        """Ports no host may listen on: ``hosts.backend_ports``, else the connectivity ports
        of the backend services."""
        if self.hosts.backend_ports is not None:
            return sorted(set(self.hosts.backend_ports))
        backend = set(self.network.backend_services)
        return sorted({c.port for c in self.connectivity if c.dest in backend})

    # --- the target, resolved (shorthands used everywhere) ------------------------------
    @property
    def project_dir(self) -> Path:
        """The compose project directory (absolute)."""
        return self.target.project_dir

    @property
    def project_name(self) -> str:
        """The compose project name (the directory's name unless the manifest sets one)."""
        return self.target.project_name or self.target.project_dir.name

    @property
    def compose_files(self) -> tuple[Path, ...]:
        """The compose files, absolute, in launch order."""
        return tuple(self.target.compose_files)

    @property
    def env_file(self) -> Path:
        """The target's .env (absolute)."""
        return self.target.env_file


def manifest_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``readiness.yml`` (what editors complete and validate against)."""
    schema = Manifest.model_json_schema(mode="validation")
    schema["title"] = "Readiness manifest"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


OPTIONAL_SECTIONS = frozenset(
    {"network", "secrets", "tls", "nginx", "dependencies", "backup", "database"}
    | {"monitoring", "grafana", "routes", "connectivity", "agents", "tests", "limits", "hosts"}
)
"""Sections a manifest may leave out: the checks that need one are then not applicable."""


def _absent(section: type[S]) -> S:
    """An empty stand-in for a section the manifest leaves out (its checks never run)."""
    values: dict[str, Any] = {}
    for name, info in section.model_fields.items():
        if info.is_required():
            text = str(info.annotation)
            values[name] = (
                []
                if "list" in text
                else {}
                if "dict" in text
                else (Path() if "Path" in text else "")
            )
    return section.model_construct(**values)


def _resolve_paths(model: BaseModel, root: Path) -> None:
    """Turn every project-relative path of ``model`` (recursively) into an absolute one."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if "project-relative" in info.metadata or _is_project_path_list(info.annotation):
            if isinstance(value, Path):
                object.__setattr__(model, name, (root / value).resolve())
            elif isinstance(value, list):
                resolved = [(root / v).resolve() if isinstance(v, Path) else v for v in value]
                object.__setattr__(model, name, resolved)
        elif isinstance(value, BaseModel):
            _resolve_paths(value, root)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _resolve_paths(item, root)
        elif isinstance(value, dict):
            for item in value.values():
                if isinstance(item, BaseModel):
                    _resolve_paths(item, root)


def _is_project_path_list(annotation: object) -> bool:
    text = str(annotation)
    return "project-relative" in text


# --- loading -------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """YAML that rejects duplicate keys and leaves dates as text (the schema parses them)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_duplicates,
)
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, what: str = "manifest") -> Any:
    """The YAML document of ``path``; ConfigError (one line) if unreadable or not YAML."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read {what} ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            str(path), "", f"not UTF-8 text (byte {exc.start}): save the {what} as UTF-8"
        ) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), where, f"not valid YAML ({problem})") from None


def load_manifest(path: Path, project_dir: Path | None = None) -> Manifest:
    """Read and validate ``path``; raise ConfigError with one line on any problem."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", "expected a mapping at the top level")
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise _config_error(path, exc) from None
    manifest.path = path
    target = manifest.target
    root = (project_dir or (path.parent / target.project_dir)).resolve()
    if project_dir is None and not root.is_dir():
        got = "a file" if root.exists() else "nothing there"
        raise ConfigError(
            str(path), "target.project_dir", f"{root}: expected a directory, got {got}"
        )
    target.project_dir = root
    for name in manifest.model_fields_set:
        value = getattr(manifest, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                _resolve_paths(item, root)
    target.project_dir = root
    return manifest


def _config_error(path: Path, exc: ValidationError) -> ConfigError:
    """One line for the first problem: the key, what is wrong, and the closest valid key."""
    error = exc.errors()[0]
    loc = [part for part in error["loc"] if not _is_union_branch(part)]
    key = _key(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        valid = _fields_at(Manifest, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), valid, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(valid)}"
        return ConfigError(str(path), key, f"unknown key{hint}")
    if kind == "missing":
        is_section = bool(_fields_at(Manifest, loc))
        return ConfigError(
            str(path), key, "expected a mapping, got nothing" if is_section else "is required"
        )
    got = error.get("input")
    expected = _EXPECTED.get(kind)
    if kind == "literal_error":
        expected = f"one of {error.get('ctx', {}).get('expected', '')}".replace("'", "")
    elif kind in _BOUNDS:
        bound = next(iter(error.get("ctx", {}).values()), "")
        expected = (
            f"{_BOUNDS[kind]} {bound:g}" if isinstance(bound, float) else f"{_BOUNDS[kind]} {bound}"
        )
    if expected is None:
        message = str(error["msg"]).removeprefix("Value error, ")
        return ConfigError(str(path), key, message)
    return ConfigError(str(path), key, f"expected {expected}, got {_describe(got)}")


_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
    "path_type": "a path",
    "string_too_short": "a non-empty string",
    "too_short": "at least one entry",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict | list):
        return type(value).__name__
    return f"{type(value).__name__} {value!r}"


def _is_union_branch(part: object) -> bool:
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "float", "none"))


def _key(loc: list[Any]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _fields_at(model: type[BaseModel], loc: list[Any]) -> list[str]:
    """The valid keys of the section at ``loc`` (list indexes and mapping keys skipped)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, BaseModel)
        ):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            current = _model_in(current, str(part))
            continue
        current = _model_in_annotation(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(
            info.alias or name for name, info in current.model_fields.items() if not info.exclude
        )
    return []


def _model_in(model: type[BaseModel], key: str) -> Any:
    for info in model.model_fields.values():
        inner = _model_in_annotation(info.annotation)
        if inner is not None and info.alias == key:
            return inner
    return model


def _model_in_annotation(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in_annotation(arg)
        if found is not None:
            return found
    return None
