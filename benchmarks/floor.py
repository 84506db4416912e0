"""The floor: only the raw calls the checks need, in one plain process (no pytest, no reports).

post-deploy: one compose render (the declared side of the drift checks), one listing and one
inspect per container, and for a manifest that declares them: one docker exec per connection,
the HTTPS/HTTP requests and the TLS handshakes, the Prometheus API reads, one PostgreSQL
connection and its queries, the Grafana and agent requests, one host socket listing, the smoke
test. Calls run one after another (the plain way), and are judged minimally.

pre-flight: the slow raw calls of the pre-flight facts (compose render, ``nginx -t`` and
promtool in the stack's images, the project's test command, the smoke test twice, the dump
listing, git), run concurrently as the suite runs them, plus the file reads.

Usage: python -m benchmarks.floor {postdeploy,preflight} --manifest M [--env-file E]
Prints one JSON line: seconds per step and in total.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
TIMEOUT = 10


class Steps:
    """Times each named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.failures: list[str] = []

    def run(self, name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return step()
        except Exception as exc:  # the floor records, it does not judge
            self.failures.append(f"{name}: {type(exc).__name__}: {exc}")
            return None
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - start, 4)


def _env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and not key.strip().startswith("#"):
                values[key.strip()] = value.strip().strip("'\"")
    return values


def _compose(spec: dict[str, Any], project_dir: Path, env_file: Path) -> list[str]:
    cmd = ["docker", "compose", "-p", spec["target"]["project_name"]]
    cmd += ["--project-directory", str(project_dir)]
    if env_file.exists():
        cmd += ["--env-file", str(env_file)]
    for name in spec["target"]["compose_files"]:
        cmd += ["-f", str(project_dir / name)]
    return cmd


def postdeploy(spec: dict[str, Any], project_dir: Path, env_file: Path, steps: Steps) -> None:
    """The raw calls of the post-deploy checks, in order."""
    import docker
    import requests

    env = _env(env_file)
    project = spec["target"]["project_name"]
    compose_cmd = _compose(spec, project_dir, env_file)
    steps.run(
        "compose config",
        lambda: subprocess.run(
            [*compose_cmd, "config", "--format", "json"], capture_output=True, check=True
        ),
    )
    client = docker.from_env(timeout=30)
    api = client.api
    listed = steps.run(
        "listing", lambda: api.containers(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
    )
    inspected = steps.run("inspects", lambda: [api.inspect_container(c["Id"]) for c in listed])
    by_service = {a["Config"]["Labels"].get(SERVICE_LABEL): a for a in inspected or []}
    unhealthy = [
        s
        for s, a in by_service.items()
        if (a["State"].get("Health") or {}).get("Status") not in (None, "healthy")
    ]
    if unhealthy:
        steps.failures.append(f"unhealthy: {unhealthy}")
    if not spec.get("routes"):  # a synthetic project: health and drift only
        client.close()
        return
    network = f"{project}_{spec['network']['internal']}"

    def ip(service: str) -> str:
        return str(by_service[service]["NetworkSettings"]["Networks"][network]["IPAddress"])

    def probe(conn: dict[str, Any]) -> int:
        script = f"exec 3<>/dev/tcp/{conn['to']}/{conn['port']}"
        cid = by_service[conn["from"]]["Id"]
        exec_id = api.exec_create(cid, ["timeout", "10", "bash", "-c", script])["Id"]
        api.exec_start(exec_id)
        return int(api.exec_inspect(exec_id)["ExitCode"])

    steps.run("docker exec probes", lambda: [probe(c) for c in spec.get("connectivity", [])])
    https, http = env.get("HTTPS_PORT", "8443"), env.get("HTTP_PORT", "8080")
    server = spec["target"].get("server_name", "localhost")
    ca = str(project_dir / spec["tls"]["ca"])
    session = requests.Session()
    session.verify = ca

    def routes() -> list[int]:
        return [
            session.get(
                f"https://{server}:{https}{r.get('probe') or r['path']}", verify=ca, timeout=TIMEOUT
            ).status_code
            for r in spec["routes"]
        ]

    steps.run("https routes", routes)
    steps.run(
        "http redirect",
        lambda: session.get(f"http://127.0.0.1:{http}/", allow_redirects=False, timeout=TIMEOUT),
    )

    def handshakes() -> None:
        context = ssl.create_default_context(cafile=ca)
        with (
            socket.create_connection(("127.0.0.1", int(https)), timeout=TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=server) as tls,
        ):
            tls.getpeercert(binary_form=True)
        legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        legacy.check_hostname, legacy.verify_mode = False, ssl.CERT_NONE
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            legacy.minimum_version = legacy.maximum_version = ssl.TLSVersion.TLSv1_1
        with (
            socket.create_connection(("127.0.0.1", int(https)), timeout=TIMEOUT) as raw,
            contextlib.suppress(ssl.SSLError),
        ):
            legacy.wrap_socket(raw, server_hostname=server).close()

    steps.run("tls handshakes", handshakes)
    mon = spec["monitoring"]
    prom = f"http://{ip(mon['prometheus_service'])}:{mon.get('port', 9090)}"
    query = mon["error_rate_query"].replace("$window", mon.get("error_rate_window", "1m"))
    steps.run(
        "prometheus",
        lambda: [
            session.get(prom + path, params=params, timeout=TIMEOUT).json()
            for path, params in (
                ("/api/v1/targets", {}),
                ("/api/v1/rules", {"type": "alert"}),
                ("/api/v1/alerts", {}),
                ("/api/v1/query", {"query": query}),
            )
        ],
    )
    db = spec["database"]

    def postgres() -> None:
        import psycopg

        with psycopg.connect(
            host=ip(db["service"]),
            port=db.get("port", 5432),
            dbname=db["name"],
            user=db["user"],
            password=env.get(db["password_env"], ""),
            connect_timeout=TIMEOUT,
        ) as conn:
            conn.execute("select tablename from pg_tables where schemaname = 'public'").fetchall()
            conn.execute(f"select version from {db['migrations_table']}").fetchall()

    steps.run("postgres", postgres)
    graf = spec["grafana"]
    steps.run(
        "grafana",
        lambda: session.get(
            f"http://{ip(graf['service'])}:{graf.get('port', 3000)}/api/user",
            auth=("admin", "admin"),
            timeout=TIMEOUT,
        ),
    )
    steps.run(
        "agents",
        lambda: [
            session.get(f"http://{ip(a['service'])}:{a['port']}{a.get('path', '/health')}")
            for a in spec.get("agents", [])
        ],
    )
    steps.run("host sockets", lambda: subprocess.run(["ss", "-tuln"], capture_output=True))
    smoke_env = {
        **os.environ,
        "SMOKE_BASE_URL": f"https://{server}:{https}",
        "SMOKE_HTTP_URL": f"http://{server}:{http}",
        "SMOKE_CA_FILE": ca,
        "SMOKE_ENV_FILE": str(env_file),
        "HTTPS_PORT": https,
        "HTTP_PORT": http,
    }
    steps.run(
        "smoke test",
        lambda: subprocess.run(
            spec["tests"]["smoke"].split(), cwd=project_dir, env=smoke_env, capture_output=True
        ),
    )
    session.close()
    client.close()


def preflight(spec: dict[str, Any], project_dir: Path, env_file: Path, steps: Steps) -> None:
    """The raw calls of the pre-flight facts: subprocesses concurrently, then the file reads."""
    from concurrent.futures import ThreadPoolExecutor

    compose_cmd = _compose(spec, project_dir, env_file)
    rendered = steps.run(
        "compose config",
        lambda: json.loads(
            subprocess.run(
                [*compose_cmd, "config", "--format", "json"], capture_output=True, check=True
            ).stdout
        ),
    )
    services = (rendered or {}).get("services", {})
    nginx = services.get(spec["nginx"]["service"], {})
    prom = services.get(spec["monitoring"]["prometheus_service"], {})
    mounts: list[str] = []
    for volume in nginx.get("volumes") or []:
        if volume.get("type") == "bind":
            mounts += [
                "--mount",
                f"type=bind,source={volume['source']},target={volume['target']},readonly",
            ]
    run = ["docker", "run", "--rm", "--pull", "never", "--network", "none"]
    cfg = project_dir / spec["monitoring"]["config"]
    rules = project_dir / spec["monitoring"]["rules"]
    promtool = (
        f"promtool check config --syntax-only /c/{cfg.name}; promtool check rules /r/{rules.name}"
    )
    env = _env(env_file)
    https = env.get("HTTPS_PORT", "8443")
    smoke_env = {
        **os.environ,
        "SMOKE_BASE_URL": f"https://{spec['target'].get('server_name', 'localhost')}:{https}",
        "SMOKE_CA_FILE": str(project_dir / spec["tls"]["ca"]),
    }
    tests = spec.get("tests", {})
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "nginx -t": ([*run, *mounts, "--entrypoint", "nginx", str(nginx.get("image")), "-t"], None),
        "promtool": (
            [
                *run,
                "--mount",
                f"type=bind,source={cfg.parent},target=/c,readonly",
                "--mount",
                f"type=bind,source={rules.parent},target=/r,readonly",
                "--entrypoint",
                "sh",
                str(prom.get("image")),
                "-c",
                promtool,
            ],
            None,
        ),
        "git": (["git", "-C", str(project_dir), "status", "--porcelain"], None),
    }
    alerting = spec.get("monitoring", {}).get("alertmanager") or {}
    am = services.get(alerting.get("service", ""), {})
    am_binds = [v for v in am.get("volumes") or [] if v.get("type") == "bind"]
    am_config = next((v["target"] for v in am_binds if str(v["target"]).endswith(".yml")), "")
    if am and am_config:
        am_mounts = [
            arg
            for v in am_binds
            for arg in ("--mount", f"type=bind,source={v['source']},target={v['target']},readonly")
        ]
        commands["amtool check-config"] = (
            [*run, *am_mounts, "--entrypoint", "amtool", str(am.get("image")), "check-config",
             am_config],
            None,
        )  # fmt: skip
    backup = spec.get("backup") or {}
    dumps = sorted(
        (project_dir / backup.get("directory", "")).glob(backup.get("pattern", "*.dump"))
    )
    if backup and dumps:
        commands["pg_restore --list"] = (["pg_restore", "--list", str(dumps[-1])], None)
        commands["pg_restore --version"] = (["pg_restore", "--version"], None)
    if tests.get("command"):
        commands["test command"] = (tests["command"].split(), None)
    if tests.get("smoke"):
        commands["smoke test"] = (tests["smoke"].split(), smoke_env)
        commands["smoke test (other CA)"] = (tests["smoke"].split(), smoke_env)

    def one(name: str) -> None:
        argv, env_vars = commands[name]
        steps.run(
            name,
            lambda: subprocess.run(
                argv, cwd=project_dir, env=env_vars, capture_output=True, timeout=300
            ),
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(len(commands)) as pool:
        list(pool.map(one, commands))
    steps.seconds["concurrent subprocesses (wall)"] = round(time.perf_counter() - start, 4)

    def reads() -> None:
        from cryptography import x509

        x509.load_pem_x509_certificate((project_dir / spec["tls"]["cert"]).read_bytes())
        for report in spec.get("dependencies", {}).get("reports", []):
            json.loads((project_dir / report["path"]).read_text())
        backups = sorted(
            (project_dir / spec["backup"]["directory"]).glob(
                spec["backup"].get("pattern", "*.dump")
            )
        )
        if backups:
            backups[-1].open("rb").read(4096)
        git_files = subprocess.run(
            ["git", "-C", str(project_dir), "ls-files"], capture_output=True, text=True
        ).stdout.split()
        for name in git_files:
            path = project_dir / name
            if path.is_file():
                path.read_bytes()

    steps.run("file reads", reads)


def main(argv: Sequence[str] | None = None) -> int:
    start = time.perf_counter()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("suite", choices=["postdeploy", "preflight"])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--env-file", type=Path)
    args = parser.parse_args(argv)
    spec = yaml.safe_load(args.manifest.read_text())
    project_dir = (args.manifest.parent / spec["target"].get("project_dir", ".")).resolve()
    env_file = args.env_file or project_dir / spec["target"].get("env_file", ".env")
    steps = Steps()
    (postdeploy if args.suite == "postdeploy" else preflight)(spec, project_dir, env_file, steps)
    total = time.perf_counter() - start
    print(
        json.dumps(
            {
                "suite": args.suite,
                "total": round(total, 4),
                "steps": steps.seconds,
                "failures": steps.failures,
            }
        )
    )
    return 0 if not steps.failures else 1


if __name__ == "__main__":
    sys.exit(main())
