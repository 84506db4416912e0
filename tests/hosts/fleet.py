"""Real SSH test hosts for the host-level checks: three Debian containers on their own network.

``rdyhost1..3`` run openssh-server, cron and chronyd (``-x``: never sets the shared clock) synced
to ``rdyhosts-ntp``, a chrony server on the same network. Nothing is published: the host reaches
the containers' addresses on ``rdyhosts-net`` directly (Linux). A fresh ed25519 key is generated
per session and authorised for root and for ``ops`` (sudo without password).

Each host holds a different, healthy setup that the faults in :func:`plant_faults` break:

==========  ===================================================  ================================
host        backup schedule / engine                             planted faults
==========  ===================================================  ================================
rdyhost1    ``/etc/cron.d/hypercode-backup``; its own dockerd    cron entry removed
            (privileged, daemon.json with log-opts, live-restore)
rdyhost2    systemd timer + service (enabled); ``docker`` client .env chmod 644, a listener on
            on the machine's engine (mounted socket, read only)  5432, chronyd with no real server
rdyhost3    ``crontab -u backup`` (@daily); docker client, no    backup tmpfs (2 MiB) filled,
            engine; backup dir is a 2 MiB tmpfs                  chronyd and cron stopped
==========  ===================================================  ================================

:func:`provision` resets every host to that healthy state, so a running set can be reused.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests import images

IMAGE = "readiness-test/sshd:1"
NETWORK = "rdyhosts-net"
LABEL = "com.readiness.test=hosts"
HOSTS = ("rdyhost1", "rdyhost2", "rdyhost3")
NTP = "rdyhosts-ntp"
SPARE = "rdyhost4"  # started then stopped: an address where nothing answers any more
CONNECT_TIMEOUT = 3
SILENT_PORT = 2222
IMAGE_DIR = Path(__file__).resolve().parent / "image"

# The planted deployment (what a manifest would name).
BACKUP_COMMAND = "python -m runbook.backup"
BACKUP_DIR = "/var/backups/postgres"
NEWEST_BACKUP = f"{BACKUP_DIR}/backup_20250101_021500.dump"
NEWEST_BACKUP_BYTES = 256 * 1024
ENV_FILE = "/opt/hypercode/.env"
ENV_OWNER = "root"
BACKEND_PORTS = (5432, 6379)

_DAEMON_JSON = {
    "log-driver": "json-file",
    "log-opts": {"max-size": "10m", "max-file": "3"},
    "live-restore": True,
    # only `docker info` is asked of this engine: no bridge, no iptables in the container
    "iptables": False,
    "bridge": "none",
}

_COMMON = f"""
set -e
for home in /root /home/ops; do
    printf '%s\\n' "$RDY_KEY" > "$home/.ssh/authorized_keys"
    chmod 600 "$home/.ssh/authorized_keys"
done
chown -R ops:ops /home/ops/.ssh
mkdir -p /opt/hypercode {BACKUP_DIR}
printf 'POSTGRES_PASSWORD=test-only-not-a-secret\\n' > {ENV_FILE}
chown root:root {ENV_FILE}; chmod 600 {ENV_FILE}
rm -f {BACKUP_DIR}/fill /var/lib/docker/rdy-fill
[ -f {NEWEST_BACKUP} ] || head -c {NEWEST_BACKUP_BYTES} /dev/urandom > {NEWEST_BACKUP}
if [ -f /run/rdy-listener.pid ]; then
    kill "$(cat /run/rdy-listener.pid)" 2>/dev/null || true; rm -f /run/rdy-listener.pid
fi
printf 'server {NTP} iburst minpoll 0 maxpoll 2\\ndriftfile /var/lib/chrony/chrony.drift\\n' \\
    > /etc/chrony/chrony.conf
if [ -f /run/chrony/chronyd.pid ] && kill -0 "$(cat /run/chrony/chronyd.pid)" 2>/dev/null; then
    if ! grep -q '{NTP}' /run/rdy-chrony-server 2>/dev/null; then
        kill "$(cat /run/chrony/chronyd.pid)"; sleep 1
        chronyd -x -f /etc/chrony/chrony.conf
    fi
else
    chronyd -x -f /etc/chrony/chrony.conf
fi
echo {NTP} > /run/rdy-chrony-server
[ -f /run/crond.pid ] && kill -0 "$(cat /run/crond.pid)" 2>/dev/null || cron
"""

_SCHEDULES = {
    "rdyhost1": f"""
printf '%s\\n' 'SHELL=/bin/sh' \\
  '15 2 * * * root cd /opt/hypercode && .venv/bin/{BACKUP_COMMAND} >>/var/log/backup.log 2>&1' \\
  > /etc/cron.d/hypercode-backup
mkdir -p /etc/docker
printf '%s\\n' {shlex.quote(json.dumps(_DAEMON_JSON))} > /etc/docker/daemon.json
if ! docker info >/dev/null 2>&1; then
    (setsid dockerd >/var/log/dockerd.log 2>&1 &)
fi
""",
    "rdyhost2": f"""
d=/etc/systemd/system
mkdir -p $d/timers.target.wants
printf '%s\\n' '[Unit]' 'Description=Daily HyperCode backup' '[Timer]' \\
  'OnCalendar=*-*-* 02:15:00' 'Persistent=true' '[Install]' 'WantedBy=timers.target' \\
  > $d/hypercode-backup.timer
printf '%s\\n' '[Unit]' 'Description=HyperCode backup' '[Service]' 'Type=oneshot' \\
  'WorkingDirectory=/opt/hypercode' 'ExecStart=/opt/hypercode/.venv/bin/{BACKUP_COMMAND}' \\
  > $d/hypercode-backup.service
ln -sf $d/hypercode-backup.timer $d/timers.target.wants/hypercode-backup.timer
""",
    "rdyhost3": f"""
printf '%s\\n' '@daily cd /opt/hypercode && .venv/bin/{BACKUP_COMMAND}' | crontab -u backup -
""",
}


@dataclass(frozen=True)
class Fleet:
    """A running set of test hosts and the files a client needs to reach them."""

    addresses: dict[str, str]  # name -> address on rdyhosts-net (hosts, ntp, spare)
    workdir: Path
    key: Path
    ssh_config: Path
    inventory: Path
    control_dir: Path
    image_build_seconds: float | None  # None: the image was already there
    bringup_seconds: float
    reused: bool

    def spec(self, name: str, *, timeout: int = CONNECT_TIMEOUT) -> str:
        """A testinfra ``ssh://`` host spec for ``name`` through the generated ssh_config."""
        return f"ssh://{name}?ssh_config={self.ssh_config}&timeout={timeout}"

    def ansible_spec(self, name: str) -> str:
        """A testinfra ``ansible://`` host spec for ``name`` through the generated inventory."""
        return f"ansible://{name}?ansible_inventory={self.inventory}"


def docker(*args: str, check: bool = True, timeout: float = 120) -> str:
    """``docker <args>`` on the machine's engine; stdout."""
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, check=False, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)}: {proc.stderr.strip() or proc.stdout}")
    return proc.stdout


def exec_sh(
    name: str, script: str, *, env: dict[str, str] | None = None, check: bool = True
) -> str:
    """Run a shell script as root in one of our containers (harness side, not a probe)."""
    flags = [arg for key, value in (env or {}).items() for arg in ("-e", f"{key}={value}")]
    return docker("exec", *flags, name, "sh", "-c", script, check=check)


def ensure_image() -> float | None:
    """Build this test's image unless built from its context already; seconds or None."""
    return images.ensure_image(IMAGE, IMAGE_DIR, LABEL)


def _running(name: str) -> bool:
    out = docker(
        "inspect",
        "-f",
        '{{.State.Running}} {{index .Config.Labels "com.readiness.test"}}',
        name,
        check=False,
    ).strip()
    return out == "true hosts"


def _address(name: str) -> str:
    fmt = f'{{{{(index .NetworkSettings.Networks "{NETWORK}").IPAddress}}}}'
    return docker("inspect", "-f", fmt, name).strip()


def _start(name: str, *extra: str) -> None:
    docker("rm", "-f", name, check=False)  # a stopped leftover of ours (names are ours alone)
    docker(
        "run",
        "-d",
        "--name",
        name,
        "--hostname",
        name,
        "--network",
        NETWORK,
        "--label",
        LABEL,
        *extra,
        IMAGE,
    )


def _host_options(name: str) -> list[str]:
    if name == "rdyhost1":  # its own engine: privileged, data root on a tmpfs
        return ["--privileged", "--tmpfs", "/var/lib/docker:size=512m"]
    if name == "rdyhost2":  # the machine's engine; only `docker info` is ever asked
        return ["-v", "/var/run/docker.sock:/var/run/docker.sock"]
    return ["--tmpfs", f"{BACKUP_DIR}:size=2m"]


def _ours(kind: str, name: str) -> bool:
    """The container or network ``name`` exists and carries our label."""
    labels = "{{.Config.Labels}}" if kind == "container" else "{{.Labels}}"
    fmt = labels.replace("}}", ' "com.readiness.test"}}').replace("{{", "{{index ")
    return docker(kind, "inspect", "-f", fmt, name, check=False).strip() == "hosts"


def provision(name: str, key: str) -> None:
    """Reset one host to its healthy state (idempotent)."""
    exec_sh(name, _COMMON + _SCHEDULES[name], env={"RDY_KEY": key})


def wait_for(what: str, condition: Callable[[], bool], timeout: float) -> None:
    """Poll ``condition`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(0.5)


def clock_synced(name: str) -> bool:
    """chronyc on ``name`` reports Leap status Normal."""
    out = exec_sh(name, "chronyc -n tracking 2>&1 || true")
    return "Leap status     : Normal" in out


def _ssh_ok(fleet: Fleet, name: str) -> bool:
    proc = subprocess.run(
        ["ssh", "-F", str(fleet.ssh_config), "-o", "ControlMaster=no", name, "true"],
        capture_output=True,
        check=False,
        timeout=30,
    )
    return proc.returncode == 0


def _write_client_files(workdir: Path, addresses: dict[str, str]) -> tuple[Path, Path, Path, Path]:
    key = workdir / "id_ed25519"
    if not key.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "readiness-test", "-f", str(key)],
            check=True,
        )
    # short: a ControlPath socket name must fit in sun_path (108 bytes)
    control = Path(tempfile.mkdtemp(prefix="rdycm-", dir="/tmp"))
    common = (
        f"User root\n  IdentityFile {key}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n"
        f"  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  ConnectTimeout {CONNECT_TIMEOUT}\n"
        f"  ControlPath {control}/%C\n"
        # a shared (ControlMaster) connection to a host that died is given up within ~4 s
        "  ServerAliveInterval 2\n  ServerAliveCountMax 2\n"
    )
    names = {
        **{h: addresses[h] for h in HOSTS},
        SPARE: addresses[SPARE],
        "rdyhost-refusing": addresses[NTP],
    }
    config = workdir / "ssh_config"
    config.write_text(
        "".join(f"Host {name}\n  HostName {ip}\n  {common}\n" for name, ip in names.items())
        # accepts TCP and never speaks SSH (see start_silent_listener)
        + f"Host rdyhost-silent\n  HostName {addresses['rdyhost2']}\n  Port {SILENT_PORT}\n"
        + f"  {common}\n"
    )
    ssh_args = (
        f"-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes "
        f"-o LogLevel=ERROR -o ConnectTimeout={CONNECT_TIMEOUT} -o ControlPath={control}/%C "
        "-o ServerAliveInterval=2 -o ServerAliveCountMax=2"
    )
    inventory = workdir / "inventory.ini"
    inventory.write_text(
        "[rdyhosts]\n"
        + "".join(f"{h} ansible_host={addresses[h]}\n" for h in HOSTS)
        + "\n[rdyhosts:vars]\nansible_user=root\n"
        + f"ansible_ssh_private_key_file={key}\n"
        + f"ansible_ssh_common_args='{ssh_args}'\n"
        + "ansible_python_interpreter=/usr/bin/python3\n"
        # roles as inventory groups (the host checks read them when the manifest lists no roles)
        + "\n[docker]\nrdyhost1\n\n[backup]\n"
        + "".join(f"{h}\n" for h in HOSTS)
    )
    return key, config, inventory, control


def hosts_up(workdir: Path) -> Fleet:
    """Build (once), start or reuse, provision and wait for the hosts; idempotent."""
    start = time.monotonic()
    build_seconds = ensure_image()
    if not docker("network", "ls", "-q", "-f", f"name=^{NETWORK}$").strip():
        docker("network", "create", "--label", LABEL, NETWORK)
    elif not _ours("network", NETWORK):
        raise RuntimeError(f"network {NETWORK} exists and is not ours (no label {LABEL})")
    reused = True
    for name in (NTP, *HOSTS):
        if _running(name) and build_seconds is None:
            continue
        if docker("ps", "-aq", "-f", f"name=^{name}$").strip() and not _ours("container", name):
            raise RuntimeError(f"container {name} exists and is not ours (no label {LABEL})")
        reused = False
        _start(name, *(["-e", "RDY_ROLE=ntp"] if name == NTP else _host_options(name)))
    spare_ip = _spare_address()
    addresses = {name: _address(name) for name in (NTP, *HOSTS)} | {SPARE: spare_ip}
    workdir.mkdir(parents=True, exist_ok=True)
    key, config, inventory, control = _write_client_files(workdir, addresses)
    public_key = (workdir / "id_ed25519.pub").read_text().strip()
    for name in HOSTS:
        provision(name, public_key)
    fleet = Fleet(addresses, workdir, key, config, inventory, control, build_seconds, 0.0, reused)
    for name in HOSTS:
        wait_for(f"sshd on {name}", lambda n=name: _ssh_ok(fleet, n), 60)  # type: ignore[misc]
        wait_for(f"chrony sync on {name}", lambda n=name: clock_synced(n), 90)  # type: ignore[misc]
    wait_for(
        "dockerd on rdyhost1",
        lambda: (
            exec_sh("rdyhost1", "docker info >/dev/null 2>&1 && echo ok", check=False).strip()
            == "ok"
        ),
        90,
    )
    return Fleet(
        addresses,
        workdir,
        key,
        config,
        inventory,
        control,
        build_seconds,
        time.monotonic() - start,
        reused,
    )


def _spare_address() -> str:
    """Start the spare, note its address, stop it: ssh to that address then finds nobody."""
    _start(SPARE)
    address = _address(SPARE)
    docker("stop", "-t", "1", SPARE)
    return address


def close_connections(fleet: Fleet, *, keep_dir: bool = False) -> None:
    """Stop the session's shared ssh connections (ControlMaster) and remove their sockets
    (``keep_dir``: keep the socket directory for later connections)."""
    for name in HOSTS:
        subprocess.run(
            ["ssh", "-F", str(fleet.ssh_config), "-O", "exit", name],
            capture_output=True,
            check=False,
            timeout=10,
        )
    if not keep_dir:
        shutil.rmtree(fleet.control_dir, ignore_errors=True)


def hosts_down(fleet: Fleet | None = None) -> None:
    """Remove our containers and network (by name, each checked to carry our label)."""
    if fleet is not None:
        close_connections(fleet)
    for name in (*HOSTS, NTP, SPARE):
        if _ours("container", name):
            docker("rm", "-f", name, check=False)
    if _ours("network", NETWORK):
        docker("network", "rm", NETWORK, check=False)


@contextlib.contextmanager
def running_hosts(workdir: Path) -> Iterator[Fleet]:
    """The hosts up for the block; removed afterwards unless READINESS_KEEP_HOSTS=1 (then they
    are reset to healthy for the next session, which reuses them)."""
    fleet: Fleet | None = None
    try:
        fleet = hosts_up(workdir)
        yield fleet
    finally:
        if os.environ.get("READINESS_KEEP_HOSTS") != "1":
            hosts_down(fleet)
        elif fleet is not None:
            close_connections(fleet)
            for name in HOSTS:
                provision(name, (fleet.workdir / "id_ed25519.pub").read_text().strip())


# --- planted faults ----------------------------------------------------------------------------


def start_listener(name: str, port: int) -> None:
    """A real TCP listener on ``port`` (python3 -m http.server), its pid kept for provision."""
    docker(
        "exec",
        "-d",
        name,
        "sh",
        "-c",
        f"echo $$ > /run/rdy-listener.pid; exec python3 -m http.server {port}",
    )
    wait_for(f"listener on {name}:{port}", lambda: f":{port} " in exec_sh(name, "ss -Hltn"), 20)


def start_silent_listener(name: str = "rdyhost2", port: int = SILENT_PORT) -> None:
    """A socket that completes TCP handshakes and never says a word (a hung sshd), for 60 s."""
    script = (
        "import socket, time; s = socket.socket(); "
        "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
        f"s.bind(('0.0.0.0', {port})); s.listen(); time.sleep(60)"
    )
    if f":{port} " not in exec_sh(name, "ss -Hltn"):
        docker("exec", "-d", name, "python3", "-c", script)
    wait_for(
        f"silent listener on {name}:{port}", lambda: f":{port} " in exec_sh(name, "ss -Hltn"), 20
    )


def plant_faults(fleet: Fleet) -> dict[str, tuple[str, ...]]:
    """Break each healthy host in its own ways; returns host -> faults (for the tests' ids)."""
    exec_sh("rdyhost1", "rm -f /etc/cron.d/hypercode-backup")
    exec_sh("rdyhost2", f"chmod 644 {ENV_FILE}")
    start_listener("rdyhost2", BACKEND_PORTS[0])
    # chronyd runs, but its only server (rdyhost1, our own container) answers no NTP
    exec_sh(
        "rdyhost2",
        f"""
kill "$(cat /run/chrony/chronyd.pid)"; sleep 1
printf 'server %s iburst minpoll 0 maxpoll 2\\n' {fleet.addresses["rdyhost1"]} \\
    > /etc/chrony/chrony.conf
echo none > /run/rdy-chrony-server
chronyd -x -f /etc/chrony/chrony.conf
""",
    )
    exec_sh("rdyhost3", f"dd if=/dev/zero of={BACKUP_DIR}/fill bs=64k 2>/dev/null || true")
    exec_sh("rdyhost3", 'kill "$(cat /run/chrony/chronyd.pid)" "$(cat /run/crond.pid)"')
    wait_for(
        "rdyhost3 chronyd stopped",
        lambda: "506" in exec_sh("rdyhost3", "chronyc -n tracking 2>&1 || true"),
        20,
    )
    return {
        "rdyhost1": ("backup cron entry removed",),
        "rdyhost2": (".env chmod 644", "listener on 5432", "chronyd without a server"),
        "rdyhost3": ("backup tmpfs full", "chronyd stopped", "cron stopped"),
    }


def heal(fleet: Fleet) -> None:
    """Undo :func:`plant_faults` (provision every host again)."""
    public_key = (fleet.workdir / "id_ed25519.pub").read_text().strip()
    for name in HOSTS:
        provision(name, public_key)
    for name in HOSTS:
        wait_for(f"chrony sync on {name}", lambda n=name: clock_synced(n), 90)  # type: ignore[misc]


# --- planted faults for the host checks of the suite (one per check ID, on distinct hosts) -------

DOCKER_ROOT_FILL = "/var/lib/docker/rdy-fill"


def restart_dockerd(name: str = "rdyhost1") -> None:
    """Restart the host's own dockerd so it reads daemon.json again; wait until it answers."""
    exec_sh(
        name,
        'pid=$(pidof dockerd || true); [ -z "$pid" ] || kill $pid; '
        "while pidof dockerd >/dev/null; do sleep 0.2; done; "
        "rm -f /var/run/docker.pid; (setsid dockerd >/var/log/dockerd.log 2>&1 &)",
    )
    wait_for(
        f"dockerd on {name}",
        lambda: (
            exec_sh(name, "docker info >/dev/null 2>&1 && echo ok", check=False).strip() == "ok"
        ),
        90,
    )


def plant_check_faults() -> dict[tuple[str, str], str]:
    """One real fault per host check ID; returns (check ID, host) -> what the message must say.

    rdyhost1: backup cron entry removed (HST-01), dockerd restarted without live-restore
    (HST-04), its data-root tmpfs filled (HST-02); rdyhost2: .env chmod 644 (HST-06), a listener
    on 5432 (HST-07); rdyhost3: backup tmpfs filled (HST-03), chronyd stopped (HST-05).
    """
    exec_sh("rdyhost1", "rm -f /etc/cron.d/hypercode-backup")
    settings = {**_DAEMON_JSON, "live-restore": False}
    exec_sh(
        "rdyhost1",
        f"printf '%s\\n' {shlex.quote(json.dumps(settings))} > /etc/docker/daemon.json",
    )
    restart_dockerd("rdyhost1")
    exec_sh("rdyhost1", f"dd if=/dev/zero of={DOCKER_ROOT_FILL} bs=1M 2>/dev/null || true")
    exec_sh("rdyhost2", f"chmod 644 {ENV_FILE}")
    start_listener("rdyhost2", BACKEND_PORTS[0])
    exec_sh("rdyhost3", f"dd if=/dev/zero of={BACKUP_DIR}/fill bs=64k 2>/dev/null || true")
    exec_sh("rdyhost3", 'kill "$(cat /run/chrony/chronyd.pid)"')
    wait_for(
        "rdyhost3 chronyd stopped",
        lambda: "506" in exec_sh("rdyhost3", "chronyc -n tracking 2>&1 || true"),
        20,
    )
    return {
        ("HST-01", "rdyhost1"): "got none (read /etc/crontab",
        ("HST-02", "rdyhost1"): "expected at least 64.0 MiB (minimum 64.0 MiB",
        ("HST-04", "rdyhost1"): "expected live-restore enabled, got LiveRestoreEnabled False",
        ("HST-06", "rdyhost2"): "expected 0600 or stricter (no group/other access), got 0644",
        ("HST-07", "rdyhost2"): "expected none of ports [5432, 6379], got tcp://0.0.0.0:5432",
        ("HST-03", "rdyhost3"): "got 0 B free of 2.0 MiB on /var/backups/postgres",
        ("HST-05", "rdyhost3"): "got no time daemon running",
    }


def heal_check_faults(fleet: Fleet) -> None:
    """Undo :func:`plant_check_faults`: provision every host, dockerd reads daemon.json again."""
    heal(fleet)
    restart_dockerd("rdyhost1")


def restart_host(fleet: Fleet, name: str) -> None:
    """Start a stopped host again and provision it; the client files are rewritten only if its
    address changed (then through :func:`hosts_up`, which makes a new ControlPath directory)."""
    docker("start", name)
    # pid files of the processes that died with the container (their pids may be reused now)
    exec_sh(name, "rm -f /run/chrony/chronyd.pid /run/crond.pid /run/rdy-listener.pid")
    if _address(name) != fleet.addresses[name]:
        hosts_up(fleet.workdir)
        return
    provision(name, (fleet.workdir / "id_ed25519.pub").read_text().strip())
    wait_for(f"sshd on {name}", lambda: _ssh_ok(fleet, name), 60)
    wait_for(f"chrony sync on {name}", lambda: clock_synced(name), 90)
