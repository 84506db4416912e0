"""Pure judgements of host facts: ``None`` when the host is ready, else one operator line.

Every message reads ``subject: property: expected X, got Y`` with the host as the subject. When
the facts could not be read (host unreachable, a probe failed), a rule returns the
:func:`cannot_look` line instead of guessing; call :func:`cannot_look` first to tell "could not
look" (broken) from "looked and it is wrong" (failed). The facts are
:class:`readiness.backends.hosts.HostFacts`; nothing here runs a command.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readiness.backends.hosts import HostFacts, ScheduleEntry

DAY_HOURS = 24.0
DOCKER_ROOT = "docker-root"  # same alias as readiness.backends.hosts.DOCKER_ROOT

# probe keys (prefixes of HostFacts.errors) each rule depends on
PROBES: Mapping[str, tuple[str, ...]] = {
    "backup_scheduled": ("schedules", "cron"),
    "free_space": ("free", "newest", "docker"),
    "engine_settings": ("docker", "daemon.json", "hostname"),
    "clock_synchronised": ("clock",),
    "env_file_private": ("file",),
    "no_backend_listening": ("sockets",),
}

_CRON_KEYWORDS = {
    "@hourly": 1.0,
    "@daily": DAY_HOURS,
    "@midnight": DAY_HOURS,
    "@weekly": 7 * DAY_HOURS,
    "@monthly": 30 * DAY_HOURS,
    "@yearly": 365 * DAY_HOURS,
    "@annually": 365 * DAY_HOURS,
}
_CRON_DIR_PERIODS = {"hourly": 1.0, "daily": DAY_HOURS, "weekly": 168.0, "monthly": 720.0}
_CALENDAR_SHORTHANDS = {
    "minutely": 1 / 60,
    "hourly": 1.0,
    "daily": DAY_HOURS,
    "weekly": 168.0,
    "monthly": 720.0,
    "quarterly": 2190.0,
    "semiannually": 4380.0,
    "yearly": 8760.0,
    "annually": 8760.0,
}
_EVERY_DAY_OF_WEEK = {"*", "*/1", "0-6", "0-7", "1-7", "sun-sat", "mon-sun"}
_SPAN_UNITS = {
    "us": 1e-6, "usec": 1e-6, "ms": 1e-3, "msec": 1e-3,
    "s": 1, "sec": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "month": 2629800, "months": 2629800, "y": 31557600, "year": 31557600, "years": 31557600,
}  # fmt: skip


def cannot_look(facts: HostFacts, probes: Iterable[str] = ()) -> str | None:
    """Why the facts a rule needs are missing (unreachable host, failed probes), else None."""
    if facts.unreachable:
        return f"{facts.host}: reachable: expected an answer, got {facts.unreachable}"
    wanted = tuple(probes)
    failed = [
        f"{key}: {error}"
        for key, error in sorted(facts.errors.items())
        if any(key == p or key.startswith(p + ":") for p in wanted)
    ]
    if failed:
        return f"{facts.host}: could not look: {'; '.join(failed)}"
    return None


# --- (1) the daily backup is scheduled -------------------------------------------------------


def _cron_period(schedule: str) -> float | None:
    """Hours between runs of a cron schedule (upper bound), None when it never repeats."""
    schedule = schedule.strip()
    if schedule.startswith("@"):
        return _CRON_KEYWORDS.get(schedule.lower())
    fields = schedule.split()
    if len(fields) != 5:
        return None
    minute, hour, dom, month, dow = fields
    if month not in ("*", "*/1"):
        return 365 * DAY_HOURS
    if dom not in ("*", "*/1"):
        return 30 * DAY_HOURS
    if dow.lower() not in _EVERY_DAY_OF_WEEK:
        return 7 * DAY_HOURS
    if hour in ("*", "*/1"):
        return 1 / 60 if minute in ("*", "*/1") else 1.0
    step = re.fullmatch(r"\*/(\d+)", hour)
    return float(step.group(1)) if step else DAY_HOURS


def _span_hours(value: str) -> float | None:
    """A systemd time span (``1d``, ``12h 30min``, ``86400``) in hours."""
    text = value.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text) / 3600
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]+)", text)
    if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([a-z]+)|\s", "", text):
        return None
    seconds = 0.0
    for number, unit in parts:
        if unit not in _SPAN_UNITS:
            return None
        seconds += float(number) * _SPAN_UNITS[unit]
    return seconds / 3600


def _calendar_period(expression: str) -> float | None:
    """Hours between runs of a systemd OnCalendar expression (common forms)."""
    text = expression.strip()
    if text.lower() in _CALENDAR_SHORTHANDS:
        return _CALENDAR_SHORTHANDS[text.lower()]
    tokens = text.split()
    if tokens and re.fullmatch(r"[A-Za-z][A-Za-z.,]*", tokens[0]):
        days = tokens.pop(0).lower()
        if days not in ("mon..sun", "mon-sun", "sun..sat"):
            return 7 * DAY_HOURS
    if tokens and ":" not in tokens[-1] and "-" not in tokens[-1]:
        tokens.pop()  # a time zone (UTC, Europe/Berlin)
    date = next((t for t in tokens if "-" in t), "*-*-*")
    time_part = next((t for t in tokens if ":" in t), "00:00:00")
    parts = date.split("-")
    if len(parts) == 2:
        parts = ["*", *parts]
    if len(parts) != 3:
        return None
    _year, month, day = parts
    if month not in ("*", "*/1"):
        return 365 * DAY_HOURS
    if day not in ("*", "*/1"):
        return 30 * DAY_HOURS
    hour = time_part.split(":")[0]
    if hour in ("*", "*/1"):
        return 1.0
    step = re.fullmatch(r"(?:\d+)?/(\d+)", hour)
    return float(step.group(1)) if step else DAY_HOURS


def schedule_period_hours(entry: ScheduleEntry) -> float | None:
    """Hours between runs of one schedule entry, None when it does not repeat (or is unknown)."""
    if entry.kind == "cron-dir":
        return _CRON_DIR_PERIODS.get(entry.schedule)
    if entry.kind == "cron":
        return _cron_period(entry.schedule)
    periods = []
    for setting in entry.schedule.split(";"):
        key, _, value = setting.strip().partition("=")
        if key == "OnCalendar":
            periods.append(_calendar_period(value))
        elif key in ("OnUnitActiveSec", "OnUnitInactiveSec"):
            periods.append(_span_hours(value))
    known = [p for p in periods if p is not None]
    return min(known) if known else None


def _normal(text: str) -> str:
    return " ".join(text.split())


def _describe(entry: ScheduleEntry) -> str:
    return f"{entry.source} '{entry.schedule}'"


def backup_scheduled(facts: HostFacts, backup_command: str) -> str | None:
    """A cron entry, run-parts script or enabled timer runs ``backup_command`` at least daily."""
    if facts.unreachable:
        return cannot_look(facts)
    wanted = _normal(backup_command)
    matching = [e for e in facts.schedules if wanted in _normal(e.command)]
    problems: list[str] = []
    for entry in matching:
        period = schedule_period_hours(entry)
        if period is None or period > DAY_HOURS:
            every = "never repeats" if period is None else f"every {period:g} h"
            problems.append(f"{_describe(entry)} ({every})")
        elif not entry.enabled:
            why = "not enabled in a .wants directory" if entry.kind == "timer" else "not executable"
            problems.append(f"{_describe(entry)} ({why})")
        elif entry.kind != "timer" and facts.cron_running is False:
            problems.append(f"{_describe(entry)} (no cron daemon running)")
        else:
            return None
    expected = (
        f"{facts.host}: backup schedule: expected a cron entry or timer running "
        f"'{wanted}' at least daily"
    )
    if problems:
        return f"{expected}, got {'; '.join(problems)}"
    unreadable = cannot_look(facts, ("schedules",))
    if unreadable:
        return unreadable
    return (
        f"{expected}, got none (read /etc/crontab, /etc/cron.d, /etc/cron.<period>, "
        "/var/spool/cron/crontabs, /etc/systemd/system/*.timer)"
    )


# --- (2) free space ------------------------------------------------------------------------------


def human_bytes(count: float) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover


def newest_backup_bytes(facts: HostFacts, directory: str) -> int | None:
    """Size of the newest backup the facts saw in ``directory`` (``gather(newest_in=...)``)."""
    newest = facts.newest.get(directory)
    return newest.size if newest else None


def free_space(
    facts: HostFacts,
    path: str,
    min_bytes: int,
    newest_backup_bytes: int | None,
    multiple: float,
) -> str | None:
    """Free bytes at ``path`` (or the engine's data root) >= max(min, multiple x newest backup)."""
    subject = (
        f"{facts.host}: free space on the Docker data root {facts.docker_root or ''}".rstrip()
        if path == DOCKER_ROOT
        else f"{facts.host}: free space on {path}"
    )
    got = facts.free_at(path)
    if got is None:
        return (
            cannot_look(facts, ("free", "docker")) or f"{subject}: expected a df answer, got none"
        )
    by_backup = math.ceil(multiple * newest_backup_bytes) if newest_backup_bytes else 0
    required = max(min_bytes, by_backup)
    if got.free_bytes >= required:
        return None
    why = f"minimum {human_bytes(min_bytes)}"
    if newest_backup_bytes:
        why += f", {multiple:g} x newest backup {human_bytes(newest_backup_bytes)}"
    return (
        f"{subject}: expected at least {human_bytes(required)} ({why}), "
        f"got {human_bytes(got.free_bytes)} free of {human_bytes(got.total_bytes)} "
        f"on {got.mount_point}"
    )


# --- (3) the Docker engine ------------------------------------------------------------------------


def version_tuple(version: str) -> tuple[int, ...]:
    """'26.1.5+dfsg1' -> (26, 1, 5)."""
    match = re.match(r"v?(\d+(?:\.\d+)*)", version.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _daemon_json_here(facts: HostFacts) -> bool:
    """The engine runs on this host (its name is this host's), so /etc/docker/daemon.json is its."""
    engine = str((facts.docker_info or {}).get("Name") or "")
    return bool(engine) and engine == (facts.hostname or "")


def engine_evidence(facts: HostFacts) -> str:
    """Which source said what about the engine (for evidence, pass or fail)."""
    info = facts.docker_info or {}
    said = (
        [
            f"docker info: ServerVersion {info.get('ServerVersion')}, LoggingDriver "
            f"{info.get('LoggingDriver')}, LiveRestoreEnabled {info.get('LiveRestoreEnabled')}, "
            f"engine host {info.get('Name')}"
        ]
        if info
        else ["docker info: no answer"]
    )
    if facts.daemon_json is None:
        said.append("/etc/docker/daemon.json: absent")
    else:
        opts = facts.daemon_json.get("log-opts") or {}
        said.append(
            f"/etc/docker/daemon.json: log-opts {dict(opts) or 'none'}, live-restore "
            f"{facts.daemon_json.get('live-restore', 'unset')}"
        )
    if info and not _daemon_json_here(facts):
        said.append("(the engine is not this host, so its daemon.json is not this one)")
    return "; ".join(said)


def _log_rotation(facts: HostFacts, info: Mapping[str, Any]) -> str | None:
    driver = str(info.get("LoggingDriver") or "")
    if driver != "json-file":
        # local rotates by default; none keeps nothing; the others ship logs off the engine
        return None
    if not _daemon_json_here(facts):
        return (
            f"expected max-size in the engine's log-opts, got unknown: engine "
            f"{info.get('Name')} is not this host, so its daemon.json cannot be read here "
            f"(docker info: LoggingDriver json-file)"
        )
    opts = (facts.daemon_json or {}).get("log-opts") or {}
    if not isinstance(opts, Mapping) or not opts.get("max-size"):
        shown = (
            "no daemon.json" if facts.daemon_json is None else f"log-opts {dict(opts) or 'none'}"
        )
        return (
            f"expected log rotation (json-file with log-opts max-size), got {shown} "
            "(docker info: LoggingDriver json-file; /etc/docker/daemon.json)"
        )
    return None


def engine_settings(
    facts: HostFacts,
    min_version: str | None,
    require_log_rotation: bool,
    require_live_restore: bool,
) -> str | None:
    """Server version >= ``min_version``, json-file logs rotated, live-restore on."""
    info = facts.docker_info
    if info is None:
        return cannot_look(facts, ("docker",)) or (
            f"{facts.host}: docker engine: expected a docker client answering docker info, "
            "got no docker command"
        )
    problems = []
    version = str(info.get("ServerVersion") or "")
    if min_version and version_tuple(version) < version_tuple(min_version):
        problems.append(f"expected server version >= {min_version}, got {version} (docker info)")
    if require_log_rotation:
        problem = _log_rotation(facts, info)
        if problem:
            problems.append(problem)
    if require_live_restore and info.get("LiveRestoreEnabled") is not True:
        said = ""
        if _daemon_json_here(facts) and (facts.daemon_json or {}).get("live-restore") is True:
            said = "; daemon.json sets it, the running daemon has not read it (restart pending?)"
        problems.append(
            f"expected live-restore enabled, got LiveRestoreEnabled "
            f"{info.get('LiveRestoreEnabled')} (docker info{said})"
        )
    if not problems:
        return None
    return f"{facts.host}: docker engine: {'; '.join(problems)}"


# --- (4) the clock ------------------------------------------------------------------------------


def clock_synchronised(facts: HostFacts) -> str | None:
    """A time daemon says the clock is synchronised."""
    clock = facts.clock
    if clock is None:
        return cannot_look(facts, ("clock",)) or f"{facts.host}: clock: expected a status, got none"
    if clock.synchronised:
        return None
    return f"{facts.host}: clock: expected synchronised, got {clock.detail} ({clock.source})"


# --- (5) the .env file --------------------------------------------------------------------------


def env_file_private(facts: HostFacts, path: str, owner: str) -> str | None:
    """Where the host holds ``path``: no group/other permission bits, owned by ``owner``."""
    fact = facts.files.get(path)
    if fact is None:
        return cannot_look(facts, (f"file:{path}",)) or (
            f"{facts.host}: {path}: expected its mode and owner, got no file facts (not gathered)"
        )
    if not fact.exists:
        return None  # this host does not hold it
    problems = []
    mode = fact.mode if fact.mode is not None else 0o777
    if mode & 0o077:
        problems.append(f"mode: expected 0600 or stricter (no group/other access), got {mode:04o}")
    if owner not in (fact.user, str(fact.uid)):
        problems.append(f"owner: expected {owner}, got {fact.user} (uid {fact.uid})")
    if not problems:
        return None
    return f"{facts.host}: {path}: {'; '.join(problems)}"


# --- (6) no backend port listening ----------------------------------------------------------------


def socket_port(spec: str) -> int | None:
    """'tcp://0.0.0.0:5432' -> 5432; unix sockets -> None."""
    if spec.startswith("unix://"):
        return None
    tail = spec.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else None


def no_backend_listening(facts: HostFacts, ports: Sequence[int]) -> str | None:
    """The host listens (on any address) on none of the backend ports."""
    if facts.listening is None:
        return cannot_look(facts, ("sockets",)) or (
            f"{facts.host}: listening sockets: expected a list, got none"
        )
    wanted = set(ports)
    exposed = [spec for spec in facts.listening if socket_port(spec) in wanted]
    if not exposed:
        return None
    return (
        f"{facts.host}: listening sockets: expected none of ports {sorted(wanted)}, "
        f"got {', '.join(exposed)}"
    )
