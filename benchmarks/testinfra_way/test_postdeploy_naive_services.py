"""The reference stack's other post-deploy checks the usual way: docker exec per connectivity
probe (testinfra's docker backend), requests per HTTP check, psycopg for the database,
testinfra's local host for the listening sockets, the smoke test as a subprocess.

Only for a manifest that declares these (the reference stack); synthetic projects skip this file.
"""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import subprocess
import warnings
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import requests
import testinfra

from benchmarks.testinfra_way.conftest import ENV_FILE, PROJECT_DIR, SPEC, container, env_values

ENV = env_values()
HTTPS = ENV.get("HTTPS_PORT", "8443")
HTTP = ENV.get("HTTP_PORT", "8080")
SERVER = SPEC["target"].get("server_name", "localhost")
CA = str(PROJECT_DIR / SPEC["tls"]["ca"]) if SPEC["tls"].get("ca") else True
NETWORK = f"{SPEC['target']['project_name']}_{SPEC['network']['internal']}"
TIMEOUT = 10


def address(host: Any, service: str) -> str:
    networks = host.docker(container(service)).inspect()["NetworkSettings"]["Networks"]
    return str(networks[NETWORK]["IPAddress"])


def connection_id(c: dict[str, Any]) -> str:
    return f"{c['from']}->{c['to']}:{c['port']}"


@pytest.mark.parametrize("conn", SPEC.get("connectivity", []), ids=connection_id)
def test_connectivity(conn: dict[str, Any]) -> None:
    inside = testinfra.get_host(f"docker://{container(conn['from'])}")
    cmd = inside.run(f"timeout 10 bash -c 'exec 3<>/dev/tcp/{conn['to']}/{conn['port']}'")
    assert cmd.rc == 0, cmd.stderr


@pytest.mark.parametrize("route", SPEC.get("routes", []), ids=lambda r: r.get("probe") or r["path"])
def test_route(route: dict[str, Any]) -> None:
    probe = route.get("probe") or route["path"]
    answer = _get(f"https://{SERVER}:{HTTPS}{probe}")
    assert answer.status_code == route["status"]
    if route.get("contains"):
        assert route["contains"] in answer.text


def _get(url: str, **kwargs: Any) -> requests.Response:
    return requests.get(url, verify=CA, timeout=TIMEOUT, **kwargs)


def test_https_certificate() -> None:
    context = ssl.create_default_context(cafile=CA if isinstance(CA, str) else None)
    with (
        socket.create_connection(("127.0.0.1", int(HTTPS)), timeout=TIMEOUT) as raw,
        context.wrap_socket(raw, server_hostname=SERVER) as tls,
    ):
        der = tls.getpeercert(binary_form=True) or b""
        version = tls.version()
    pem = (PROJECT_DIR / SPEC["tls"]["cert"]).read_text()
    expected = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
    assert hashlib.sha256(der).hexdigest() == expected
    assert version in ("TLSv1.2", "TLSv1.3")
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    legacy.check_hostname, legacy.verify_mode = False, ssl.CERT_NONE
    with warnings.catch_warnings():  # TLS 1.1 is deprecated: that is what is being refused
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy.minimum_version = legacy.maximum_version = ssl.TLSVersion.TLSv1_1
    with (
        socket.create_connection(("127.0.0.1", int(HTTPS)), timeout=TIMEOUT) as raw,
        pytest.raises(ssl.SSLError),
    ):
        legacy.wrap_socket(raw, server_hostname=SERVER)


def test_http_redirects() -> None:
    answer = requests.get(f"http://127.0.0.1:{HTTP}/", allow_redirects=False, timeout=TIMEOUT)
    assert answer.status_code in (301, 302, 307, 308)
    assert answer.headers["location"].startswith("https://")


MON = SPEC.get("monitoring", {})


def prometheus(host: Any, path: str, **params: str) -> Any:
    url = f"http://{address(host, MON['prometheus_service'])}:{MON.get('port', 9090)}{path}"
    return requests.get(url, params=params, timeout=TIMEOUT).json()["data"]


@pytest.mark.parametrize("job", MON.get("required_jobs", []))
def test_prometheus_target_up(host: Any, job: str) -> None:
    targets = prometheus(host, "/api/v1/targets")["activeTargets"]
    mine = [t for t in targets if t["labels"].get("job") == job]
    assert mine
    assert all(t["health"] == "up" for t in mine)


@pytest.mark.parametrize("alert", sorted(MON.get("required_alerts", {})))
def test_prometheus_alert_rule(host: Any, alert: str) -> None:
    groups = prometheus(host, "/api/v1/rules", type="alert")["groups"]
    rules = {r["name"]: r["query"] for g in groups for r in g["rules"]}
    assert alert in rules
    expr = MON["required_alerts"][alert]
    if expr:
        assert " ".join(rules[alert].split()) == " ".join(expr.split())


def test_no_critical_alert_firing(host: Any) -> None:
    alerts = prometheus(host, "/api/v1/alerts")["alerts"]
    firing = [
        a
        for a in alerts
        if a["state"] == "firing"
        and a["labels"].get("severity") in MON.get("critical_severities", ["critical"])
    ]
    assert not firing


def test_error_rate(host: Any) -> None:
    query = MON["error_rate_query"].replace("$window", MON.get("error_rate_window", "1m"))
    result = prometheus(host, "/api/v1/query", query=query)["result"]
    rate = float(result[0]["value"][1]) if result else 0.0
    assert not rate > MON.get("error_rate_ceiling", 0.01)


DB = SPEC.get("database", {})


@pytest.fixture(scope="module")
def db(host: Any) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(
        host=address(host, DB["service"]),
        port=DB.get("port", 5432),
        dbname=DB["name"],
        user=DB["user"],
        password=ENV.get(DB["password_env"], ""),
        connect_timeout=TIMEOUT,
    ) as conn:
        yield conn


def test_db_login(db: psycopg.Connection[Any]) -> None:
    assert db.execute("select 1").fetchone() == (1,)


@pytest.mark.parametrize("table", DB.get("tables", []))
def test_db_table(db: psycopg.Connection[Any], table: str) -> None:
    row = db.execute("select to_regclass(%s)", (f"public.{table}",)).fetchone()
    assert row is not None
    assert row[0] is not None


def test_db_migrations(db: psycopg.Connection[Any]) -> None:
    table = DB["migrations_table"]
    rows = db.execute(f"select version from {table}").fetchall()
    assert set(DB.get("migrations", [])) <= {int(r[0]) for r in rows}


def test_grafana_rejects_default_login(host: Any) -> None:
    graf = SPEC["grafana"]
    url = f"http://{address(host, graf['service'])}:{graf.get('port', 3000)}/api/user"
    answer = requests.get(url, auth=("admin", "admin"), timeout=TIMEOUT)
    assert answer.status_code in (401, 403)


@pytest.mark.parametrize("agent", SPEC.get("agents", []), ids=lambda a: a["service"])
def test_agent_answers(host: Any, agent: dict[str, Any]) -> None:
    url = f"http://{address(host, agent['service'])}:{agent['port']}{agent.get('path', '/health')}"
    answer = requests.get(url, timeout=TIMEOUT)
    assert answer.status_code == agent.get("status", 200)
    contains = agent.get("contains") or []
    for text in [contains] if isinstance(contains, str) else contains:
        assert text in answer.text


@pytest.mark.parametrize("service", SPEC["network"].get("backend_services", []))
def test_backend_port_not_on_host(host: Any, service: str) -> None:
    ports = {c["port"] for c in SPEC.get("connectivity", []) if c["to"] == service}
    exposed = host.docker(container(service)).inspect()["Config"].get("ExposedPorts") or {}
    ports |= {int(p.split("/")[0]) for p in exposed}
    listening = host.socket.get_listening_sockets()
    assert not [
        s for s in listening if s.startswith("tcp://") and int(s.rsplit(":", 1)[1]) in ports
    ]


def test_smoke() -> None:
    env = {
        **os.environ,
        "SMOKE_BASE_URL": f"https://{SERVER}:{HTTPS}",
        "SMOKE_HTTP_URL": f"http://{SERVER}:{HTTP}",
        "SMOKE_CA_FILE": str(CA),
        "SMOKE_ENV_FILE": str(ENV_FILE),
        "HTTPS_PORT": HTTPS,
        "HTTP_PORT": HTTP,
    }
    command = SPEC.get("tests", {}).get("smoke", "")
    proc = subprocess.run(
        command.split(), cwd=PROJECT_DIR, env=env, capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
