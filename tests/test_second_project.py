"""The same checks on a second, unrelated compose project: only its manifest differs.

tests/second_project/ is a small "shop" with other service names, networks, secrets and
layout; it has three planted findings (see its README). The suite must find exactly those.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.harness import Run, run_suite

SOURCE = Path(__file__).resolve().parent / "second_project"


def _self_signed(directory: Path, name: str) -> None:
    directory.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    (directory / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "server-key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.fixture(scope="module")
def shop_run(tmp_path_factory: pytest.TempPathFactory, fresh_dump: bytes) -> Run:
    """Pre-flight on a fresh copy of the shop (git checkout, .env, TLS pair, dump)."""
    tmp = tmp_path_factory.mktemp("shop")
    root = tmp / "shop"
    shutil.copytree(SOURCE, root)
    deploy = root / "deploy"
    env = deploy / ".env"
    env.write_text(
        "".join(
            f"{k}={secrets.token_urlsafe(24)}\n"
            for k in ("SHOP_TOKEN", "SESSION_KEY", "SHOP_DB_PASSWORD", "DASH_ADMIN_PASSWORD")
        )
    )
    os.chmod(env, 0o600)
    _self_signed(deploy / "tls", "shop.localhost")
    (deploy / "dumps").mkdir()
    (deploy / "dumps" / "shop-20260101.pgdump").write_bytes(fresh_dump)
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "shop"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return run_suite(tmp, "-m", "preflight", f"--manifest={root / 'readiness.yml'}")


def test_second_project_gets_exactly_its_planted_findings(shop_run: Run) -> None:
    """RES-02[cache] blocks; CFG-06[cache] and TLS-06 warn; everything else passes."""
    assert shop_run.failing() == {
        ("RES-02", "cache"),
        ("CFG-06", "cache"),
        ("TLS-06", "tls/server.pem"),
    }, shop_run.output
    assert shop_run.verdict == "NOT READY"
    assert "deploy.resources.limits.memory: expected a limit, got none" in shop_run.message(
        "RES-02", "cache"
    )
    assert "hypercode/redis:latest" in shop_run.message("CFG-06", "cache")
    assert "self-signed" in shop_run.message("TLS-06")


def test_second_project_subjects_come_from_its_manifest(shop_run: Run) -> None:
    """Subjects are the shop's own names: services, routes, secrets, jobs, alerts."""
    assert set(shop_run.outcomes("CFG-05")) == {"/", "/api/", "/grafana/"}
    assert set(shop_run.outcomes("NET-03")) == {"shop-db", "cache", "shop-api"}
    assert set(shop_run.outcomes("SEC-01")) == {"SHOP_TOKEN", "SESSION_KEY", "SHOP_DB_PASSWORD"}
    assert set(shop_run.outcomes("MON-02")) == {"shop-api", "gateway"}
    assert set(shop_run.outcomes("MON-04")) == {"InstanceDown", "ApiErrors"}
    assert shop_run.outcomes("RES-01")["shop-db"] == "passed"
    for check in (
        "CFG-04",
        "MON-01",
        "MON-03",
        "BAK-02",
        "BAK-03",
        "GIT-01",
        "GIT-02",
        "TLS-04",
        "TLS-05",
    ):
        assert set(shop_run.outcomes(check).values()) == {"passed"}, (check, shop_run.output)
