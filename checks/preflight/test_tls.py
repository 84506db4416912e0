"""Seed 2.2 SSL/TLS: the certificate and key nginx will serve, read from the files."""

from __future__ import annotations

import datetime as dt

from fixtures.checkmark import After, check
from fixtures.fix_preflight import Preflight
from readiness.model.manifest import Manifest
from readiness.parsers import tls
from readiness.parsers.tls_files import TlsFiles


def _readable(preflight: Preflight, after: After) -> tls.TlsFacts:
    facts = preflight.tls()
    after.require(facts.readable, "certificate or key unreadable")
    return facts


@check("TLS-01")
def test_certificate_and_key_present(tls_cert: str, preflight: Preflight, after: After) -> None:
    """The TLS certificate and key (the manifest's, else those nginx names) are present and
    readable."""
    facts = preflight.tls()
    assert not facts.problems, f"tls {tls_cert}: " + "; ".join(facts.problems)


@check("TLS-02")
def test_key_matches_certificate(
    tls_cert: str, preflight: Preflight, after: After, tls_files: TlsFiles
) -> None:
    """The private key belongs to the certificate."""
    facts = _readable(preflight, after)
    key = tls_files.key.name if tls_files.key else "?"
    assert facts.key_public == facts.cert_public, (
        f"tls {tls_cert}: key {key}: expected the certificate's public key, "
        "got a different key pair"
    )


@check("TLS-03")
def test_certificate_valid_with_days_left(
    tls_cert: str, preflight: Preflight, after: After, manifest: Manifest
) -> None:
    """The certificate is valid now and has enough days left."""
    facts = _readable(preflight, after)
    assert facts.cert is not None
    now = dt.datetime.now(dt.UTC)
    start = facts.cert.not_valid_before_utc
    assert start <= now, f"tls {tls_cert}: notBefore: expected <= now, got {start:%Y-%m-%d %H:%M}"
    left = tls.days_left(facts.cert, now)
    end = f"{facts.cert.not_valid_after_utc:%Y-%m-%d}"
    assert left >= manifest.tls.min_days_left, (
        f"tls {tls_cert}: days left: expected >= {manifest.tls.min_days_left}, "
        f"got {left:.0f} (notAfter {end}{', EXPIRED' if left < 0 else ''})"
    )


@check("TLS-04")
def test_certificate_covers_server_name(
    tls_cert: str, preflight: Preflight, after: After, manifest: Manifest
) -> None:
    """The certificate's names cover the server name."""
    facts = _readable(preflight, after)
    names = facts.names()
    assert any(tls.name_matches(n, manifest.target.server_name) for n in names), (
        f"tls {tls_cert}: subjectAltName: expected to cover {manifest.target.server_name}, "
        f"got {', '.join(names) or 'no names'}"
    )


@check("TLS-05")
def test_key_strong_enough(
    tls_cert: str, preflight: Preflight, after: After, manifest: Manifest
) -> None:
    """The key is strong enough (RSA and EC minimum sizes from the manifest)."""
    facts = _readable(preflight, after)
    minimum = {"RSA": manifest.tls.min_rsa_bits, "EC": manifest.tls.min_ec_bits}
    wanted = minimum.get(facts.key_kind)
    expected = f"RSA >= {manifest.tls.min_rsa_bits} or EC >= {manifest.tls.min_ec_bits} bits"
    strong = wanted is not None and facts.key_bits >= wanted
    assert strong, (
        f"tls {tls_cert}: key size: expected {expected}, got {facts.key_kind} {facts.key_bits} bits"
    )


@check("TLS-06")
def test_certificate_chains_to_public_ca(
    tls_cert: str, preflight: Preflight, after: After, manifest: Manifest
) -> None:
    """The certificate chains to a public CA; self-signed: plan migration to a public CA."""
    facts = _readable(preflight, after)
    assert facts.cert is not None
    now = dt.datetime.now(dt.UTC)
    why = tls.public_chain_error(
        facts.cert, manifest.target.server_name, preflight.public_roots, now
    )
    assert not why, (
        f"tls {tls_cert}: issuer: expected a public CA, got {why}; "
        "action: plan migration to a public CA (e.g. Let's Encrypt) before public release"
    )
