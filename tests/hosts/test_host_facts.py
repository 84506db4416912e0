"""Host facts and host rules on real SSH hosts: healthy hosts pass, each planted fault fails.

Facts are gathered serially over ``ssh://`` (testinfra's ssh backend through the generated
ssh_config) and again over ``ansible://`` (testinfra reading the generated inventory). Timings are
printed (run with ``-s``) for the architecture notes and bounded by assertions.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import testinfra

from readiness.backends import hosts
from readiness.backends.hosts import DOCKER_ROOT, HostFacts
from readiness.parsers import host_rules
from tests.hosts import fleet as F
from tests.hosts.fleet import Fleet

GATHER: dict[str, Any] = {
    "free_paths": (DOCKER_ROOT, F.BACKUP_DIR),
    "file_paths": (F.ENV_FILE,),
    "newest_in": {F.BACKUP_DIR: "backup_*.dump"},
}
MIN_FREE = 1024 * 1024  # 1 MiB
MULTIPLE = 2.0
MIN_ENGINE = "20.10"
TIMINGS: dict[str, float] = {}


def judge(facts: HostFacts) -> dict[str, str | None]:
    """Every host rule on one host's facts (the engine rule separately: see the tests)."""
    newest = host_rules.newest_backup_bytes(facts, F.BACKUP_DIR)
    return {
        "backup_scheduled": host_rules.backup_scheduled(facts, F.BACKUP_COMMAND),
        "free_space": host_rules.free_space(facts, F.BACKUP_DIR, MIN_FREE, newest, MULTIPLE),
        "clock_synchronised": host_rules.clock_synchronised(facts),
        "env_file_private": host_rules.env_file_private(facts, F.ENV_FILE, F.ENV_OWNER),
        "no_backend_listening": host_rules.no_backend_listening(facts, F.BACKEND_PORTS),
    }


def gather_serially(specs: dict[str, str], **connect: Any) -> dict[str, HostFacts]:
    """name -> facts, one host after the other, each connected from its spec."""
    return {
        name: hosts.gather(hosts.connect(spec, **connect), name=name, **GATHER)
        for name, spec in specs.items()
    }


@pytest.fixture(scope="module")
def healthy(host_fleet: Fleet) -> dict[str, HostFacts]:
    """Facts of the three healthy hosts over ssh, serially (timed)."""
    start = time.monotonic()
    facts = gather_serially({name: host_fleet.spec(name) for name in F.HOSTS})
    TIMINGS["ssh: 3 healthy hosts, serial"] = time.monotonic() - start
    for name, fact in facts.items():
        TIMINGS[f"ssh: {name}"] = fact.seconds
    return facts


@pytest.fixture(scope="module")
def faulty(host_fleet: Fleet, healthy: dict[str, HostFacts]) -> Iterator[dict[str, HostFacts]]:
    """Facts over ssh after :func:`fleet.plant_faults`; the hosts are healed afterwards."""
    try:
        F.plant_faults(host_fleet)
        start = time.monotonic()
        facts = gather_serially({name: host_fleet.spec(name) for name in F.HOSTS})
        TIMINGS["ssh: 3 faulty hosts, serial"] = time.monotonic() - start
        yield facts
    finally:
        F.heal(host_fleet)


@pytest.fixture(scope="module")
def faulty_ansible(host_fleet: Fleet, faulty: dict[str, HostFacts]) -> dict[str, HostFacts]:
    """The same faulty hosts through testinfra's ansible backend (``ansible://all``)."""
    start = time.monotonic()
    connected = testinfra.get_hosts(["ansible://all"], ansible_inventory=str(host_fleet.inventory))
    TIMINGS["ansible: read inventory"] = time.monotonic() - start
    facts = hosts.gather_all(connected, **GATHER)
    TIMINGS["ansible: 3 faulty hosts, serial"] = time.monotonic() - start
    for name, fact in facts.items():
        TIMINGS[f"ansible: {name}"] = fact.seconds
    return facts


# --- healthy hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", F.HOSTS)
def test_healthy_host_passes_every_rule(healthy: dict[str, HostFacts], name: str) -> None:
    facts = healthy[name]
    assert facts.unreachable is None
    assert judge(facts) == dict.fromkeys(judge(facts)), facts.errors


def test_facts_of_a_healthy_host_are_each_read(healthy: dict[str, HostFacts]) -> None:
    one, two, three = (healthy[name] for name in F.HOSTS)
    # schedules: a cron.d line, an enabled timer with its service's ExecStart, a user crontab
    backup = [
        (e.kind, e.source, e.schedule) for e in one.schedules if "runbook.backup" in e.command
    ]
    assert backup == [("cron", "/etc/cron.d/hypercode-backup", "15 2 * * *")]
    timer = next(e for e in two.schedules if e.kind == "timer" and "hypercode" in e.source)
    assert (timer.schedule, timer.enabled) == ("OnCalendar=*-*-* 02:15:00", True)
    assert timer.command == f"/opt/hypercode/.venv/bin/{F.BACKUP_COMMAND}"
    user = next(e for e in three.schedules if e.source == "crontab -u backup")
    assert (user.schedule, user.user) == ("@daily", "backup")
    assert one.cron_running is True
    # free space and the newest backup
    assert three.free[F.BACKUP_DIR].mount_point == F.BACKUP_DIR  # the 2 MiB tmpfs
    assert three.free[F.BACKUP_DIR].total_bytes == 2 * 1024 * 1024
    newest = three.newest[F.BACKUP_DIR]
    assert newest is not None
    assert newest.size == F.NEWEST_BACKUP_BYTES
    # the engine: rdyhost1's own dockerd, rdyhost2 the machine's engine, rdyhost3 none
    assert one.docker_info is not None
    assert one.docker_info["Name"] == "rdyhost1"
    assert one.docker_info["LiveRestoreEnabled"] is True
    assert one.daemon_json is not None
    assert one.daemon_json["log-opts"]["max-size"] == "10m"
    assert one.free_at(DOCKER_ROOT) is not None
    assert two.docker_info is not None
    assert two.docker_info["Name"] != "rdyhost2"
    assert "not on this host" in two.errors[f"free:{DOCKER_ROOT}"]
    assert three.docker_info is None
    assert "Cannot connect" in three.errors["docker"]
    # the clock, the .env, the sockets
    assert one.clock is not None
    assert one.clock.source == "chronyc tracking"
    assert one.clock.synchronised
    assert "Leap status Normal" in one.clock.detail
    env = one.files[F.ENV_FILE]
    assert (env.mode, env.user, env.uid) == (0o600, "root", 0)
    assert one.listening is not None
    assert "tcp://0.0.0.0:22" in one.listening


def test_engine_settings_on_its_own_host_pass(healthy: dict[str, HostFacts]) -> None:
    """rdyhost1 runs dockerd with daemon.json log-opts and live-restore: every setting holds."""
    facts = healthy["rdyhost1"]
    assert host_rules.engine_settings(facts, MIN_ENGINE, True, True) is None
    evidence = host_rules.engine_evidence(facts)
    assert "docker info: ServerVersion 20.10" in evidence
    assert "/etc/docker/daemon.json: log-opts {'max-size': '10m', 'max-file': '3'}" in evidence


def test_engine_settings_judge_the_daemons_own_answer(healthy: dict[str, HostFacts]) -> None:
    """The machine's engine (through rdyhost2's socket) has no live-restore; its daemon.json is
    not on rdyhost2, so log rotation is unknown there; rdyhost1's 20.10 is below 25."""
    message = host_rules.engine_settings(healthy["rdyhost2"], MIN_ENGINE, True, True)
    assert message is not None
    assert message.startswith("rdyhost2: docker engine: ")
    assert "expected live-restore enabled, got LiveRestoreEnabled False (docker info)" in message
    assert "is not this host, so its daemon.json cannot be read here" in message
    too_old = host_rules.engine_settings(healthy["rdyhost1"], "25.0", False, False)
    assert too_old is not None
    assert "expected server version >= 25.0, got 20.10" in too_old
    none = host_rules.engine_settings(healthy["rdyhost3"], MIN_ENGINE, True, True)
    assert none == host_rules.cannot_look(healthy["rdyhost3"], ("docker",))
    assert none is not None
    assert "Cannot connect to the Docker daemon" in none


def test_sudo_decides_what_a_plain_user_can_read(host_fleet: Fleet) -> None:
    """As ``ops`` the user crontabs are unreadable: that probe's error, not a silent pass; with
    testinfra's sudo the same host passes. Every other probe is unaffected."""
    spec = f"ssh://ops@rdyhost3?ssh_config={host_fleet.ssh_config}&timeout={F.CONNECT_TIMEOUT}"
    plain = hosts.gather(hosts.connect(spec), name="rdyhost3", **GATHER)
    message = host_rules.backup_scheduled(plain, F.BACKUP_COMMAND)
    assert message is not None
    assert message.startswith("rdyhost3: could not look: schedules:/var/spool/cron/crontabs: ")
    assert message.endswith("Permission denied")
    assert host_rules.env_file_private(plain, F.ENV_FILE, "root") is None  # stat needs no read
    assert plain.clock is not None
    assert plain.clock.synchronised
    sudo = hosts.gather(hosts.connect(spec, sudo=True), name="rdyhost3", **GATHER)
    assert host_rules.backup_scheduled(sudo, F.BACKUP_COMMAND) is None


def test_facts_without_connection_sharing(host_fleet: Fleet, healthy: dict[str, HostFacts]) -> None:
    """One ssh connection per command (no ControlMaster): the same facts, slower (timed)."""
    host = hosts.connect(
        host_fleet.spec("rdyhost1"), ssh_extra_args="-o ControlMaster=no -o ControlPath=none"
    )
    facts = hosts.gather(host, name="rdyhost1", **GATHER)
    TIMINGS["ssh: rdyhost1 without ControlMaster"] = facts.seconds
    assert judge(facts) == judge(healthy["rdyhost1"])
    assert facts.schedules == healthy["rdyhost1"].schedules


# --- planted faults -------------------------------------------------------------------------

FAULTS = [
    ("backup_scheduled", "rdyhost1", "got none (read /etc/crontab"),
    ("backup_scheduled", "rdyhost3", "got crontab -u backup '@daily' (no cron daemon running)"),
    ("env_file_private", "rdyhost2", "expected 0600 or stricter (no group/other access), got 0644"),
    (
        "no_backend_listening",
        "rdyhost2",
        "expected none of ports [5432, 6379], got tcp://0.0.0.0:5432",
    ),
    ("clock_synchronised", "rdyhost2", "got Leap status Not synchronised"),
    ("clock_synchronised", "rdyhost3", "got no time daemon running (chronyc: 506 Cannot talk"),
    ("free_space", "rdyhost3", "expected at least 1.0 MiB (minimum 1.0 MiB, 2 x newest backup"),
    ("free_space", "rdyhost3", "256.0 KiB), got 0 B free of 2.0 MiB on /var/backups/postgres"),
]


@pytest.mark.parametrize(("rule", "name", "expected"), FAULTS)
def test_planted_fault_fails_its_rule_on_its_host(
    faulty: dict[str, HostFacts], rule: str, name: str, expected: str
) -> None:
    message = judge(faulty[name])[rule]
    assert message is not None, f"{rule} passed on {name}"
    assert message.startswith(f"{name}: ")
    assert expected in message


@pytest.mark.parametrize("rule", sorted({rule for rule, _, _ in FAULTS}))
def test_hosts_without_the_fault_still_pass(faulty: dict[str, HostFacts], rule: str) -> None:
    planted = {name for r, name, _ in FAULTS if r == rule}
    for name in set(F.HOSTS) - planted:
        assert judge(faulty[name])[rule] is None, (name, judge(faulty[name])[rule])


def test_ansible_inventory_gives_the_same_judgements(
    faulty: dict[str, HostFacts], faulty_ansible: dict[str, HostFacts]
) -> None:
    assert sorted(faulty_ansible) == sorted(F.HOSTS)
    for name in F.HOSTS:
        assert judge(faulty_ansible[name]) == judge(faulty[name]), name


# --- probes and reachability ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [("rdyhost4", "port 22: "), ("rdyhost-refusing", "port 22: Connection refused")],
    ids=["stopped-container", "refusing-address"],
)
def test_unreachable_host_is_named_within_the_bound(
    host_fleet: Fleet, name: str, reason: str
) -> None:
    start = time.monotonic()
    facts = hosts.gather(hosts.connect(host_fleet.spec(name)), **GATHER)
    elapsed = time.monotonic() - start
    TIMINGS[f"unreachable: {name}"] = elapsed
    assert facts.host == name
    assert facts.unreachable is not None
    assert reason in facts.unreachable
    assert elapsed < F.CONNECT_TIMEOUT + 2, f"{elapsed:.1f} s"
    for message in judge(facts).values():
        assert message is not None
        assert message.startswith(f"{name}: reachable: expected an answer, got ssh: connect to")
    assert host_rules.engine_settings(facts, MIN_ENGINE, True, True) == host_rules.cannot_look(
        facts
    )


def test_silent_host_is_named_within_the_bound(host_fleet: Fleet) -> None:
    """TCP accepted, no SSH banner (a hung sshd): ssh's ConnectTimeout covers the banner too."""
    F.start_silent_listener()
    start = time.monotonic()
    facts = hosts.gather(hosts.connect(host_fleet.spec("rdyhost-silent")), **GATHER)
    elapsed = time.monotonic() - start
    TIMINGS["unreachable: rdyhost-silent (no banner)"] = elapsed
    assert facts.unreachable == "Connection timed out during banner exchange"
    assert host_rules.cannot_look(facts) == (
        "rdyhost-silent: reachable: expected an answer, got Connection timed out during banner "
        "exchange"
    )
    assert elapsed < F.CONNECT_TIMEOUT + 2, f"{elapsed:.1f} s"


def test_timings(
    host_fleet: Fleet, healthy: dict[str, HostFacts], faulty_ansible: dict[str, HostFacts]
) -> None:
    """Printed for the architecture notes (``-s``); one host's facts take a few seconds at most."""
    TIMINGS["harness: bring-up (reused)" if host_fleet.reused else "harness: bring-up"] = (
        host_fleet.bringup_seconds
    )
    if host_fleet.image_build_seconds is not None:
        TIMINGS["harness: image build"] = host_fleet.image_build_seconds
    for what, seconds in sorted(TIMINGS.items()):
        print(f"TIMING {what}: {seconds:.2f} s")
    assert max(f.seconds for f in healthy.values()) < 10
