"""The container's view of files: longest mount wins, configs and secrets, globs, what is unseen."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from readiness.parsers.container_view import ContainerView, absolute


def bind(source: Path, target: str, read_only: bool = True) -> dict[str, Any]:
    """One long-syntax bind as `docker compose config` renders it."""
    return {"type": "bind", "source": str(source), "target": target, "read_only": read_only}


def tree(root: Path, *files: str) -> Path:
    """Create ``files`` (relative paths) under ``root``; return ``root``."""
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n")
    return root


def test_longest_mount_wins_for_files_under_a_bind(tmp_path: Path) -> None:
    nginx = tree(tmp_path / "nginx", "nginx.conf", "conf.d/a.conf")
    override = tree(tmp_path / "override", "site.conf")
    view = ContainerView(
        {
            "volumes": [
                bind(nginx, "/etc/nginx"),
                bind(override / "site.conf", "/etc/nginx/conf.d/a.conf"),
            ]
        }
    )
    main = view.resolve("nginx.conf", "/etc/nginx")
    assert (main.how, main.host_path, main.readable) == ("bind", nginx / "nginx.conf", True)
    shadowed = view.resolve("/etc/nginx/conf.d/a.conf")
    assert shadowed.host_path == override / "site.conf"


def test_image_volume_tmpfs_and_missing_host_file_are_told_apart(tmp_path: Path) -> None:
    view = ContainerView(
        {
            "volumes": [
                {"type": "volume", "source": "pgdata", "target": "/var/lib/postgresql/data"},
                {"type": "tmpfs", "target": "/tmp"},
                bind(tmp_path / "gone.conf", "/etc/nginx/nginx.conf"),
            ]
        }
    )
    assert view.resolve("/usr/share/nginx/html/index.html").how == "image"
    data = view.resolve("/var/lib/postgresql/data/PG_VERSION")
    assert (data.how, data.host_path, data.mount_source) == ("volume", None, "pgdata")
    assert "not readable from the host" in data.describe()
    assert view.resolve("/tmp/x").how == "tmpfs"
    gone = view.resolve("/etc/nginx/nginx.conf")
    assert gone.missing_on_host
    assert "does not exist on the host" in gone.describe()
    assert "comes from the image" in view.resolve("/etc/passwd").describe()


def test_configs_and_secrets_land_at_their_targets(tmp_path: Path) -> None:
    conf = tree(tmp_path, "proxy.conf", "db_password.txt")
    model = {
        "configs": {"proxy": {"file": str(conf / "proxy.conf")}, "inline": {"content": "x"}},
        "secrets": {"db_password": {"file": str(conf / "db_password.txt")}},
    }
    service = {
        "configs": [
            {"source": "proxy", "target": "/etc/nginx/conf.d/proxy.conf"},
            {"source": "inline"},
        ],
        "secrets": [{"source": "db_password"}, {"source": "db_password", "target": "pw"}],
    }
    view = ContainerView.of({"services": {"web": service}, **model}, "web")
    assert view.resolve("/etc/nginx/conf.d/proxy.conf").host_path == conf / "proxy.conf"
    inline = view.resolve("/inline")
    assert (inline.how, inline.host_path) == ("config", None)
    secret = view.resolve("/run/secrets/db_password")
    assert (secret.how, secret.host_path) == ("secret", conf / "db_password.txt")
    assert view.resolve("/run/secrets/pw").host_path == conf / "db_password.txt"


def test_glob_through_a_directory_bind_sorted_without_dotfiles(tmp_path: Path) -> None:
    confd = tree(tmp_path / "confd", "b.conf", "a.conf", ".hidden.conf", "notes.txt")
    view = ContainerView({"volumes": [bind(confd, "/etc/nginx/conf.d")]})
    found = view.glob("conf.d/*.conf", "/etc/nginx")
    assert [str(m.container_path) for m in found.matches] == [
        "/etc/nginx/conf.d/a.conf",
        "/etc/nginx/conf.d/b.conf",
    ]
    assert [m.host_path for m in found.matches] == [confd / "a.conf", confd / "b.conf"]
    assert found.unseen is None


def test_glob_over_single_file_mounts_says_the_image_directory_is_unseen(tmp_path: Path) -> None:
    files = tree(tmp_path, "api.conf", "web.conf")
    view = ContainerView(
        {
            "volumes": [
                bind(files / "api.conf", "/etc/nginx/conf.d/api.conf"),
                bind(files / "web.conf", "/etc/nginx/conf.d/web.conf"),
                bind(tmp_path / "missing.conf", "/etc/nginx/conf.d/zz.conf"),
                bind(files / "api.conf", "/etc/nginx/other/api.conf"),
            ]
        }
    )
    found = view.glob("/etc/nginx/conf.d/*.conf")
    assert [m.container_path.name for m in found.matches] == ["api.conf", "web.conf", "zz.conf"]
    assert [m.readable for m in found.matches] == [True, True, False]
    assert found.unseen == "image"


def test_glob_of_a_shallow_bind_hides_what_a_deeper_bind_shadows(tmp_path: Path) -> None:
    nginx = tree(tmp_path / "nginx", "conf.d/old.conf")
    confd = tree(tmp_path / "confd", "new.conf")
    view = ContainerView({"volumes": [bind(nginx, "/etc/nginx"), bind(confd, "/etc/nginx/conf.d")]})
    found = view.glob("/etc/nginx/conf.d/*.conf")
    assert [m.host_path for m in found.matches] == [confd / "new.conf"]


def test_glob_with_wildcard_directories_and_no_match(tmp_path: Path) -> None:
    nginx = tree(tmp_path / "nginx", "sites-enabled/a.conf", "sites-extra/b.conf")
    view = ContainerView({"volumes": [bind(nginx, "/etc/nginx")]})
    found = view.glob("/etc/nginx/sites-*/*.conf")
    assert [m.container_path.name for m in found.matches] == ["a.conf", "b.conf"]
    empty = view.glob("/etc/nginx/conf.d/*.conf")
    assert (empty.matches, empty.unseen) == ((), None)


def test_absolute_folds_relative_parts() -> None:
    assert absolute("../ssl/x.pem", "/etc/nginx/conf.d") == PurePosixPath("/etc/nginx/ssl/x.pem")
    assert absolute("/run/./secrets/a", "/etc") == PurePosixPath("/run/secrets/a")
