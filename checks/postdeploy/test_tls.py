"""Seed 2.2 after launch: HTTPS serves the expected certificate (TLS 1.2+); HTTP redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.options import Target
from readiness.backends.http import Answer, Handshake, sha256_of_pem
from readiness.model.manifest import Manifest
from readiness.model.masking import Masker
from readiness.parsers.tls_files import TlsFiles

MODERN = ("TLSv1.2", "TLSv1.3")
REDIRECTS = (301, 302, 307, 308)


@check("TLS-07")
def test_https_serves_expected_certificate(
    tls_handshake: Handshake, manifest: Manifest, masker: Masker, tls_files: TlsFiles
) -> None:
    """HTTPS serves the expected certificate, verified against the stack's CA, over TLS 1.2+."""
    where = f"https {tls_handshake.address}"
    ca = manifest.tls.ca.name if manifest.tls.ca else "the system CAs"
    assert not tls_handshake.error, f"{where}: handshake: expected TLS, got {tls_handshake.error}"
    assert not tls_handshake.verify_error, (
        f"{where}: certificate: expected one that verifies against {ca} for "
        f"{manifest.target.server_name}, got: {tls_handshake.verify_error}"
    )
    cert = tls_files.cert
    assert cert is not None, (
        f"{where}: certificate: expected the one {tls_files.source} names, got unreadable: "
        + "; ".join(tls_files.problems)
    )
    expected = sha256_of_pem(cert)
    if tls_handshake.fingerprint != expected:
        attach("served certificate", f"subject: {tls_handshake.subject}", masker)
    assert tls_handshake.fingerprint == expected, (
        f"{where}: certificate: expected {cert.name} (sha256 {expected[:16]}...), "
        f"got another one (sha256 {tls_handshake.fingerprint[:16]}..., {tls_handshake.subject})"
    )
    assert tls_handshake.version in MODERN, (
        f"{where}: protocol: expected TLSv1.2 or newer, got {tls_handshake.version}"
    )
    assert not tls_handshake.legacy_accepted, (
        f"{where}: protocol: expected TLS < 1.2 refused, got {tls_handshake.legacy_accepted} "
        "accepted"
    )


@check("TLS-08")
def test_http_redirects_to_https(http_redirect: Answer, target: Target, masker: Masker) -> None:
    """HTTP answers with a redirect to HTTPS (on the published HTTPS port)."""
    where = f"http {urlsplit(http_redirect.url).netloc}"  # loopback, or the Swarm node
    assert not http_redirect.error, (
        f"{where}: answer: expected a redirect, got {http_redirect.error}"
    )
    location = http_redirect.headers.get("location", "")
    parts = urlsplit(location)
    expected_port = None if target.https_port == "443" else int(target.https_port)
    ok = (
        http_redirect.status in REDIRECTS
        and parts.scheme == "https"
        and parts.port == expected_port
    )
    if not ok:
        attach("HTTP response", http_redirect.describe(), masker)
    assert ok, (
        f"{where}: redirect: expected 301 to https://...:{target.https_port}/, "
        f"got {http_redirect.status}" + (f" to {location}" if location else " without Location")
    )
