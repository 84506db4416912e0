"""Which certificate and key nginx serves: the manifest's ``tls.cert``/``tls.key``, or, when it
names none, nginx's own ``ssl_certificate``/``ssl_certificate_key`` read through the container's
mounts (so the TLS checks judge the files the container really gets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from readiness.parsers.container_view import Resolved
from readiness.parsers.nginx_config import NginxConfig, Server


@dataclass(frozen=True)
class TlsFiles:
    """The certificate and key to judge, where they were found, and why they cannot be read."""

    name: str
    """The subject the TLS checks are parametrized with (the certificate, project-relative)."""
    cert: Path | None
    key: Path | None
    source: str
    problems: tuple[str, ...] = ()


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when under it, else as it is."""
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def from_manifest(cert: Path, key: Path, project_dir: Path) -> TlsFiles:
    """The pair the manifest names."""
    return TlsFiles(relative(cert, project_dir), cert, key, "the manifest (tls.cert, tls.key)")


def _server(config: NginxConfig, server_name: str) -> Server | None:
    """The TLS server with a certificate that serves ``server_name`` (else the first one)."""
    serving = [s for s in config.servers if s.tls and s.ssl_certificates]
    named = [s for s in serving if server_name and server_name in s.server_names]
    found = named or serving
    return found[0] if found else None


def _host_file(what: str, file: Resolved, line: str) -> tuple[Path | None, str]:
    """The host file nginx's ``what`` names, or the reason it cannot be read from the host."""
    if file.host_path is not None and file.host_path.is_file():
        return file.host_path, ""
    return None, f"{what} at {line}: {file.describe()}"


def from_nginx(config: NginxConfig, server_name: str, project_dir: Path) -> TlsFiles:
    """The pair nginx serves for ``server_name``, through the mounts (problems if unreadable)."""
    server = _server(config, server_name)
    if server is None:
        return TlsFiles(
            "nginx ssl_certificate",
            None,
            None,
            "nginx",
            (
                "the manifest names no tls.cert and no nginx TLS server has an ssl_certificate: "
                "name the files in the manifest (tls.cert, tls.key) or in nginx",
            ),
        )
    line = server.place.describe()
    cert_file = server.ssl_certificates[0]
    cert, cert_problem = _host_file("ssl_certificate", cert_file, line)
    key, key_problem = None, "ssl_certificate_key: expected in the server block, got none"
    if server.ssl_certificate_keys:
        key, key_problem = _host_file("ssl_certificate_key", server.ssl_certificate_keys[0], line)
    name = relative(cert, project_dir) if cert else str(cert_file.container_path)
    problems = tuple(p for p in (cert_problem, key_problem) if p)
    source = f"nginx ssl_certificate {cert_file.container_path} (server at {line})"
    return TlsFiles(name, cert, key, source, problems)
