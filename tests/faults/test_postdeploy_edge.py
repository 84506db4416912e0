"""Planted faults at the edge: certificate, redirect, routes and the smoke test (TLS-07/08,
RTE-01, SMK-01). Each recreates nginx with a changed mount and restores it afterwards."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.faults.live_fault import overridden, postdeploy
from tests.harness import STACK, Run, assert_only_new_failure

pytestmark = pytest.mark.live
NGINX = "nginx"


def _nginx_conf(tmp_path: Path, old: str, new: str) -> str:
    """A compose override mounting a copy of nginx.conf with ``old`` replaced by ``new``."""
    text = (STACK / "nginx" / "nginx.conf").read_text()
    assert old in text, f"nginx.conf no longer contains {old!r}"
    conf = tmp_path / "nginx.conf"
    conf.write_text(text.replace(old, new, 1))
    return f"services:\n  {NGINX}:\n    volumes:\n      - {conf}:/etc/nginx/nginx.conf:ro\n"


def _other_certificate(directory: Path) -> None:
    """A valid certificate for localhost from the stack's CA, but not the declared one."""
    certs = STACK / "certs"
    directory.mkdir()
    shutil.copy(certs / "ca.crt", directory / "ca.crt")
    ca_cert = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((certs / "ca.key").read_bytes(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    (directory / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_tls07_other_certificate_served(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """TLS-07 fails when nginx serves a certificate other than the declared one."""
    certs = tmp_path / "certs"
    _other_certificate(certs)
    fault = (
        f"services:\n  {NGINX}:\n    volumes:\n"
        f"      - {certs}/server.crt:/etc/nginx/certs/server.crt:ro\n"
        f"      - {certs}/server.key:/etc/nginx/certs/server.key:ro\n"
    )
    with overridden(live_stack_up, tmp_path, (NGINX,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "TLS-07", "-")
    assert "expected server.crt" in message, message
    assert "got another one" in message, message


def test_tls08_http_serves_plain_content(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """TLS-08 fails when the port-80 server answers instead of redirecting to HTTPS."""
    fault = _nginx_conf(
        tmp_path,
        "return 301 https://$host:$public_https_port$request_uri;",
        'return 200 "plain http\\n";',
    )
    with overridden(live_stack_up, tmp_path, (NGINX,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "TLS-08", "-")
    assert "expected 301 to https://" in message, message
    assert "got 200" in message, message
    assert "http 127.0.0.1:" in message, message  # the address it asked


def test_rte01_unknown_path_answers_200(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """RTE-01 fails for the unknown-path probe when nginx answers it with 200."""
    fault = _nginx_conf(
        tmp_path,
        "        location /api/ {",
        '        location = /no-such-route { return 200 "catch-all\\n"; }\n\n'
        "        location /api/ {",
    )
    with overridden(live_stack_up, tmp_path, (NGINX,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "RTE-01", "/no-such-route")
    assert "status: expected 404, got 200" in message, message


def test_smk01_api_route_broken(
    postdeploy_baseline: Run, live_stack_up: str, tmp_path: Path
) -> None:
    """SMK-01 fails when the API route is broken (RTE-01 sees the same route)."""
    fault = _nginx_conf(tmp_path, "proxy_pass $core_upstream;", "return 503;")
    with overridden(live_stack_up, tmp_path, (NGINX,), fault):
        run = postdeploy(tmp_path, live_stack_up)
    message = assert_only_new_failure(postdeploy_baseline, run, "SMK-01", "-", also=("RTE-01",))
    assert "exit code: expected 0, got 1" in message, message
    assert "/api/health" in message, message
    assert run.outcomes("RTE-01")["/api/health"] == "failed"
