"""The host checks (HST-01..07) as an operator runs them: ``pytest`` in a subprocess against the
three SSH test hosts, through testinfra's ``--hosts`` + ``--ssh-config``, through
``--ansible-inventory`` (roles from its groups) and through the manifest's ``hosts.specs``.

Healthy fleet: READY, serially and with ``-n 3``. One planted fault per check ID (on distinct
hosts, all at once): exactly those (ID, host) pairs fail, with the fix in the output, and the
same verdict serially, with ``-n 3`` and through the inventory. A host stopped mid-suite: NOT
READY naming it, its checks Broken within the ssh connect timeout. Timings print with ``-s``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readiness.model.images import base_image
from tests.harness import ROOT, Run
from tests.hosts import fleet as F
from tests.hosts.fleet import Fleet

HOST_CHECKS = ("checks/preflight/test_hosts.py", "checks/postdeploy/test_hosts.py")
IDS = tuple(f"HST-0{n}" for n in range(1, 8))
TIMINGS: dict[str, float] = {}
SPECS = ",".join(f"ssh://{name}?timeout={F.CONNECT_TIMEOUT}" for name in F.HOSTS)


def _manifest(tmp: Path, *, specs: bool) -> Path:
    """A manifest for the fleet: a tiny compose project and the hosts section."""
    project = tmp / "project"
    project.mkdir(exist_ok=True)
    (project / "compose.yml").write_text(f"services:\n  app:\n    image: {base_image()}\n")
    env = project / ".env"
    env.write_text("X=1\n")
    env.chmod(0o600)
    lines = [
        "version: 1",
        "target: {name: host fleet, project_dir: project, project_name: rdyhostproj,",
        "         compose_files: [compose.yml]}",
        "hosts:",
    ]
    if specs:
        roles = {"rdyhost1": "[docker, backup]", "rdyhost2": "[backup]", "rdyhost3": "[backup]"}
        lines.append("  specs:")
        lines += [
            f'    - {{spec: "ssh://{n}?timeout={F.CONNECT_TIMEOUT}", roles: {roles[n]}}}'
            for n in F.HOSTS
        ]
    lines += [
        f"  env_file: {F.ENV_FILE}",
        f"  env_owner: {F.ENV_OWNER}",
        f"  backup_dir: {F.BACKUP_DIR}",
        f"  backup_command: {F.BACKUP_COMMAND}",
        "  min_free_docker_root: 64M",
        "  min_free_backup_dir: 1M",
        "  backup_size_multiple: 2",
        '  engine: {min_version: "20.10", log_rotation: true, live_restore: true}',
        f"  backend_ports: {list(F.BACKEND_PORTS)}",
    ]
    path = tmp / ("hosts.yml" if specs else "hosts-inventory-roles.yml")
    path.write_text("\n".join(lines) + "\n")
    return path


def _command(tmp: Path, results: Path, args: tuple[str, ...]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        *HOST_CHECKS,
        "-p",
        "no:randomly",
        "-v",
        f"--results-file={results}",
        f"--reports-dir={tmp / 'reports'}",
        *args,
    ]


def _read(results: Path, code: int, output: str, tmp: Path) -> Run:
    if not results.exists():
        return Run(code, "", [], output, str(tmp / "reports"))
    data = json.loads(results.read_text())
    return Run(code, data["verdict"], data["results"], output, str(tmp / "reports"))


def run_host_checks(tmp: Path, label: str, *args: str) -> Run:
    """The host checks in a subprocess (timed as ``label``); never raises on failure."""
    results = tmp / f"results-{label.replace(' ', '-')}.json"
    start = time.monotonic()
    proc = subprocess.run(
        _command(tmp, results, args),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    TIMINGS[label] = time.monotonic() - start
    return _read(results, proc.returncode, proc.stdout + proc.stderr, tmp)


def outcomes(run: Run) -> dict[tuple[str, str], str]:
    """(check, host name) -> outcome, for the host checks (the backend scheme dropped)."""
    return {
        (r["check"], r["subject"].split("://", 1)[-1]): r["outcome"]
        for r in run.results
        if r["check"] in IDS
    }


def failing(run: Run) -> set[tuple[str, str]]:
    return {key for key, outcome in outcomes(run).items() if outcome in ("failed", "broken")}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("host-checks")


@pytest.fixture(scope="module")
def ssh_args(host_fleet: Fleet, workdir: Path) -> tuple[str, ...]:
    """testinfra's own options: the host list and the ssh_config; the manifest gives roles."""
    return (
        f"--manifest={_manifest(workdir, specs=True)}",
        f"--hosts={SPECS}",
        f"--ssh-config={host_fleet.ssh_config}",
    )


@pytest.fixture(scope="module")
def healthy(workdir: Path, ssh_args: tuple[str, ...]) -> tuple[Run, Run]:
    """The healthy fleet, serially and with ``-n 3``."""
    serial = run_host_checks(workdir, "healthy, serial", *ssh_args)
    parallel = run_host_checks(workdir, "healthy, -n 3", *ssh_args, "-n", "3")
    return serial, parallel


@pytest.fixture(scope="class")
def faulty(
    host_fleet: Fleet, workdir: Path, ssh_args: tuple[str, ...], healthy: tuple[Run, Run]
) -> Iterator[tuple[dict[tuple[str, str], str], Run, Run, Run]]:
    """Every fault planted: runs over ssh serially, with ``-n 3``, and through the inventory."""
    try:
        expected = F.plant_check_faults()
        serial = run_host_checks(workdir, "faulty, serial", *ssh_args)
        parallel = run_host_checks(workdir, "faulty, -n 3", *ssh_args, "-n", "3")
        inventory = run_host_checks(
            workdir,
            "faulty, ansible inventory, serial",
            f"--manifest={_manifest(workdir, specs=False)}",
            f"--ansible-inventory={host_fleet.inventory}",
        )
        yield expected, serial, parallel, inventory
    finally:
        F.heal_check_faults(host_fleet)


def test_healthy_fleet_is_ready_serially_and_with_three_workers(healthy: tuple[Run, Run]) -> None:
    serial, parallel = healthy
    assert serial.verdict == "READY", serial.output[-3000:]
    assert serial.exit_code == 0
    passed = {key for key, outcome in outcomes(serial).items() if outcome == "passed"}
    # every host runs the every-host checks; only rdyhost1 holds the docker role
    assert {key[0] for key in passed} == set(IDS)
    assert {name for check, name in passed if check == "HST-04"} == {"rdyhost1"}
    not_applicable = {key for key, outcome in outcomes(serial).items() if outcome == "n/a"}
    assert not_applicable == {
        (c, n) for c in ("HST-02", "HST-04") for n in ("rdyhost2", "rdyhost3")
    }
    assert "test_clock_is_synchronised[ssh://rdyhost2] PASSED" in serial.output
    assert (parallel.verdict, outcomes(parallel)) == (serial.verdict, outcomes(serial))


class TestPlantedFaults:
    """All faults planted at once (healed when the class is done)."""

    def test_each_planted_fault_fails_its_check_on_its_host(
        self,
        faulty: tuple[dict[tuple[str, str], str], Run, Run, Run],
    ) -> None:
        expected, serial, _, _ = faulty
        assert serial.verdict == "NOT READY"
        assert serial.exit_code == 1
        assert failing(serial) == set(expected), serial.output[-4000:]
        assert {check for check, _ in expected} == set(IDS), "a check ID without a planted fault"
        for (check, name), fragment in expected.items():
            message = serial.message(check, f"ssh://{name}")
            assert message.startswith(f"{name}: "), message
            assert fragment in message, message
            assert outcomes(serial)[(check, name)] == "failed", (check, name)
            assert f"[{check} blocker] Fix: " in serial.output
        # the fix texts name the manifest's own command and owner
        assert f"runs `{F.BACKUP_COMMAND}` at least daily" in serial.output

    def test_faulty_verdict_is_the_same_with_three_workers_and_through_the_inventory(
        self,
        faulty: tuple[dict[tuple[str, str], str], Run, Run, Run],
    ) -> None:
        _, serial, parallel, inventory = faulty
        assert (parallel.verdict, outcomes(parallel)) == (serial.verdict, outcomes(serial))
        assert inventory.verdict == serial.verdict, inventory.output[-3000:]
        assert outcomes(inventory) == outcomes(serial)
        assert "test_env_file_is_private[ansible://rdyhost2] FAILED" in inventory.output


def test_no_hosts_means_not_applicable(host_fleet: Fleet, workdir: Path) -> None:
    """Without --hosts, an inventory or hosts.specs every host check is N/A (none passed)."""
    run = run_host_checks(workdir, "no hosts", f"--manifest={_manifest(workdir, specs=False)}")
    assert set(outcomes(run).values()) == {"n/a"}, run.output[-3000:]
    assert "no hosts: give testinfra's --hosts or --ansible-inventory" in run.output


def test_sudo_option_is_testinfras(host_fleet: Fleet, workdir: Path) -> None:
    """As ``ops`` the user crontabs are unreadable: HST-01 is Broken (could not look), not a
    pass; with testinfra's ``--sudo`` the same host is READY."""
    args = (
        f"--manifest={_manifest(workdir, specs=True)}",
        f"--hosts=ssh://ops@rdyhost3?timeout={F.CONNECT_TIMEOUT}",
        f"--ssh-config={host_fleet.ssh_config}",
    )
    plain = run_host_checks(workdir, "rdyhost3 as ops", *args)
    assert failing(plain) == {("HST-01", "rdyhost3")}, plain.output[-3000:]
    assert outcomes(plain)[("HST-01", "rdyhost3")] == "broken"
    assert "rdyhost3: could not look: schedules:/var/spool/cron/crontabs: " in plain.message(
        "HST-01"
    )
    sudo = run_host_checks(workdir, "rdyhost3 as ops with --sudo", *args, "--sudo")
    assert sudo.verdict == "READY", sudo.output[-3000:]


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("--hosts=sssh://rdyhost1", "--hosts: unknown connection type 'sssh' in 'sssh://rdyhost1'"),
        (
            "--ansible-inventory=/nonexistent/inv.ini",
            "--ansible-inventory: /nonexistent/inv.ini: no such file",
        ),
        ("--ssh-config=/nonexistent/cfg", "--ssh-config: /nonexistent/cfg: no such file"),
    ],
    ids=["hosts", "ansible-inventory", "ssh-config"],
)
def test_bad_testinfra_option_is_bad_input(workdir: Path, option: str, expected: str) -> None:
    """One line naming the option and the problem, exit 4, no traceback (no host is needed)."""
    run = run_host_checks(
        workdir, f"bad {option}", f"--manifest={_manifest(workdir, specs=True)}", option
    )
    assert run.exit_code == 4, run.output[-2000:]
    assert expected in run.output
    assert "Traceback" not in run.output


def test_host_stopped_mid_suite_is_not_ready_naming_it(host_fleet: Fleet, workdir: Path) -> None:
    """rdyhost3 is stopped once the suite reported its first result (rdyhost1's): its facts are
    read later, so each of its checks is Broken naming it within the ssh connect timeout."""
    F.close_connections(
        host_fleet, keep_dir=True
    )  # no shared connection of an earlier run to rdyhost3
    results = workdir / "results-stopped.json"
    args = (f"--manifest={_manifest(workdir, specs=True)}", f"--ssh-config={host_fleet.ssh_config}")
    proc = subprocess.Popen(
        _command(workdir, results, args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    stopped: float | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "[ssh://rdyhost1] PASSED" in line:
                F.docker("stop", "-t", "0", "rdyhost3")
                stopped = time.monotonic()
                break
        assert stopped is not None, "the suite reported no result of rdyhost1:\n" + "".join(lines)
        rest = proc.stdout.read()
        code = proc.wait(timeout=300)
        TIMINGS["stopped mid-suite: from the stop to the verdict"] = time.monotonic() - stopped
        run = _read(results, code, "".join(lines) + rest, workdir)
        assert run.verdict == "NOT READY", run.output[-3000:]
        assert run.exit_code == 1
        assert "rdyhost3" in run.output.split("VERDICT: NOT READY", 1)[1]
        broken = {k for k, outcome in outcomes(run).items() if outcome == "broken"}
        assert broken == {
            (c, "rdyhost3") for c in ("HST-01", "HST-03", "HST-05", "HST-06", "HST-07")
        }
        for result in run.results:
            if result["subject"] == "ssh://rdyhost3" and result["outcome"] == "broken":
                assert result["message"].startswith(
                    "could not check: ProbeError: rdyhost3: reachable: expected an answer, got "
                ), result["message"]
        slowest = max(r["duration"] for r in run.results if r["subject"] == "ssh://rdyhost3")
        TIMINGS["stopped mid-suite: slowest check of the stopped host"] = slowest
        assert slowest < F.CONNECT_TIMEOUT + 3, f"{slowest:.1f} s"
        assert failing(run) == broken  # the other hosts still pass
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        F.restart_host(host_fleet, "rdyhost3")


def test_timings(healthy: tuple[Run, Run]) -> None:
    """Printed for the architecture notes (``-s``)."""
    for what, seconds in sorted(TIMINGS.items()):
        print(f"TIMING host checks, {what}: {seconds:.2f} s")
    assert healthy[0].results, "no host check ran"
