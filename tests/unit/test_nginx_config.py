"""nginx read as the container sees it: includes through mounts, routes, upstreams, findings."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from readiness.parsers import nginx_config
from readiness.parsers.container_view import ContainerView

# The configuration of the current CFG-05 unit test (tests/unit/test_preflight_logic.py).
CONF = """
http {
    upstream api_pool { server core-a:8000; server core-b:8000; }
    server { listen 80; location / { return 301 https://$host$request_uri; } }
    server {
        listen 443 ssl;   # the TLS server
        set $web http://storefront:3000;
        location = /healthz { return 200; }
        location /api/ { proxy_pass http://api_pool; }
        location /grafana/ { proxy_pass "http://dashboards:3000/"; }
        location / { proxy_pass $web; }
    }
}
"""
MAIN_WITH_CONFD = """
events {}
http {
    include mime.types;
    include conf.d/*.conf;
}
"""
API_SITE = """
upstream api_pool { server core-a:8000; server core-b:8000 max_fails=3; }
server {
    listen 443 ssl;
    server_name shop.example.org;
    ssl_certificate certs/fullchain.pem;
    ssl_certificate_key /etc/nginx/certs/privkey.pem;
    include snippets/proxy.conf;
    location /api/ { proxy_pass http://api_pool; }
    location / { set $front http://storefront:3000; proxy_pass $front; }
}
"""


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (parents created); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def bind(source: Path, target: str) -> dict[str, Any]:
    """One rendered bind mount."""
    return {"type": "bind", "source": str(source), "target": target, "read_only": True}


def levels(config: nginx_config.NginxConfig) -> list[tuple[str, str]]:
    """(level, container path) of every finding."""
    return [(f.level, str(f.container_path)) for f in config.findings]


def test_routes_of_the_current_cfg05_case(tmp_path: Path) -> None:
    write(tmp_path / "nginx.conf", CONF)
    config = nginx_config.load_directory(tmp_path)
    found = {p: nginx_config.route_target(config, p) for p in ("/", "/api/", "/grafana/x")}
    assert {p: t.host if t else None for p, t in found.items()} == {
        "/": "storefront",
        "/api/": "core-a,core-b",
        "/grafana/x": "dashboards",
    }
    healthz = nginx_config.route_target(config, "/healthz")
    assert healthz is not None
    assert (healthz.location, healthz.proxy_pass) == ("/healthz", "")
    assert healthz.place is not None
    assert (healthz.place.container_path.name, healthz.place.line) == ("nginx.conf", 8)
    assert nginx_config.upstream_hosts(config) == ("core-a", "core-b", "dashboards", "storefront")


def test_routes_fall_back_to_plain_servers_and_none_without_match(tmp_path: Path) -> None:
    write(
        tmp_path / "nginx.conf",
        "http { server { listen 80; location /x/ { proxy_pass http://x:1; } } }",
    )
    config = nginx_config.load_directory(tmp_path)
    target = nginx_config.route_target(config, "/x/y")
    assert target is not None
    assert target.host == "x"
    assert nginx_config.route_target(config, "/other") is None


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "nginx.conf", "http {\n  server {\n    listen 80;\n  }\n")
    with pytest.raises(nginx_config.NginxConfigError, match=r"nginx\.conf:\d+ .*unexpected end"):
        nginx_config.load_directory(tmp_path)


def test_syntax_error_in_an_included_file_names_that_file(tmp_path: Path) -> None:
    write(tmp_path / "nginx.conf", MAIN_WITH_CONFD)
    write(tmp_path / "conf.d" / "bad.conf", "server {\n listen 80;\n location / {\n}\n")
    with pytest.raises(nginx_config.NginxConfigError) as caught:
        nginx_config.load_directory(tmp_path)
    assert caught.value.place.container_path == PurePosixPath("/etc/nginx/conf.d/bad.conf")
    assert caught.value.place.host_path == tmp_path / "conf.d" / "bad.conf"


def test_confd_glob_through_a_directory_bind(tmp_path: Path) -> None:
    """The false alarm of the issue: routes in conf.d/*.conf were not seen."""
    nginx = tmp_path / "deploy" / "nginx"
    write(nginx / "nginx.conf", MAIN_WITH_CONFD)
    write(nginx / "conf.d" / "api.conf", API_SITE)
    write(nginx / "snippets" / "proxy.conf", "proxy_set_header Host $host;\n")
    write(nginx / "certs" / "fullchain.pem", "cert")
    write(nginx / "certs" / "privkey.pem", "key")
    write(nginx / "mime.types", "types { text/html html; }\n")
    view = ContainerView({"volumes": [bind(nginx, "/etc/nginx")]})
    config = nginx_config.load(view)

    assert [str(f.container_path) for f in config.files] == [
        "/etc/nginx/nginx.conf",
        "/etc/nginx/mime.types",
        "/etc/nginx/conf.d/api.conf",
        "/etc/nginx/snippets/proxy.conf",
    ]
    assert config.findings == ()
    (server,) = config.servers
    assert server.tls
    assert server.server_names == ("shop.example.org",)
    assert [c.host_path for c in server.ssl_certificates] == [nginx / "certs" / "fullchain.pem"]
    assert [c.host_path for c in server.ssl_certificate_keys] == [nginx / "certs" / "privkey.pem"]
    assert config.upstreams["api_pool"].servers == ("core-a:8000", "core-b:8000")
    api = nginx_config.route_target(config, "/api/v1")
    assert api is not None
    assert (api.host, api.place and api.place.container_path.name) == ("core-a,core-b", "api.conf")
    front = nginx_config.route_target(config, "/shop")
    assert front is not None
    assert (front.proxy_pass, front.host) == ("http://storefront:3000", "storefront")
    header = [d for d in config.directives if d.name == "proxy_set_header"]
    assert header[0].place.container_path == PurePosixPath("/etc/nginx/snippets/proxy.conf")
    assert header[0].place.host_path == nginx / "snippets" / "proxy.conf"
    assert header[0].place.line == 1


def test_binding_the_whole_prefix_hides_the_image_mime_types(tmp_path: Path) -> None:
    write(tmp_path / "nginx.conf", MAIN_WITH_CONFD)
    config = nginx_config.load_directory(tmp_path)
    assert levels(config) == [
        ("error", "/etc/nginx/mime.types"),
        ("info", "/etc/nginx/conf.d/*.conf"),
    ]
    assert config.findings[0].place.line == 4


def test_single_file_mounts_with_stock_main_from_the_image(tmp_path: Path) -> None:
    """nginx.conf not mounted: the image's is assumed, conf.d files come from file mounts."""
    site = write(tmp_path / "site.conf", API_SITE.replace("include snippets/proxy.conf;", ""))
    write(tmp_path / "certs" / "fullchain.pem", "cert")
    view = ContainerView(
        {
            "volumes": [
                bind(site, "/etc/nginx/conf.d/default.conf"),
                bind(tmp_path / "certs", "/etc/nginx/certs"),
            ]
        }
    )
    config = nginx_config.load(view)
    assert [str(f.container_path) for f in config.files] == ["/etc/nginx/conf.d/default.conf"]
    assert levels(config) == [
        ("unverifiable", "/etc/nginx/nginx.conf"),
        ("info", "/etc/nginx/mime.types"),
        ("unverifiable", "/etc/nginx/conf.d/*.conf"),
        ("error", "/etc/nginx/certs/privkey.pem"),
    ]
    missing_key = config.findings[-1]
    assert missing_key.host_path == tmp_path / "certs" / "privkey.pem"
    assert missing_key.place.container_path == PurePosixPath("/etc/nginx/conf.d/default.conf")
    assert missing_key.place.line == 7
    assert "does not exist" in missing_key.describe()
    assert nginx_config.route_target(config, "/api/") is not None


def test_relative_include_unmounted_and_mounted_but_missing(tmp_path: Path) -> None:
    main = write(
        tmp_path / "nginx.conf",
        "http {\n"
        "  include extra/routes.conf;\n"  # relative to /etc/nginx, mounted below
        "  include /opt/custom/*.conf;\n"  # no mount provides it
        "  include /etc/nginx/gone.conf;\n"  # mounted, host file missing
        "  include /etc/nginx/empty.d/*.conf;\n"  # mounted directory, no match
        "}\n",
    )
    extra = write(
        tmp_path / "routes.conf", "server { listen 80; location / { proxy_pass http://app:80; } }"
    )
    (tmp_path / "empty").mkdir()
    view = ContainerView(
        {
            "volumes": [
                bind(main, "/etc/nginx/nginx.conf"),
                bind(extra, "/etc/nginx/extra/routes.conf"),
                bind(tmp_path / "gone.conf", "/etc/nginx/gone.conf"),
                bind(tmp_path / "empty", "/etc/nginx/empty.d"),
            ]
        }
    )
    config = nginx_config.load(view)
    assert [str(f.container_path) for f in config.files] == [
        "/etc/nginx/nginx.conf",
        "/etc/nginx/extra/routes.conf",
    ]
    assert levels(config) == [
        ("unverifiable", "/opt/custom/*.conf"),
        ("error", "/etc/nginx/gone.conf"),
        ("info", "/etc/nginx/empty.d/*.conf"),
    ]
    unmounted, gone, empty = config.findings
    assert unmounted.place.line == 3
    assert "comes from the image" in unmounted.message
    assert (gone.place.line, gone.host_path) == (4, tmp_path / "gone.conf")
    assert "matches no file" in empty.message
    assert nginx_config.upstream_hosts(config) == ("app",)


def test_named_volume_include_is_unverifiable(tmp_path: Path) -> None:
    main = write(tmp_path / "nginx.conf", "http { include /etc/nginx/generated/site.conf; }\n")
    view = ContainerView(
        {
            "volumes": [
                bind(main, "/etc/nginx/nginx.conf"),
                {"type": "volume", "source": "generated", "target": "/etc/nginx/generated"},
            ]
        }
    )
    config = nginx_config.load(view)
    (finding,) = config.findings
    assert finding.level == "unverifiable"
    assert "volume 'generated'" in finding.message


def test_upstream_hosts_leave_out_ips_sockets_and_variables(tmp_path: Path) -> None:
    write(
        tmp_path / "nginx.conf",
        """
        http {
          upstream pool { server 10.0.0.5:80; server unix:/run/app.sock; server api:9000; }
          server {
            listen 443 ssl;
            location /a/ { proxy_pass http://pool; }
            location /b/ { proxy_pass http://127.0.0.1:8080; }
            location /c/ { proxy_pass http://$upstream_host; }
            location /d/ { fastcgi_pass php:9000; }
            location /e/ { proxy_pass http://localhost:81; }
            location ~ \\.php$ { proxy_pass http://regex-only:80; }
          }
        }
        """,
    )
    config = nginx_config.load_directory(tmp_path)
    assert nginx_config.upstream_hosts(config) == ("api", "php", "regex-only")
    assert config.upstreams["pool"].hosts == ("10.0.0.5", "api")
    regex = nginx_config.route_target(config, "/x.php")
    assert regex is None  # regex locations are not evaluated


def test_missing_main_config_is_an_error(tmp_path: Path) -> None:
    view = ContainerView({"volumes": [bind(tmp_path / "nope.conf", "/etc/nginx/nginx.conf")]})
    with pytest.raises(FileNotFoundError, match="does not exist on the host"):
        nginx_config.load(view)
