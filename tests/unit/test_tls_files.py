"""Which certificate the TLS checks judge when the manifest names none: nginx's, through the
mounts; unmounted and mounted-but-missing files are problems naming line, container and host."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from readiness.parsers import nginx_config
from readiness.parsers.container_view import ContainerView
from readiness.parsers.tls_files import from_manifest, from_nginx

SITE = """
events {}
http {
    server { listen 80; server_name other.example; return 301 https://$host$request_uri; }
    server {
        listen 443 ssl;
        server_name shop.example;
        ssl_certificate     /etc/nginx/tls/shop.crt;
        ssl_certificate_key /etc/nginx/tls/shop.key;
        location / { proxy_pass http://web:3000; }
    }
}
"""


def bind(source: Path, target: str) -> dict[str, Any]:
    return {"type": "bind", "source": str(source), "target": target, "read_only": True}


def project(tmp_path: Path, tls_target: str = "/etc/nginx/tls", *files: str) -> ContainerView:
    """nginx.conf mounted from ``tmp_path``, ``tmp_path/certs`` mounted at ``tls_target``."""
    (tmp_path / "nginx.conf").write_text(SITE)
    certs = tmp_path / "certs"
    certs.mkdir()
    for name in files:
        (certs / name).write_text("PEM\n")
    return ContainerView(
        {
            "volumes": [
                bind(tmp_path / "nginx.conf", "/etc/nginx/nginx.conf"),
                bind(certs, tls_target),
            ]
        }
    )


def test_nginx_names_the_pair_through_the_mounts(tmp_path: Path) -> None:
    view = project(tmp_path, "/etc/nginx/tls", "shop.crt", "shop.key")
    files = from_nginx(nginx_config.load(view), "shop.example", tmp_path)
    assert files.problems == ()
    assert (files.cert, files.key) == (tmp_path / "certs/shop.crt", tmp_path / "certs/shop.key")
    assert files.name == "certs/shop.crt"
    assert "/etc/nginx/tls/shop.crt" in files.source


def test_certificate_no_mount_provides_is_a_problem(tmp_path: Path) -> None:
    view = project(tmp_path, "/etc/ssl/elsewhere", "shop.crt", "shop.key")
    files = from_nginx(nginx_config.load(view), "shop.example", tmp_path)
    assert files.cert is None
    assert files.name == "/etc/nginx/tls/shop.crt"
    text = "; ".join(files.problems)
    assert "ssl_certificate at /etc/nginx/nginx.conf:" in text
    assert "comes from the image" in text


def test_mounted_but_missing_key_is_a_problem(tmp_path: Path) -> None:
    view = project(tmp_path, "/etc/nginx/tls", "shop.crt")
    files = from_nginx(nginx_config.load(view), "shop.example", tmp_path)
    assert files.cert == tmp_path / "certs/shop.crt"
    assert len(files.problems) == 1
    problem = files.problems[0]
    assert problem.startswith("ssl_certificate_key at /etc/nginx/nginx.conf:")
    assert str(tmp_path / "certs/shop.key") in problem
    assert "does not exist on the host" in problem


def test_no_tls_server_is_a_problem_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    view = ContainerView({"volumes": [bind(tmp_path / "nginx.conf", "/etc/nginx/nginx.conf")]})
    files = from_nginx(nginx_config.load(view), "shop.example", tmp_path)
    assert files.cert is None
    assert "name the files in the manifest (tls.cert, tls.key)" in files.problems[0]


def test_the_manifest_pair_wins(tmp_path: Path) -> None:
    files = from_manifest(tmp_path / "a.crt", tmp_path / "a.key", tmp_path)
    assert (files.name, files.problems) == ("a.crt", ())
