"""A local container's CPU and memory counters, read straight from its cgroup files (v1 or v2).

The engine's stats endpoint costs an HTTP round trip per container (and, streaming, a second
sample a second later); when the engine runs on this machine the same counters are files.
:func:`locate` finds a container's cgroup directories from its init process (``State.Pid``) and
accepts them only when their path names the container's ID, so a PID from another namespace
(docker-in-docker, a remote engine) is never mistaken for it. Read-only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

_UNBOUNDED = 1 << 62
"""cgroup v1 reports "no limit" as a page-rounded 2**63 - 1; anything this large is unbounded."""


@dataclass(frozen=True)
class CgroupDirs:
    """Where one container's counters live: the CPU accounting and memory directories."""

    version: int
    cpu: Path
    memory: Path


@dataclass(frozen=True)
class Counters:
    """One reading of a container's counters.

    ``cpu_ns`` is the CPU time used since the container started; ``clock_ns`` the wall clock (or,
    from the engine, host CPU time per CPU) it is measured against: CPU % between two readings is
    the ratio of their differences.
    """

    cpu_ns: int
    clock_ns: int
    memory_bytes: int
    memory_limit_bytes: int


def locate(
    pid: int,
    container_id: str,
    proc: Path = Path("/proc"),
    root: Path = Path("/sys/fs/cgroup"),
) -> CgroupDirs | None:
    """The cgroup directories of the container whose init process is ``pid``, or None."""
    if pid <= 0 or not container_id:
        return None
    try:
        lines = (proc / str(pid) / "cgroup").read_text().splitlines()
    except OSError:
        return None
    by_controller: dict[str, str] = {}
    for line in lines:
        _, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        for controller in controllers.split(",") if controllers else [""]:
            by_controller[controller] = path
    cpu_path, memory_path = by_controller.get("cpuacct"), by_controller.get("memory")
    if cpu_path and memory_path:
        cpu_dir = root / "cpuacct" / cpu_path.lstrip("/")
        dirs = CgroupDirs(1, cpu_dir, root / "memory" / memory_path.lstrip("/"))
    elif by_controller.get("") and (root / "cgroup.controllers").exists():
        unified = root / by_controller[""].lstrip("/")
        dirs = CgroupDirs(2, unified, unified)
    else:
        return None
    if container_id not in str(dirs.cpu) or container_id not in str(dirs.memory):
        return None
    return dirs if dirs.cpu.is_dir() and dirs.memory.is_dir() else None


def _stat(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(" ")
        if value.strip().isdigit():
            values[key] = int(value)
    return values


def _limit(text: str, host_memory: int) -> int:
    text = text.strip()
    if text == "max" or not text.isdigit() or int(text) >= _UNBOUNDED:
        return host_memory  # unbounded: like docker stats, the host's memory
    return int(text)


def read(dirs: CgroupDirs, host_memory: int) -> Counters | None:
    """The container's counters now (memory without inactive page cache, as docker stats
    shows it); None when the files are gone (the container stopped)."""
    try:
        if dirs.version == 1:
            cpu_ns = int((dirs.cpu / "cpuacct.usage").read_text())
            used = int((dirs.memory / "memory.usage_in_bytes").read_text())
            inactive = _stat(dirs.memory / "memory.stat").get("total_inactive_file", 0)
            limit = _limit((dirs.memory / "memory.limit_in_bytes").read_text(), host_memory)
        else:
            cpu_ns = _stat(dirs.cpu / "cpu.stat").get("usage_usec", 0) * 1000
            used = int((dirs.memory / "memory.current").read_text())
            inactive = _stat(dirs.memory / "memory.stat").get("inactive_file", 0)
            limit = _limit((dirs.memory / "memory.max").read_text(), host_memory)
    except (OSError, ValueError):
        return None
    return Counters(
        cpu_ns=cpu_ns,
        clock_ns=time.monotonic_ns(),
        memory_bytes=used - inactive if inactive < used else used,
        memory_limit_bytes=limit,
    )


def host_memory_bytes(meminfo: Path = Path("/proc/meminfo")) -> int:
    """This machine's total memory (``MemTotal``), 0 if unknown."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
