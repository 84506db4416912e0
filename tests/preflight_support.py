"""Helpers of the pre-flight fault tests: a real dump, certificates, manifest copies."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.harness import MANIFEST

POSTGRES_IMAGE = os.environ.get("READINESS_TEST_POSTGRES_IMAGE", "hypercode/postgres:2.0.0")
DUMP_NAME = "backup_{:%Y%m%d_%H%M%S}.dump"
_SCRATCH_DUMP = (
    "set -e; initdb -D /tmp/db -U postgres -A trust >/dev/null; "
    "pg_ctl -D /tmp/db -o '-c listen_addresses= -k /tmp' -w start >/dev/null; "
    "psql -q -h /tmp -U postgres -c 'CREATE DATABASE hypercode' >/dev/null; "
    "psql -q -h /tmp -U postgres -d hypercode -c "
    '"CREATE TABLE projects (id serial PRIMARY KEY, name text); '
    "INSERT INTO projects (name) VALUES ('hypercode-core')\" >/dev/null; "
    "pg_dump -Fc -h /tmp -U postgres hypercode"
)


def scratch_dump() -> bytes:
    """A real ``pg_dump -Fc`` of a scratch database, made in the stack's postgres image."""
    proc = subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "--network",
            "none",
            "--user",
            "postgres",
            "--entrypoint",
            "sh",
            POSTGRES_IMAGE,
            "-c",
            _SCRATCH_DUMP,
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0 or not proc.stdout.startswith(b"PGDMP"):
        raise RuntimeError(f"scratch pg_dump failed: {proc.stderr.decode()[-500:]}")
    return proc.stdout


def plant_dump(stack: Path, data: bytes, age_hours: float = 0.0) -> Path:
    """Write ``data`` as the newest backup of ``stack`` (backups/postgres), ``age_hours`` old."""
    directory = stack / "backups" / "postgres"
    directory.mkdir(parents=True, exist_ok=True)
    when = time.time() - age_hours * 3600
    path = directory / DUMP_NAME.format(dt.datetime.fromtimestamp(when))
    if data.startswith(b"PGDMP"):
        data = redate_archive(data, dt.datetime.fromtimestamp(when, dt.UTC))
    path.write_bytes(data)
    os.utime(path, (when, when))
    return path


def redate_archive(data: bytes, when: dt.datetime) -> bytes:
    """A custom-format dump whose header says it was taken at ``when`` (UTC), as pg_dump writes it.

    The header (pg_backup_archiver.c WriteHead) holds the creation time as seven integers
    (sec, min, hour, mday, mon, year - 1900, isdst), each a sign byte then ``int_size`` bytes.
    """
    version = (data[5], data[6], data[7])
    int_size = data[8]
    at = 11 + (1 if version >= (1, 15, 0) else 1 + int_size)  # after format and compression
    fields = (when.second, when.minute, when.hour, when.day, when.month - 1, when.year - 1900, 0)
    out = bytearray(data)
    for value in fields:
        out[at : at + 1 + int_size] = b"\0" + value.to_bytes(int_size, "little")
        at += 1 + int_size
    return bytes(out)


def manifest_copy(tmp_path: Path, **changes: Any) -> Path:
    """A copy of the reference manifest with ``section__key=value`` (or ``key=value``) changes."""
    data = yaml.safe_load(MANIFEST.read_text())
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    path = tmp_path / "readiness.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def issue_cert(
    stack: Path,
    *,
    names: tuple[str, ...] = ("localhost",),
    days: int = 365,
    key_bits: int = 2048,
    new_key: bool = False,
) -> None:
    """Reissue certs/server.crt from the stack's CA (certs/ca.key), optionally with a new key."""
    certs = stack / "certs"
    ca_key = serialization.load_pem_private_key((certs / "ca.key").read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    if new_key or key_bits != 2048:
        key: Any = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
        (certs / "server.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    else:
        key = serialization.load_pem_private_key((certs / "server.key").read_bytes(), None)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    (certs / "server.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def replace_key_only(stack: Path) -> None:
    """Put an unrelated (valid, strong) private key next to the unchanged certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (stack / "certs" / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in a file of a stack copy."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def git(stack: Path, *args: str) -> None:
    """Run git in a stack copy (the copy is the test's own repository)."""
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=stack,
        check=True,
        capture_output=True,
    )


def copy_tree(src: Path, dst: Path) -> Path:
    """Copy a directory tree (for the second project)."""
    shutil.copytree(src, dst)
    return dst
