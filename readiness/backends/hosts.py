"""Host facts read once per host through testinfra (``ssh://``, ``ansible://``, ``local://``...).

:func:`gather` asks a testinfra ``Host`` everything the host-level checks judge and returns a
frozen :class:`HostFacts`. Files, modes, owners, directory listings, processes and sockets come
from testinfra's own modules; only what testinfra has no module for is a command
(``df``, ``find``, ``docker info``, ``chronyc``, ``timedatectl``). Each probe records its own
error in ``HostFacts.errors`` instead of raising, so one missing tool hides nothing else. A host
that does not answer gives ``HostFacts(unreachable=...)`` within the connection timeout.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

DOCKER_ROOT = "docker-root"  # alias for the engine's DockerRootDir in ``free`` look-ups
CRON_DIRS = {
    "/etc/cron.hourly": "hourly",
    "/etc/cron.daily": "daily",
    "/etc/cron.weekly": "weekly",
    "/etc/cron.monthly": "monthly",
}
USER_CRONTABS = "/var/spool/cron/crontabs"
SYSTEMD_DIR = "/etc/systemd/system"
UNIT_DIRS = (SYSTEMD_DIR, "/lib/systemd/system", "/usr/lib/systemd/system")
DAEMON_JSON = "/etc/docker/daemon.json"
TIME_DAEMONS = ("chronyd", "ntpd", "systemd-timesyncd", "openntpd", "timesyncd")
_RUN_PARTS_NAME = re.compile(r"^[A-Za-z0-9_-]+$")  # Debian cron/run-parts ignore other names

T = TypeVar("T")


@dataclass(frozen=True)
class ScheduleEntry:
    """One scheduled job: a cron line, a script in /etc/cron.<period>, or a systemd timer."""

    source: str  # "/etc/cron.d/x", "crontab -u backup", "/etc/systemd/system/x.timer"
    kind: str  # "cron" (a crontab line), "cron-dir" (a run-parts script), "timer"
    schedule: str  # "15 2 * * *", "@daily", "daily", "OnCalendar=*-*-* 02:15:00"
    command: str  # the command line, the script text, or the service's ExecStart
    user: str = "root"
    enabled: bool = True  # timers: linked from a *.wants directory; scripts: executable


@dataclass(frozen=True)
class FileFact:
    """What testinfra's ``host.file`` says about one path."""

    path: str
    exists: bool
    mode: int | None = None
    user: str | None = None
    uid: int | None = None
    group: str | None = None
    gid: int | None = None
    size: int | None = None


@dataclass(frozen=True)
class FreeSpace:
    """``df -PB1`` for one path: bytes available to unprivileged users, total, mount point."""

    path: str
    free_bytes: int
    total_bytes: int
    mount_point: str


@dataclass(frozen=True)
class NewestFile:
    """The newest file matching a pattern in a directory (e.g. the newest backup)."""

    path: str
    size: int
    mtime: float


@dataclass(frozen=True)
class ClockStatus:
    """Is the clock synchronised, who said so, and the line that said it."""

    synchronised: bool
    source: str  # "chronyc tracking", "timedatectl", "processes"
    detail: str


@dataclass(frozen=True)
class HostFacts:
    """Everything the host checks judge, read once. ``errors``: probe -> why it could not look."""

    host: str
    unreachable: str | None = None
    hostname: str | None = None
    schedules: tuple[ScheduleEntry, ...] = ()
    cron_running: bool | None = None
    free: Mapping[str, FreeSpace] = field(default_factory=dict)
    newest: Mapping[str, NewestFile | None] = field(default_factory=dict)
    docker_info: Mapping[str, Any] | None = None
    daemon_json: Mapping[str, Any] | None = None  # None: absent (see errors for unreadable)
    clock: ClockStatus | None = None
    files: Mapping[str, FileFact] = field(default_factory=dict)
    listening: tuple[str, ...] | None = None
    errors: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def docker_root(self) -> str | None:
        """The engine's data root, from its own answer (``docker info``)."""
        root = (self.docker_info or {}).get("DockerRootDir")
        return str(root) if root else None

    def free_at(self, path: str) -> FreeSpace | None:
        """Free space for ``path`` (or :data:`DOCKER_ROOT`)."""
        key = self.docker_root if path == DOCKER_ROOT else path
        return self.free.get(key) if key else None


def connect(
    spec: str,
    *,
    ssh_config: str | None = None,
    ansible_inventory: str | None = None,
    timeout: int = 5,
    sudo: bool = False,
    ssh_extra_args: str | None = None,
) -> Any:
    """A testinfra Host for ``spec`` (``ssh://root@h``, ``ansible://h``, ``local://``...).

    ``timeout`` is ssh's ConnectTimeout (a ``?timeout=`` in the spec wins); OpenSSH applies it
    to the TCP connect and to the banner exchange, so a silent or black-holed host answers within
    it. ``ssh_extra_args`` go to ssh as they are (e.g. ``-o ControlMaster=no``). For ``ansible://``
    testinfra reads the inventory with ``ansible-inventory`` (ansible-core, on PATH) and then
    talks ssh itself, so put ``-o ConnectTimeout=N`` in ``ansible_ssh_common_args``.
    """
    import testinfra

    kwargs: dict[str, Any] = {"timeout": timeout}
    if ssh_config:
        kwargs["ssh_config"] = ssh_config
    if ansible_inventory:
        kwargs["ansible_inventory"] = ansible_inventory
    if sudo:
        kwargs["sudo"] = True
    if ssh_extra_args:
        kwargs["ssh_extra_args"] = ssh_extra_args
    return testinfra.get_host(spec, **kwargs)


def host_name(host: Any) -> str:
    """The name a host is known by: the inventory or ssh_config name, else its spec."""
    backend = host.backend
    named = getattr(backend, "host", None)
    if isinstance(named, str) and named:
        return named
    label = getattr(named, "name", None)
    if label:
        return str(label)
    return str(backend.get_pytest_id())


def gather(
    host: Any,
    *,
    name: str | None = None,
    free_paths: Sequence[str] = (),
    file_paths: Sequence[str] = (),
    newest_in: Mapping[str, str] | None = None,
    docker: bool = True,
) -> HostFacts:
    """Read every host fact once. Never raises for the host's sake: errors are in the facts.

    ``free_paths``: paths whose free space is wanted (:data:`DOCKER_ROOT` for the engine's data
    root); ``file_paths``: paths whose mode and owner are wanted; ``newest_in``: directory ->
    glob pattern of the files whose newest one is wanted (backups).
    """
    start = time.monotonic()
    label = name or host_name(host)
    errors: dict[str, str] = {}
    problem = _reach(host)
    if problem is not None:
        return HostFacts(label, unreachable=problem, seconds=time.monotonic() - start)

    def probe(key: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except Exception as exc:  # testinfra raises RuntimeError/AssertionError/ValueError...
            errors[key] = _one_line(exc)
            return None

    hostname = probe("hostname", lambda: str(host.check_output("hostname")).strip())
    schedules = probe("schedules", lambda: _schedules(host, errors)) or ()
    cron_running = probe("cron", lambda: _running_any(host, ("cron", "crond")))
    info = probe("docker", lambda: _docker_info(host)) if docker else None
    daemon_json = probe("daemon.json", lambda: _daemon_json(host))
    free: dict[str, FreeSpace] = {}
    for path in free_paths:
        target = str(info.get("DockerRootDir") or "") if path == DOCKER_ROOT and info else path
        engine = str((info or {}).get("Name") or "")
        if target == DOCKER_ROOT:
            errors[f"free:{DOCKER_ROOT}"] = "no docker info answer, so no DockerRootDir"
        elif path == DOCKER_ROOT and engine != hostname:
            errors[f"free:{DOCKER_ROOT}"] = (
                f"the engine runs on {engine or '?'}, not on this host ({hostname}): "
                f"its DockerRootDir {target} is not here"
            )
        elif target and (got := probe(f"free:{target}", partial(_free, host, target))):
            free[target] = got
    newest = {
        directory: probe(f"newest:{directory}", partial(_newest, host, directory, pattern))
        for directory, pattern in (newest_in or {}).items()
    }
    clock = probe("clock", lambda: _clock(host))
    files = {
        path: fact
        for path in file_paths
        if (fact := probe(f"file:{path}", partial(_file, host, path))) is not None
    }
    listening = probe("sockets", lambda: tuple(sorted(host.socket.get_listening_sockets())))
    return HostFacts(
        host=label,
        hostname=hostname,
        schedules=schedules,
        cron_running=cron_running,
        free=free,
        newest=newest,
        docker_info=info,
        daemon_json=daemon_json,
        clock=clock,
        files=files,
        listening=listening,
        errors=dict(errors),
        seconds=time.monotonic() - start,
    )


def gather_all(hosts: Iterable[Any], **options: Any) -> dict[str, HostFacts]:
    """:func:`gather` for each host, serially; name -> facts."""
    result = {}
    for host in hosts:
        facts = gather(host, **options)
        result[facts.host] = facts
    return result


# --- probes --------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    # testinfra's RuntimeError(CommandResult) repr: keep ssh's own complaint
    match = re.search(r"stderr=b?['\"](.*?)['\"]\)?(?:, |$)", text, re.S | re.M)
    if match and match.group(1).strip():
        text = match.group(1).encode().decode("unicode_escape")
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return (lines[-1] if lines else type(exc).__name__)[:300]


def _reach(host: Any) -> str | None:
    """None when the host runs a command, else why not (ssh's own last line)."""
    try:
        result = host.run("true")
    except Exception as exc:
        return _one_line(exc)
    if result.rc != 0:
        lines: list[str] = str(result.stderr).strip().splitlines()
        return lines[-1] if lines else f"`true` exited {result.rc}"
    return None


def _file(host: Any, path: str) -> FileFact:
    f = host.file(path)
    if not f.exists:
        return FileFact(path, exists=False)
    return FileFact(path, True, f.mode, f.user, f.uid, f.group, f.gid, f.size)


def _read(host: Any, path: str) -> str | None:
    """A file's text through testinfra, or None when it is not there."""
    f = host.file(path)
    if not f.exists:
        return None
    return str(f.content_string)


def _listdir(host: Any, path: str) -> list[str]:
    f = host.file(path)
    if not f.is_directory:
        return []
    return sorted(str(name) for name in f.listdir())


def _crontab_lines(text: str, *, system: bool) -> Iterable[tuple[str, str, str]]:
    """(schedule, user, command) for each job line; environment lines and comments skipped."""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):
            continue
        fields = line.split()
        if fields[0].startswith("@"):
            schedule, rest = fields[0], fields[1:]
        else:
            schedule, rest = " ".join(fields[:5]), fields[5:]
        if system:
            user, rest = (rest[0], rest[1:]) if rest else ("", [])
        else:
            user = ""
        if rest:
            yield schedule, user, " ".join(rest)


def _schedules(host: Any, errors: dict[str, str]) -> tuple[ScheduleEntry, ...]:
    entries: list[ScheduleEntry] = []

    def step(key: str, read: Callable[[], list[ScheduleEntry]]) -> None:
        try:
            entries.extend(read())
        except Exception as exc:
            errors[key] = _one_line(exc)

    def crontab(path: str, *, system: bool, owner: str = "root") -> list[ScheduleEntry]:
        text = _read(host, path)
        if text is None:
            return []
        return [
            ScheduleEntry(
                path if system else f"crontab -u {owner}", "cron", sched, cmd, user or owner
            )
            for sched, user, cmd in _crontab_lines(text, system=system)
        ]

    step("schedules:/etc/crontab", lambda: crontab("/etc/crontab", system=True))
    step(
        "schedules:/etc/cron.d",
        lambda: [
            entry
            for name in _listdir(host, "/etc/cron.d")
            if _RUN_PARTS_NAME.match(name)
            for entry in crontab(f"/etc/cron.d/{name}", system=True)
        ],
    )
    for directory, period in CRON_DIRS.items():
        step(
            f"schedules:{directory}",
            lambda d=directory, p=period: [  # type: ignore[misc]
                ScheduleEntry(
                    f"{d}/{name}",
                    "cron-dir",
                    p,
                    _read(host, f"{d}/{name}") or "",
                    enabled=bool((host.file(f"{d}/{name}").mode or 0) & 0o111),
                )
                for name in _listdir(host, d)
                if _RUN_PARTS_NAME.match(name)
            ],
        )
    step(
        f"schedules:{USER_CRONTABS}",
        lambda: [
            entry
            for user in _listdir(host, USER_CRONTABS)
            for entry in crontab(f"{USER_CRONTABS}/{user}", system=False, owner=user)
        ],
    )
    step(f"schedules:{SYSTEMD_DIR}", lambda: _timers(host))
    return tuple(entries)


def _unit_settings(text: str, section: str) -> list[tuple[str, str]]:
    """(key, value) pairs of one [section] of a systemd unit file, in order."""
    current, pairs = "", []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == section and "=" in line and not line.startswith(("#", ";")):
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def _timers(host: Any) -> list[ScheduleEntry]:
    names = _listdir(host, SYSTEMD_DIR)
    timers = [name for name in names if name.endswith(".timer")]
    if not timers:
        return []
    wants = {
        linked
        for directory in names
        if directory.endswith(".wants")
        for linked in _listdir(host, f"{SYSTEMD_DIR}/{directory}")
    }
    entries = []
    for timer in timers:
        text = _read(host, f"{SYSTEMD_DIR}/{timer}") or ""
        settings = _unit_settings(text, "Timer")
        unit = dict(settings).get("Unit", timer.removesuffix(".timer") + ".service")
        service = next((t for d in UNIT_DIRS if (t := _read(host, f"{d}/{unit}")) is not None), "")
        exec_start = " ".join(v for k, v in _unit_settings(service, "Service") if k == "ExecStart")
        user = dict(_unit_settings(service, "Service")).get("User", "root")
        schedule = "; ".join(
            f"{k}={v}" for k, v in settings if k.startswith("On") and k != "OnActiveSec"
        )
        entries.append(
            ScheduleEntry(
                f"{SYSTEMD_DIR}/{timer}",
                "timer",
                schedule,
                exec_start or f"(no ExecStart in {unit})",
                user,
                enabled=timer in wants,
            )
        )
    return entries


def _pid_namespace(host: Any, pid: int | str) -> str:
    """'[4026531836]' for /proc/<pid>/ns/pid (realpath of a magic link: 'pid:[N]')."""
    return str(host.file(f"/proc/{pid}/ns/pid").linked_to).rsplit(":", 1)[-1]


def _running_any(host: Any, commands: Sequence[str]) -> bool:
    """A process named one of ``commands`` runs in the host's own PID namespace.

    On a Docker host ``ps`` also lists the containers' processes: a container's cron or chronyd
    says nothing about the host's. A process whose namespace cannot be read is counted.
    """
    found = [p for command in commands for p in host.process.filter(comm=command)]
    if not found:
        return False
    try:
        own = _pid_namespace(host, "self")
    except Exception:
        return True
    for process in found:
        try:
            if _pid_namespace(host, process.pid) == own:
                return True
        except Exception:
            return True
    return False


def _docker_info(host: Any) -> Mapping[str, Any] | None:
    """``docker info`` JSON from the host's own client; None when it has no ``docker``."""
    if not host.exists("docker"):
        return None
    result = host.run("docker info --format '{{json .}}'")
    try:
        data = json.loads(result.stdout)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RuntimeError(f"docker info: {(result.stderr.strip() or result.stdout.strip())[:200]}")
    server_errors = data.get("ServerErrors") or []
    if server_errors or not data.get("ServerVersion"):
        raise RuntimeError(f"docker info: {'; '.join(server_errors) or 'no server answer'}")
    return data


def _daemon_json(host: Any) -> Mapping[str, Any] | None:
    text = _read(host, DAEMON_JSON)
    if text is None:
        return None
    data = json.loads(text or "{}")
    if not isinstance(data, dict):
        raise ValueError(f"{DAEMON_JSON}: not a JSON object")
    return data


def _free(host: Any, path: str) -> FreeSpace:
    result = host.run("df -PB1 -- %s", path)
    lines = result.stdout.strip().splitlines()
    if result.rc != 0 or len(lines) < 2:
        raise RuntimeError((result.stderr.strip() or f"df exited {result.rc}").splitlines()[-1])
    fields = lines[-1].split()
    return FreeSpace(path, int(fields[3]), int(fields[1]), fields[5])


def _newest(host: Any, directory: str, pattern: str) -> NewestFile | None:
    result = host.run(
        "find %s -maxdepth 1 -type f -name %s -printf '%%T@ %%s %%p\\n'", directory, pattern
    )
    if result.rc != 0:
        raise RuntimeError((result.stderr.strip() or f"find exited {result.rc}").splitlines()[-1])
    rows = []
    for line in result.stdout.splitlines():
        mtime, size, path = line.split(" ", 2)
        rows.append(NewestFile(path, int(size), float(mtime)))
    return max(rows, key=lambda row: row.mtime, default=None)


def _clock(host: Any) -> ClockStatus:
    """chrony's tracking, else systemd's NTPSynchronized, else: is any time daemon running?"""
    said = []
    if host.exists("chronyc"):
        result = host.run("chronyc -n tracking")
        leap = re.search(r"^Leap status\s*:\s*(.+)$", result.stdout, re.M)
        if result.rc == 0 and leap:
            status = leap.group(1).strip()
            ref = re.search(r"^Reference ID\s*:\s*(.+)$", result.stdout, re.M)
            where = f" (reference {ref.group(1).strip()})" if ref else ""
            return ClockStatus(
                status == "Normal", "chronyc tracking", f"Leap status {status}{where}"
            )
        said.append(f"chronyc: {(result.stderr or result.stdout).strip() or result.rc}")
    if host.exists("timedatectl"):
        result = host.run("timedatectl show -p NTPSynchronized --value")
        value = result.stdout.strip()
        if result.rc == 0 and value in ("yes", "no"):
            return ClockStatus(value == "yes", "timedatectl", f"NTPSynchronized={value}")
        said.append(f"timedatectl: {(result.stderr or result.stdout).strip() or result.rc}")
    running = [name for name in TIME_DAEMONS if _running_any(host, (name[:15],))]
    detail = "; ".join(said) or "no chronyc or timedatectl"
    if running:
        detail = f"{', '.join(running)} running but not asked ({detail})"
    else:
        detail = f"no time daemon running ({detail})"
    return ClockStatus(False, "processes", " ".join(detail.split())[:300])
