"""The cgroup counters reader and the usage arithmetic, on plain files and documents."""

from __future__ import annotations

from pathlib import Path

from readiness.backends import cgroups
from readiness.reports.usage import counters_from_stats, usage_between

CID = "ab" * 32


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_v1_counters_are_read_through_the_init_process(tmp_path: Path) -> None:
    proc, root = tmp_path / "proc", tmp_path / "cg"
    _write(proc / "42" / "cgroup", f"4:memory:/docker/{CID}\n2:cpu,cpuacct:/docker/{CID}\n")
    _write(root / "cpuacct" / "docker" / CID / "cpuacct.usage", "5000000\n")
    memory = root / "memory" / "docker" / CID
    _write(memory / "memory.usage_in_bytes", "1000\n")
    _write(memory / "memory.stat", "cache 9\ntotal_inactive_file 200\n")
    _write(memory / "memory.limit_in_bytes", "9223372036854771712\n")
    dirs = cgroups.locate(42, CID, proc, root)
    assert dirs is not None
    assert dirs.version == 1
    counters = cgroups.read(dirs, host_memory=777)
    assert counters is not None
    assert (counters.cpu_ns, counters.memory_bytes, counters.memory_limit_bytes) == (
        5_000_000,
        800,
        777,
    )


def test_v2_counters_and_a_bounded_limit(tmp_path: Path) -> None:
    proc, root = tmp_path / "proc", tmp_path / "cg"
    _write(proc / "7" / "cgroup", f"0::/system.slice/docker-{CID}.scope\n")
    _write(root / "cgroup.controllers", "cpu memory\n")
    unified = root / "system.slice" / f"docker-{CID}.scope"
    _write(unified / "cpu.stat", "usage_usec 1500\nuser_usec 1000\n")
    _write(unified / "memory.current", "4096\n")
    _write(unified / "memory.stat", "anon 1\ninactive_file 96\n")
    _write(unified / "memory.max", "268435456\n")
    dirs = cgroups.locate(7, CID, proc, root)
    assert dirs is not None
    assert dirs.version == 2
    counters = cgroups.read(dirs, host_memory=1)
    assert counters is not None
    assert (counters.cpu_ns, counters.memory_bytes, counters.memory_limit_bytes) == (
        1_500_000,
        4000,
        268435456,
    )


def test_a_pid_of_another_container_or_namespace_is_refused(tmp_path: Path) -> None:
    proc, root = tmp_path / "proc", tmp_path / "cg"
    other = "cd" * 32
    _write(proc / "42" / "cgroup", f"4:memory:/docker/{other}\n2:cpuacct:/docker/{other}\n")
    (root / "cpuacct" / "docker" / other).mkdir(parents=True)
    (root / "memory" / "docker" / other).mkdir(parents=True)
    assert cgroups.locate(42, CID, proc, root) is None
    assert cgroups.locate(43, CID, proc, root) is None  # no such process
    assert cgroups.locate(0, CID, proc, root) is None  # a stopped container has Pid 0


def test_counters_of_a_stopped_container_are_none(tmp_path: Path) -> None:
    gone = cgroups.CgroupDirs(1, tmp_path / "cpu", tmp_path / "memory")
    assert cgroups.read(gone, host_memory=1) is None


def test_cpu_percent_is_cpu_time_over_the_interval() -> None:
    first = cgroups.Counters(cpu_ns=1_000_000_000, clock_ns=0, memory_bytes=1, memory_limit_bytes=9)
    second = cgroups.Counters(
        cpu_ns=1_250_000_000, clock_ns=500_000_000, memory_bytes=5, memory_limit_bytes=9
    )
    usage = usage_between(first, second)
    assert (usage.cpu_percent, usage.memory_bytes, usage.memory_limit_bytes) == (50.0, 5, 9)
    assert usage_between(second, first).cpu_percent == 0.0  # a restart resets the counters


def test_engine_one_shot_documents_use_docker_stats_formula() -> None:
    def doc(total: int, system: int) -> dict[str, object]:
        return {
            "cpu_stats": {
                "cpu_usage": {"total_usage": total},
                "system_cpu_usage": system,
                "online_cpus": 2,
            },
            "memory_stats": {"usage": 300, "limit": 1000, "stats": {"inactive_file": 100}},
        }

    first, second = counters_from_stats(doc(0, 0)), counters_from_stats(doc(100, 400))
    assert first is not None
    assert second is not None
    # docker stats: cpu_delta / system_delta * online_cpus * 100 = 100 / 400 * 2 * 100
    assert usage_between(first, second).cpu_percent == 50.0
    assert second.memory_bytes == 200
    assert counters_from_stats({"cpu_stats": {}, "memory_stats": {}}) is None
