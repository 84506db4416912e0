"""A real three-node Docker Swarm for the Swarm tests: docker-in-docker nodes on their own network.

Why docker-in-docker and not the machine's engine: ``docker swarm init`` / ``leave`` on the engine
that runs the compose reference stack broke name resolution inside that stack (see issue 11), so
Swarm gets engines of its own. ``rdyswarm-manager``, ``rdyswarm-worker1`` and ``rdyswarm-worker2``
are privileged containers built from the local Debian base with Debian's docker.io (engine 20.10),
each with its data root on a volume (overlay2 needs a real filesystem under it) and joined to
``rdyswarm-net``. Nothing is published.

How the host reaches them: each node's dockerd listens on a unix socket in ``/run/rdy``, a
directory bind-mounted from ``/tmp/rdyswarm/<node>`` on the host, so the suite talks to a node with
``DOCKER_HOST=unix:///tmp/rdyswarm/<node>/docker.sock``: no TCP port, no TLS material to generate,
and only root on this machine can use it (like the machine's own socket). Swarm's own traffic
(2377, 7946, 4789/vxlan) stays on ``rdyswarm-net``.

Images: no registry is reachable, so the images a stack needs are saved once from the machine's
engine (``docker save``, one tar with shared layers once) and loaded into every node
(``docker load``); a node that already holds the same image ID is skipped.

What this kernel lacks: IPVS (``CONFIG_IP_VS`` is off), so a service's virtual IP and the ingress
routing mesh do not route here (measured: ``redis-cli -h <service>`` "No route to host", an
ingress-published port refuses). Stacks deployed by these tests therefore use
``endpoint_mode: dnsrr`` and host-mode published ports (the reference stack through
``readiness/operations/swarm_render.py``); tasks, overlay networks, health, rollouts and
rollbacks are otherwise the real thing.

``READINESS_KEEP_SWARM=1`` leaves the nodes running after the session (and a later session reuses
them); without it, containers, volumes, network and socket directories are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests import images

IMAGE = "readiness-test/dind:1"
NETWORK = "rdyswarm-net"
LABEL = "com.readiness.test=swarm"
MANAGER = "rdyswarm-manager"
WORKERS = ("rdyswarm-worker1", "rdyswarm-worker2")
NODES = (MANAGER, *WORKERS)
SOCKETS = Path("/tmp/rdyswarm")
IMAGE_DIR = Path(__file__).resolve().parent / "image"
KEEP_ENV = "READINESS_KEEP_SWARM"
SHARED = Path(__file__).resolve().parents[2] / "stack"
"""Bind-mounted read-only into every node at the same path: the files a stack's services mount
from the project directory (nginx.conf, certificates, Prometheus rules) exist on every node."""


@dataclass
class Swarm:
    """A running test Swarm: node addresses and the engine URL of each node."""

    addresses: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    reused: bool = False

    def url(self, node: str = MANAGER) -> str:
        """``DOCKER_HOST`` of ``node``'s engine (a unix socket on this machine)."""
        return f"unix://{SOCKETS / node / 'docker.sock'}"

    @property
    def manager_url(self) -> str:
        """The manager's engine: every Swarm API call of the backend goes here."""
        return self.url(MANAGER)

    def docker(
        self, *args: str, node: str = MANAGER, check: bool = True, timeout: float = 180
    ) -> str:
        """``docker <args>`` against one node's engine; stdout."""
        return docker(*args, host=self.url(node), check=check, timeout=timeout)


def docker(
    *args: str, host: str = "", check: bool = True, timeout: float = 180, stdin: bytes | None = None
) -> str:
    """``docker <args>`` on the machine's engine, or on ``host``; stdout."""
    env = {**os.environ}
    env.pop("DOCKER_HOST", None)
    if host:
        env["DOCKER_HOST"] = host
    proc = subprocess.run(
        ["docker", *args],
        capture_output=True,
        input=stdin,
        check=False,
        timeout=timeout,
        env=env,
    )
    out = proc.stdout.decode(errors="replace")
    if check and proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"docker {' '.join(args[:4])} ({host or 'machine'}): {err or out}")
    return out


def ensure_image() -> float | None:
    """Build this test's image unless built from its context already; seconds or None."""
    return images.ensure_image(IMAGE, IMAGE_DIR, LABEL)


def wait_for(what: str, condition: Callable[[], bool], timeout: float, poll: float = 0.5) -> None:
    """Poll ``condition`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(poll)


def _running(name: str) -> bool:
    fmt = (
        '{{.State.Running}} {{index .Config.Labels "com.readiness.test"}} '
        "{{range .Mounts}}{{.Destination}} {{end}}"
    )
    out = docker("inspect", "-f", fmt, name, check=False).split()
    return out[:2] == ["true", "swarm"] and str(SHARED) in out[2:]


def _address(name: str) -> str:
    fmt = f'{{{{(index .NetworkSettings.Networks "{NETWORK}").IPAddress}}}}'
    return docker("inspect", "-f", fmt, name).strip()


def _start(name: str) -> None:
    docker("rm", "-f", name, check=False)  # a stopped leftover of ours (the names are ours)
    sockets = SOCKETS / name
    sockets.mkdir(parents=True, exist_ok=True)
    docker(
        "run", "-d", "--privileged", "--name", name, "--hostname", name,
        "--network", NETWORK, "--label", LABEL,
        "-v", f"{name}-data:/var/lib/docker", "-v", f"{sockets}:/run/rdy",
        "-v", f"{SHARED}:{SHARED}:ro",
        IMAGE,
    )  # fmt: skip


def _engine_up(swarm: Swarm, node: str) -> bool:
    return bool(swarm.docker("version", "-f", "{{.Server.Version}}", node=node, check=False))


def _swarm_state(swarm: Swarm, node: str) -> str:
    fmt = "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"
    return swarm.docker("info", "-f", fmt, node=node, check=False).strip()


def _form_swarm(swarm: Swarm) -> None:
    """``swarm init`` on the manager and ``join`` on each worker (idempotent)."""
    if _swarm_state(swarm, MANAGER) != "active true":
        swarm.docker("swarm", "leave", "--force", check=False)
        swarm.docker("swarm", "init", "--advertise-addr", swarm.addresses[MANAGER])
    token = swarm.docker("swarm", "join-token", "-q", "worker").strip()
    for worker in WORKERS:
        if _swarm_state(swarm, worker) == "active false":
            continue
        swarm.docker("swarm", "leave", "--force", node=worker, check=False)
        swarm.docker(
            "swarm", "join", "--token", token, f"{swarm.addresses[MANAGER]}:2377", node=worker
        )
    wait_for("swarm nodes Ready", lambda: _all_ready(swarm), 60)


def _all_ready(swarm: Swarm) -> bool:
    out = swarm.docker("node", "ls", "--format", "{{.Status}}", check=False).split()
    return len(out) == len(NODES) and all(s == "Ready" for s in out)


def load_images(swarm: Swarm, images: Sequence[str]) -> float:
    """Hand ``images`` from the machine's engine to every node (save once, load per node)."""
    start = time.monotonic()
    ids = {img: docker("image", "inspect", "-f", "{{.Id}}", img).strip() for img in images}

    def missing(node: str) -> list[str]:
        return [
            img
            for img in images
            if swarm.docker(
                "image", "inspect", "-f", "{{.Id}}", img, node=node, check=False
            ).strip()
            != ids[img]
        ]

    wanted = {node: missing(node) for node in NODES}
    needed = sorted({img for imgs in wanted.values() for img in imgs})
    if not needed:
        return 0.0
    tar = SOCKETS / f"images-{hashlib.sha256(' '.join(needed).encode()).hexdigest()[:12]}.tar"
    try:
        docker("save", "-o", str(tar), *needed, timeout=600)
        with ThreadPoolExecutor(len(NODES)) as pool:
            list(
                pool.map(
                    lambda node: (
                        swarm.docker("load", "-q", "-i", str(tar), node=node, timeout=900)
                        if wanted[node]
                        else ""
                    ),
                    NODES,
                )
            )
    finally:
        tar.unlink(missing_ok=True)
    return time.monotonic() - start


def _bring_up() -> Swarm:
    timings: dict[str, float] = {}
    built = ensure_image()
    if built is not None:
        timings["image build"] = built
    reused = all(_running(n) for n in NODES)
    start = time.monotonic()
    if not reused:
        if not docker("network", "inspect", "-f", "{{.Name}}", NETWORK, check=False).strip():
            docker("network", "create", "--label", LABEL, NETWORK)
        for node in NODES:
            if not _running(node):
                _start(node)
    swarm = Swarm({n: _address(n) for n in NODES}, timings, reused)
    for node in NODES:
        wait_for(f"engine of {node}", lambda node=node: _engine_up(swarm, node), 60)  # type: ignore[misc]
    timings["nodes up"] = time.monotonic() - start
    start = time.monotonic()
    _form_swarm(swarm)
    timings["swarm init+join"] = time.monotonic() - start
    return swarm


def tear_down() -> None:
    """Remove every node, its volume and socket directory, and the network (ours only)."""
    for node in NODES:
        docker("rm", "-f", "-v", node, check=False, timeout=120)
        docker("volume", "rm", f"{node}-data", check=False)
        with contextlib.suppress(OSError):
            for path in sorted((SOCKETS / node).glob("*")):
                path.unlink()
            (SOCKETS / node).rmdir()
    docker("network", "rm", NETWORK, check=False)


@contextlib.contextmanager
def running_swarm() -> Iterator[Swarm]:
    """A formed three-node Swarm for the duration of the block (kept with READINESS_KEEP_SWARM)."""
    swarm = _bring_up()
    try:
        yield swarm
    finally:
        if os.environ.get(KEEP_ENV, "") in ("", "0", "false"):
            tear_down()
