"""Emergency shutdown (seed 6, "Security Breach: Trigger Emergency Shutdown"), made safe.

Cut public ingress first (the manifest's ``network.public_services``), then the application,
then the database; keep every volume and every stopped container (for forensics); capture each
container's logs (secrets masked), the compose state and the current sign-off into an incident
folder; say what to run to come back. The CLI is ``python -m runbook.shutdown``.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docker.errors import DockerException

from readiness.backends.engine import PROJECT_LABEL
from readiness.model.errors import ConfigError, EngineError
from readiness.model.masking import Masker
from readiness.operations.stack import docker_client, expected_services, project_states
from readiness.operations.target import Settings

Say = Callable[[str], None]
SIGNOFF_FILES = ("signoff.md", "signoff.json")
INGRESS, APPLICATION, DATA = "ingress", "application", "data"


def _print(message: str) -> None:
    print(f"[shutdown] {message}", flush=True)


@dataclass(frozen=True)
class PublishedPort:
    """A host port a container of the project publishes (what the public reaches)."""

    service: str
    host_ip: str
    host_port: int

    @property
    def address(self) -> str:
        """``127.0.0.1:8443``: where a client connects (a wildcard bind is probed on loopback)."""
        return f"{self.probe_ip}:{self.host_port}"

    @property
    def probe_ip(self) -> str:
        """The address to probe: the bound one, loopback for a wildcard bind."""
        return "127.0.0.1" if self.host_ip in ("", "0.0.0.0") else self.host_ip


@dataclass(frozen=True)
class ShutdownPlan:
    """What the shutdown will do, in order, and what it keeps."""

    project: str
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    ports: tuple[PublishedPort, ...]
    volumes: tuple[str, ...]

    def lines(self) -> list[str]:
        """The plan as an operator reads it."""
        out = [f"project {self.project}:"]
        for n, (stage, services) in enumerate(self.stages, 1):
            names = ", ".join(services) or "(none)"
            out.append(f"  {n}. stop {stage}: {names}")
        ports = ", ".join(f"{p.address} ({p.service})" for p in self.ports) or "none"
        out.append(f"  public ports that must refuse after step 1: {ports}")
        out.append(
            f"  keep volumes: {', '.join(self.volumes) or '(none)'}; keep the stopped containers"
        )
        out.append("  capture container logs (secrets masked), compose state and the sign-off")
        return out


@dataclass
class PortCut:
    """When a published port stopped answering, counted from the start of the shutdown."""

    port: PublishedPort
    seconds: float | None = None
    stage: str = ""


@dataclass
class ShutdownResult:
    """What the shutdown did: stage timings, ports cut, files captured, what to run next."""

    plan: ShutdownPlan
    incident_dir: Path
    stage_seconds: dict[str, float] = field(default_factory=dict)
    cuts: list[PortCut] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)
    signoff: list[Path] = field(default_factory=list)
    volumes_missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    comeback: list[str] = field(default_factory=list)

    @property
    def cut_seconds(self) -> float | None:
        """Seconds until every public port refused (None if one never did)."""
        times = [c.seconds for c in self.cuts]
        if not times or any(t is None for t in times):
            return None
        return max(t for t in times if t is not None)

    def late(self) -> list[PortCut]:
        """Ports still answering after the ingress stage (refused later, or never)."""
        return [c for c in self.cuts if c.stage != INGRESS]


def published_ports(client: Any, project: str) -> list[PublishedPort]:
    """Every host port the project's running containers publish (IPv4, one per port)."""
    found: dict[tuple[str, int], PublishedPort] = {}
    for name, state in project_states(client, project).items():
        if state.state != "running":
            continue
        attrs = client.api.inspect_container(state.container)
        bindings = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
        for binds in bindings.values():
            for bind in binds or []:
                ip = str(bind.get("HostIp", ""))
                if ":" in ip:  # IPv6 twin of an IPv4 bind: probed once, on IPv4
                    continue
                port = PublishedPort(name, ip, int(bind["HostPort"]))
                found.setdefault((port.probe_ip, port.host_port), port)
    return sorted(found.values(), key=lambda p: (p.service, p.host_port))


def answers(port: PublishedPort, timeout: float = 0.5) -> bool:
    """True while something accepts a TCP connection on the published port."""
    try:
        with socket.create_connection((port.probe_ip, port.host_port), timeout=timeout):
            return True
    except OSError:
        return False


def project_volumes(project: str) -> list[str]:
    """The compose project's named volumes."""
    out = _docker(["volume", "ls", "-q", "--filter", f"label={PROJECT_LABEL}={project}"])
    return sorted(out.split())


def make_plan(settings: Settings) -> ShutdownPlan:
    """Ingress (public services), application (the rest), data (the database service)."""
    m = settings.manifest
    services = expected_services(settings.stack)
    public = [s for s in m.network.public_services if s in services]
    data = [m.database.service] if m.database.service in services else []
    app = [s for s in services if s not in public and s not in data]
    client = docker_client()
    return ShutdownPlan(
        project=settings.project_name,
        stages=((INGRESS, tuple(public)), (APPLICATION, tuple(app)), (DATA, tuple(data))),
        ports=tuple(published_ports(client, settings.project_name)),
        volumes=tuple(project_volumes(settings.project_name)),
    )


class _PortWatch:
    """Polls the public ports from the moment the shutdown starts; notes when each refuses."""

    def __init__(self, ports: Sequence[PublishedPort]) -> None:
        self.cuts = [PortCut(p) for p in ports]
        self.stage = INGRESS
        self.start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _PortWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            open_cuts = [c for c in self.cuts if c.seconds is None]
            if not open_cuts:
                return
            for cut in open_cuts:
                stage = self.stage  # read before probing: a refusal belongs to this stage
                if not answers(cut.port, timeout=0.2):
                    cut.seconds, cut.stage = time.monotonic() - self.start, stage
            self._stop.wait(0.05)

    def settle(self, grace: float) -> None:
        """Give the ports ``grace`` seconds to refuse after a stage ended."""
        deadline = time.monotonic() + grace
        while any(c.seconds is None for c in self.cuts) and time.monotonic() < deadline:
            time.sleep(0.05)


def shutdown(
    settings: Settings,
    plan: ShutdownPlan,
    incident_root: Path,
    *,
    reports_dir: Path | None = None,
    stop_timeout: int = 10,
    grace: float = 3.0,
    manifest_path: Path | None = None,
    say: Say = _print,
) -> ShutdownResult:
    """Stop the stages in order, capture the evidence, check the volumes; never removes a thing."""
    stamp = datetime.now(UTC).strftime("%Y%m%d_%H%M%S")
    incident = incident_root / f"{plan.project}-{stamp}"
    incident.mkdir(parents=True, exist_ok=True)
    result = ShutdownResult(plan, incident)
    say(f"incident folder {incident}")
    with _PortWatch(plan.ports) as watch:
        for stage, services in plan.stages:
            watch.stage = stage
            if services:
                t0 = time.monotonic()
                say(f"stopping {stage}: {', '.join(services)} ({t0 - watch.start:.1f}s)")
                try:
                    _compose(settings, "stop", "--timeout", str(stop_timeout), *services)
                except EngineError as exc:
                    result.problems.append(f"stop {stage}: {exc}")
                result.stage_seconds[stage] = time.monotonic() - t0
            if stage == INGRESS:
                watch.settle(grace)
                _say_cut(watch, say)
        watch.settle(grace)
    result.cuts = watch.cuts
    for cut in result.late():
        where = f"refused only after the {cut.stage} stage" if cut.stage else "still answers"
        result.problems.append(
            f"public port {cut.port.address} ({cut.port.service}): expected refused after the "
            f"ingress cut, got {where}"
        )
    say("capturing logs, compose state and the sign-off")
    _capture(settings, result, reports_dir)
    kept = set(project_volumes(plan.project))
    result.volumes_missing = [v for v in plan.volumes if v not in kept]
    for volume in result.volumes_missing:
        result.problems.append(f"volume {volume}: expected kept, got missing")
    result.comeback = comeback_commands(settings, manifest_path)
    _write_summary(result)
    return result


def _say_cut(watch: _PortWatch, say: Say) -> None:
    for cut in watch.cuts:
        if cut.seconds is not None:
            say(f"  public port {cut.port.address} refuses after {cut.seconds:.2f}s")
        else:
            say(f"  public port {cut.port.address} ({cut.port.service}) STILL ANSWERS")


def comeback_commands(settings: Settings, manifest_path: Path | None) -> list[str]:
    """What an operator runs to bring the stack back once the incident is handled."""
    opts = f"--project-name {settings.project_name} --env-file {settings.env_file}"
    if manifest_path is not None:
        opts = f"--manifest {manifest_path} {opts}"
    return [
        f"python -m runbook.stack up --no-build {opts}",
        f"python -m runbook.verify_launch {opts}",
    ]


def _capture(settings: Settings, result: ShutdownResult, reports_dir: Path | None) -> None:
    masker = Masker()
    try:
        masker.add_env(settings.env(), settings.manifest.secrets.required)
    except ConfigError as exc:
        result.problems.append(f"could not read the .env to mask secrets: {exc}")
    logs = result.incident_dir / "logs"
    logs.mkdir(exist_ok=True)
    client = docker_client()
    states = project_states(client, settings.project_name)
    for name, state in states.items():
        try:
            raw = client.api.logs(state.container, timestamps=True, stdout=True, stderr=True)
        except DockerException as exc:  # one container's logs must not stop the rest
            result.problems.append(f"logs of {state.container}: {exc}")
            continue
        path = logs / f"{name}.log"
        path.write_text(masker.mask(raw.decode("utf-8", "replace")))
        result.logs.append(path)
    table = {
        name: {"container": s.container, "state": s.state, "health": s.health}
        for name, s in states.items()
    }
    (result.incident_dir / "state.json").write_text(json.dumps(table, indent=2) + "\n")
    if reports_dir is not None:
        for name in SIGNOFF_FILES:
            source = reports_dir / name
            if source.is_file():
                target = result.incident_dir / name
                shutil.copy2(source, target)
                result.signoff.append(target)


def _write_summary(result: ShutdownResult) -> None:
    lines = ["# Emergency shutdown", "", f"Project: {result.plan.project}", "", "## Plan", ""]
    lines += [f"    {line}" for line in result.plan.lines()]
    lines += ["", "## Timeline (seconds)", ""]
    lines += [f"- stop {stage}: {secs:.2f}" for stage, secs in result.stage_seconds.items()]
    lines += [
        f"- public port {c.port.address} refused after "
        + (f"{c.seconds:.2f} ({c.stage} stage)" if c.seconds is not None else "never")
        for c in result.cuts
    ]
    lines += ["", "## Problems", ""] + ([f"- {p}" for p in result.problems] or ["- none"])
    lines += ["", "## To come back", "", *[f"    {c}" for c in result.comeback], ""]
    (result.incident_dir / "incident.md").write_text("\n".join(lines))


def _compose(settings: Settings, *args: str) -> None:
    proc = subprocess.run([*settings.compose(), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise EngineError(f"docker compose {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")


def _docker(args: list[str]) -> str:
    try:
        proc = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise EngineError(f"cannot run docker: {exc.strerror}") from None
    if proc.returncode != 0:
        raise EngineError(f"docker {' '.join(args)} failed: {proc.stderr.strip()[-500:]}")
    return proc.stdout
