"""The host rules on plain data: every rule passes, fails and says when it could not look."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from readiness.backends.hosts import (
    DOCKER_ROOT,
    ClockStatus,
    FileFact,
    FreeSpace,
    HostFacts,
    NewestFile,
    ScheduleEntry,
)
from readiness.parsers import host_rules as R

BACKUP = "python -m runbook.backup"
GIB = 1024**3


def cron(schedule: str, command: str = f".venv/bin/{BACKUP}", **kw: Any) -> ScheduleEntry:
    return ScheduleEntry("/etc/cron.d/backup", "cron", schedule, command, **kw)


def timer(schedule: str, *, enabled: bool = True) -> ScheduleEntry:
    return ScheduleEntry(
        "/etc/systemd/system/backup.timer", "timer", schedule, f"/opt/{BACKUP}", enabled=enabled
    )


def host(**kw: Any) -> HostFacts:
    base = HostFacts(
        "web1",
        hostname="web1",
        schedules=(cron("15 2 * * *"),),
        cron_running=True,
        free={
            "/var/backups": FreeSpace("/var/backups", 10 * GIB, 100 * GIB, "/"),
            "/var/lib/docker": FreeSpace("/var/lib/docker", 50 * GIB, 100 * GIB, "/"),
        },
        newest={"/var/backups": NewestFile("/var/backups/b.dump", GIB, 0.0)},
        docker_info={
            "Name": "web1",
            "ServerVersion": "26.1.5+dfsg1",
            "LoggingDriver": "json-file",
            "LiveRestoreEnabled": True,
            "DockerRootDir": "/var/lib/docker",
        },
        daemon_json={"log-opts": {"max-size": "10m", "max-file": "3"}, "live-restore": True},
        clock=ClockStatus(True, "chronyc tracking", "Leap status Normal"),
        files={"/srv/.env": FileFact("/srv/.env", True, 0o600, "root", 0, "root", 0, 10)},
        listening=("tcp://0.0.0.0:22", "tcp://:::22", "unix:///run/x.sock"),
    )
    return replace(base, **kw)


def test_a_healthy_host_passes_every_rule() -> None:
    facts = host()
    assert R.backup_scheduled(facts, BACKUP) is None
    assert R.free_space(facts, "/var/backups", GIB, GIB, 2) is None
    assert R.free_space(facts, DOCKER_ROOT, 10 * GIB, None, 2) is None
    assert R.engine_settings(facts, "25.0", True, True) is None
    assert R.clock_synchronised(facts) is None
    assert R.env_file_private(facts, "/srv/.env", "root") is None
    assert R.no_backend_listening(facts, [5432, 6379]) is None


# --- schedules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "hours"),
    [
        (cron("15 2 * * *"), 24),
        (cron("*/5 * * * *"), 1),
        (cron("0 */6 * * *"), 6),
        (cron("* * * * *"), 1 / 60),
        (cron("0 3 * * 0"), 168),
        (cron("0 3 * * 1-5"), 168),
        (cron("0 3 * * 0-6"), 24),
        (cron("0 3 1 * *"), 720),
        (cron("0 3 * 1 *"), 8760),
        (cron("@daily"), 24),
        (cron("@hourly"), 1),
        (cron("@weekly"), 168),
        (cron("@reboot"), None),
        (ScheduleEntry("/etc/cron.daily/b", "cron-dir", "daily", BACKUP), 24),
        (ScheduleEntry("/etc/cron.weekly/b", "cron-dir", "weekly", BACKUP), 168),
        (timer("OnCalendar=daily"), 24),
        (timer("OnCalendar=*-*-* 02:15:00"), 24),
        (timer("OnCalendar=02:15"), 24),
        (timer("OnCalendar=*-*-* *:00:00"), 1),
        (timer("OnCalendar=*-*-* 00/6:00:00"), 6),
        (timer("OnCalendar=Mon *-*-* 02:00:00"), 168),
        (timer("OnCalendar=*-*-01 02:00:00"), 720),
        (timer("OnCalendar=*-*-* 02:00:00 UTC"), 24),
        (timer("OnCalendar=weekly"), 168),
        (timer("OnUnitActiveSec=12h"), 12),
        (timer("OnUnitActiveSec=1d 12h"), 36),
        (timer("OnUnitActiveSec=86400"), 24),
        (timer("OnBootSec=5min; OnUnitActiveSec=1d"), 24),
        (timer("OnBootSec=5min"), None),
        (timer("OnCalendar=weekly; OnCalendar=daily"), 24),
    ],
    ids=lambda v: v.schedule if isinstance(v, ScheduleEntry) else str(v),
)
def test_schedule_period(entry: ScheduleEntry, hours: float | None) -> None:
    assert R.schedule_period_hours(entry) == hours


@pytest.mark.parametrize(
    "entry",
    [
        cron("@daily"),
        ScheduleEntry("crontab -u backup", "cron", "0 1 * * *", f"cd /x && {BACKUP}", "backup"),
        ScheduleEntry("/etc/cron.daily/backup", "cron-dir", "daily", f"#!/bin/sh\nexec  {BACKUP}"),
        timer("OnCalendar=daily"),
    ],
    ids=["cron", "user-crontab", "cron.daily", "timer"],
)
def test_each_kind_of_daily_schedule_passes(entry: ScheduleEntry) -> None:
    assert R.backup_scheduled(host(schedules=(entry,)), BACKUP) is None


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (host(schedules=()), "at least daily, got none (read /etc/crontab"),
        (host(schedules=(cron("0 3 * * 0"),)), "got /etc/cron.d/backup '0 3 * * 0' (every 168 h)"),
        (host(schedules=(cron("@reboot"),)), "got /etc/cron.d/backup '@reboot' (never repeats)"),
        (
            host(schedules=(timer("OnCalendar=daily", enabled=False),)),
            "'OnCalendar=daily' (not enabled in a .wants directory)",
        ),
        (
            host(
                schedules=(
                    ScheduleEntry("/etc/cron.daily/b", "cron-dir", "daily", BACKUP, enabled=False),
                )
            ),
            "/etc/cron.daily/b 'daily' (not executable)",
        ),
        (host(cron_running=False), "'15 2 * * *' (no cron daemon running)"),
        (host(schedules=(cron("15 2 * * *", "pg_dump other"),)), "got none"),
    ],
    ids=["none", "weekly", "reboot", "timer-disabled", "script-not-executable", "no-cron", "other"],
)
def test_backup_not_scheduled(facts: HostFacts, expected: str) -> None:
    message = R.backup_scheduled(facts, BACKUP)
    assert message is not None
    assert message.startswith(
        f"web1: backup schedule: expected a cron entry or timer running '{BACKUP}' at least daily"
    )
    assert expected in message


def test_one_daily_entry_is_enough_even_when_a_source_was_unreadable() -> None:
    facts = host(
        schedules=(cron("0 3 * * 0"), timer("OnCalendar=daily")),
        errors={"schedules:/var/spool/cron/crontabs": "Permission denied"},
    )
    assert R.backup_scheduled(facts, BACKUP) is None


def test_no_schedule_with_an_unreadable_source_is_could_not_look() -> None:
    facts = host(schedules=(), errors={"schedules:/var/spool/cron/crontabs": "Permission denied"})
    message = R.backup_scheduled(facts, BACKUP)
    assert message == "web1: could not look: schedules:/var/spool/cron/crontabs: Permission denied"
    assert message == R.cannot_look(facts, R.PROBES["backup_scheduled"])


# --- free space ----------------------------------------------------------------------------------


def test_free_space_below_the_minimum() -> None:
    facts = host(free={"/var/backups": FreeSpace("/var/backups", 512 * 1024**2, GIB, "/var")})
    assert R.free_space(facts, "/var/backups", GIB, None, 2) == (
        "web1: free space on /var/backups: expected at least 1.0 GiB (minimum 1.0 GiB), "
        "got 512.0 MiB free of 1.0 GiB on /var"
    )


def test_free_space_below_a_multiple_of_the_newest_backup() -> None:
    facts = host()
    newest = R.newest_backup_bytes(facts, "/var/backups")
    assert newest == GIB
    message = R.free_space(facts, "/var/backups", GIB, 6 * GIB, 2)
    assert message is not None
    assert "expected at least 12.0 GiB (minimum 1.0 GiB, 2 x newest backup 6.0 GiB)" in message
    assert "got 10.0 GiB free of 100.0 GiB on /" in message


def test_free_space_on_the_docker_root_names_it() -> None:
    message = R.free_space(host(), DOCKER_ROOT, 60 * GIB, None, 2)
    assert message is not None
    assert message.startswith("web1: free space on the Docker data root /var/lib/docker: ")


def test_free_space_could_not_look() -> None:
    facts = host(free={}, errors={"free:/var/backups": "df: /var/backups: No such file"})
    assert R.free_space(facts, "/var/backups", 1, None, 2) == (
        "web1: could not look: free:/var/backups: df: /var/backups: No such file"
    )
    remote = host(free={}, errors={"free:docker-root": "the engine runs on vm, not on this host"})
    message = R.free_space(remote, DOCKER_ROOT, 1, None, 2)
    assert message is not None
    assert "could not look: free:docker-root: the engine runs on vm" in message


# --- engine --------------------------------------------------------------------------------------


def engine(info: dict[str, Any] | None = None, **kw: Any) -> HostFacts:
    base = dict(host().docker_info or {})
    return host(docker_info={**base, **(info or {})}, **kw)


def test_engine_too_old() -> None:
    message = R.engine_settings(engine({"ServerVersion": "20.10.24+dfsg1"}), "25.0", False, False)
    assert message == (
        "web1: docker engine: expected server version >= 25.0, got 20.10.24+dfsg1 (docker info)"
    )
    assert R.engine_settings(engine({"ServerVersion": "25.0.0"}), "25", False, False) is None


def test_json_file_without_max_size_is_no_rotation() -> None:
    message = R.engine_settings(engine(daemon_json=None), None, True, False)
    assert message == (
        "web1: docker engine: expected log rotation (json-file with log-opts max-size), "
        "got no daemon.json (docker info: LoggingDriver json-file; /etc/docker/daemon.json)"
    )
    only_files = engine(daemon_json={"log-opts": {"max-file": "3"}})
    message = R.engine_settings(only_files, None, True, False)
    assert message is not None
    assert "got log-opts {'max-file': '3'}" in message


@pytest.mark.parametrize("driver", ["local", "journald", "syslog", "none"])
def test_other_log_drivers_need_no_log_opts(driver: str) -> None:
    facts = engine({"LoggingDriver": driver}, daemon_json=None)
    assert R.engine_settings(facts, None, True, False) is None


def test_live_restore_is_the_daemons_answer() -> None:
    facts = engine({"LiveRestoreEnabled": False})
    message = R.engine_settings(facts, None, False, True)
    assert message == (
        "web1: docker engine: expected live-restore enabled, got LiveRestoreEnabled False "
        "(docker info; daemon.json sets it, the running daemon has not read it (restart pending?))"
    )
    assert R.engine_settings(engine({"LiveRestoreEnabled": False}), None, False, False) is None


def test_an_engine_elsewhere_cannot_show_its_daemon_json() -> None:
    facts = engine({"Name": "vm", "LiveRestoreEnabled": False})
    message = R.engine_settings(facts, "25", True, True)
    assert message is not None
    assert "got unknown: engine vm is not this host, so its daemon.json cannot be read here" in (
        message
    )
    assert "got LiveRestoreEnabled False (docker info)" in message  # no daemon.json hint
    assert "(the engine is not this host" in R.engine_evidence(facts)


def test_no_engine_answer() -> None:
    failed = host(docker_info=None, errors={"docker": "docker info: Cannot connect"})
    assert R.engine_settings(failed, None, True, True) == (
        "web1: could not look: docker: docker info: Cannot connect"
    )
    absent = host(docker_info=None)
    assert R.engine_settings(absent, None, True, True) == (
        "web1: docker engine: expected a docker client answering docker info, got no docker command"
    )


def test_engine_evidence_names_both_sources() -> None:
    evidence = R.engine_evidence(host())
    assert evidence.startswith("docker info: ServerVersion 26.1.5+dfsg1, LoggingDriver json-file")
    assert "/etc/docker/daemon.json: log-opts {'max-size': '10m', 'max-file': '3'}" in evidence


# --- clock, .env, sockets ------------------------------------------------------------------------


def test_clock() -> None:
    unsynced = host(clock=ClockStatus(False, "chronyc tracking", "Leap status Not synchronised"))
    assert R.clock_synchronised(unsynced) == (
        "web1: clock: expected synchronised, got Leap status Not synchronised (chronyc tracking)"
    )
    unknown = host(clock=None, errors={"clock": "timeout"})
    assert R.clock_synchronised(unknown) == "web1: could not look: clock: timeout"


@pytest.mark.parametrize(
    ("fact", "expected"),
    [
        (FileFact("/srv/.env", True, 0o400, "root", 0), None),
        (FileFact("/srv/.env", True, 0o600, "app", 1000), None),  # owner "1000" by uid
        (FileFact("/srv/.env", False), None),  # this host does not hold it
        (
            FileFact("/srv/.env", True, 0o640, "root", 0),
            "web1: /srv/.env: mode: expected 0600 or stricter (no group/other access), got 0640",
        ),
        (
            FileFact("/srv/.env", True, 0o644, "www-data", 33),
            "web1: /srv/.env: mode: expected 0600 or stricter (no group/other access), got 0644; "
            "owner: expected 1000, got www-data (uid 33)",
        ),
    ],
)
def test_env_file_private(fact: FileFact, expected: str | None) -> None:
    owner = "root" if fact.user == "root" else "1000"
    assert R.env_file_private(host(files={"/srv/.env": fact}), "/srv/.env", owner) == expected


def test_env_file_not_gathered() -> None:
    message = R.env_file_private(host(files={}), "/srv/other.env", "root")
    assert message == (
        "web1: /srv/other.env: expected its mode and owner, got no file facts (not gathered)"
    )


def test_backend_ports_listening_on_any_address() -> None:
    facts = host(listening=("tcp://0.0.0.0:22", "tcp://127.0.0.1:6379", "tcp://:::5432"))
    assert R.no_backend_listening(facts, [5432, 6379]) == (
        "web1: listening sockets: expected none of ports [5432, 6379], "
        "got tcp://127.0.0.1:6379, tcp://:::5432"
    )
    assert R.no_backend_listening(host(listening=None, errors={"sockets": "no ss"}), [1]) == (
        "web1: could not look: sockets: no ss"
    )


def test_unreachable_host_is_the_message_of_every_rule() -> None:
    facts = HostFacts("web9", unreachable="ssh: connect to host 10.0.0.9 port 22: No route")
    expected = (
        "web9: reachable: expected an answer, got ssh: connect to host 10.0.0.9 port 22: No route"
    )
    assert R.cannot_look(facts) == expected
    for message in (
        R.backup_scheduled(facts, BACKUP),
        R.free_space(facts, "/x", 1, None, 2),
        R.engine_settings(facts, None, True, True),
        R.clock_synchronised(facts),
        R.env_file_private(facts, "/srv/.env", "root"),
        R.no_backend_listening(facts, [5432]),
    ):
        assert message == expected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("26.1.5+dfsg1", (26, 1, 5)), ("v20.10", (20, 10)), ("dev", ())],
)
def test_version_tuple(text: str, parsed: tuple[int, ...]) -> None:
    assert R.version_tuple(text) == parsed


def test_small_helpers() -> None:
    assert R.human_bytes(0) == "0 B"
    assert R.human_bytes(1536) == "1.5 KiB"
    assert R.socket_port("tcp://:::5432") == 5432
    assert R.socket_port("unix:///run/docker.sock") is None
