"""Prepare a machine for the reference stack (stdlib only: it runs before the venv exists).

Steps, each idempotent and skipped when already done:
  engine    install debootstrap, and Docker engine >= 25 with compose v2 from trixie (low pin)
  daemon    start dockerd in the background (log: /var/log/dockerd.log) and wait for it
  venv      create .venv and `pip install -e '.[lint]'` (again when pyproject.toml changes)
  image     build the base image with debootstrap --variant=minbase + docker import
  env       write stack/.env from stack/.env.example, random values for placeholder secrets
  certs     a local CA and a server certificate for localhost/127.0.0.1 in stack/certs/
  tools     pg_dump/pg_restore and chromium (Debian), the Allure command line (npm)

Usage: python3 -m runbook.bootstrap [--base-image NAME] [--skip-engine] [--skip-venv] ...
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from readiness.model.images import DEFAULT_BASE_IMAGE  # stdlib only, like this module

REPO = Path(__file__).resolve().parents[1]
DEBIAN_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
TRIXIE_SOURCES = Path("/etc/apt/sources.list.d/trixie.sources")
TRIXIE_PIN = Path("/etc/apt/preferences.d/trixie")
DOCKERD_LOG = Path("/var/log/dockerd.log")
PLACEHOLDER = "changeme"
MIN_ENGINE_MAJOR = 25  # healthcheck start_interval
SECRET_KEYS = ("API_KEY", "JWT_SECRET", "DB_PASSWORD", "GRAFANA_ADMIN_PASSWORD")
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


class BootstrapError(RuntimeError):
    """A step could not be completed; the message says what to do."""


def log(message: str) -> None:
    """Print one progress line."""
    print(f"[bootstrap] {message}", flush=True)


def run(cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
    """Run a command, raising BootstrapError with its output tail on failure."""
    proc = subprocess.run(list(cmd), env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise BootstrapError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def succeeds(cmd: Sequence[str], timeout: float = 20) -> bool:
    """True when the command exits 0 (missing program or timeout count as failure)."""
    try:
        return (
            subprocess.run(list(cmd), capture_output=True, timeout=timeout, check=False).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def require_root(what: str) -> None:
    """Fail clearly when a step needs root and we are not root."""
    if os.geteuid() != 0:
        raise BootstrapError(f"{what} needs root (run as root, or use --skip-engine)")


def debian_mirror() -> str:
    """The first URIs line of debian.sources (never a hard-coded mirror host)."""
    if DEBIAN_SOURCES.exists():
        for line in DEBIAN_SOURCES.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        match = re.search(r"^deb\s+(\S+)\s+\S+", legacy.read_text(), re.MULTILINE)
        if match:
            return match.group(1)
    raise BootstrapError(f"no Debian mirror found in {DEBIAN_SOURCES} or /etc/apt/sources.list")


def apt_install(packages: Sequence[str], *, release: str | None = None) -> None:
    """apt-get update + install the packages (optionally from a target release)."""
    require_root("installing packages")
    run(["apt-get", "update"], env=APT_ENV)
    target = ["-t", release] if release else []
    run(["apt-get", "install", "-y", "--no-install-recommends", *target, *packages], env=APT_ENV)


def engine_major_version() -> int:
    """The installed dockerd's major version (0 when missing or unreadable)."""
    try:
        out = subprocess.run(
            ["dockerd", "--version"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return 0
    match = re.search(r"version (\d+)\.", out)
    return int(match.group(1)) if match else 0


def ensure_engine() -> str:
    """Install debootstrap, and Docker engine >= 25 with compose v2 when they are missing.

    Bookworm's docker.io is 20.10, too old for the stack's healthcheck ``start_interval``;
    trixie's engine (26) and compose v2 (2.26) come together from trixie, pinned low so that
    nothing else is upgraded.
    """
    done = []
    if shutil.which("debootstrap") is None:
        apt_install(["debootstrap"])
        done.append("debootstrap")
    if engine_major_version() < MIN_ENGINE_MAJOR or not succeeds(["docker", "compose", "version"]):
        add_trixie_source()
        apt_install(["docker.io", "docker-compose"], release="trixie")
        done.append("docker.io + docker-compose (trixie)")
    return "installed " + ", ".join(done) if done else "already installed"


def add_trixie_source() -> None:
    """Add Debian trixie with the same URIs as bookworm, pinned low (priority 100)."""
    require_root("adding the trixie source")
    if not TRIXIE_SOURCES.exists():
        TRIXIE_SOURCES.write_text(
            "Types: deb\n"
            f"URIs: {debian_mirror()}\n"
            "Suites: trixie\n"
            "Components: main\n"
            "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
        )
    if not TRIXIE_PIN.exists():
        TRIXIE_PIN.write_text("Package: *\nPin: release n=trixie\nPin-Priority: 100\n")


def ensure_daemon(timeout: float) -> str:
    """Start dockerd detached (it must outlive this script) unless `docker info` answers."""
    if succeeds(["docker", "info"]):
        return "already running"
    require_root("starting dockerd")
    if shutil.which("dockerd") is None:
        raise BootstrapError("dockerd is not installed (drop --skip-engine)")
    with DOCKERD_LOG.open("ab") as out:
        subprocess.Popen(
            ["dockerd"],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if succeeds(["docker", "info"], timeout=5):
            return f"started (log: {DOCKERD_LOG})"
        time.sleep(1)
    raise BootstrapError(f"dockerd did not answer within {timeout:.0f}s; see {DOCKERD_LOG}")


def ensure_venv(repo: Path) -> str:
    """Create .venv and install the project with its lint extras when missing or stale."""
    venv, pyproject = repo / ".venv", repo / "pyproject.toml"
    stamp = venv / ".bootstrap-stamp"
    digest = hashlib.sha256(pyproject.read_bytes()).hexdigest()
    python = venv / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return "up to date"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "-q", "-e", ".[lint]"], cwd=repo)
    stamp.write_text(digest + "\n")
    return "installed project into .venv"


def ensure_base_image(name: str, suite: str) -> str:
    """Build NAME from debootstrap minbase + docker import when it does not exist."""
    if succeeds(["docker", "image", "inspect", name]):
        return f"{name} present"
    require_root("debootstrap")
    if shutil.which("debootstrap") is None:
        apt_install(["debootstrap"])
    mirror = debian_mirror()
    with tempfile.TemporaryDirectory(prefix="hc-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        log(f"  debootstrap --variant=minbase {suite} from {mirror} (about 30 s)")
        run(["debootstrap", "--variant=minbase", suite, str(rootfs), mirror])
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        imp = subprocess.run(
            ["docker", "import", "-", name],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        if tar.stdout is not None:
            tar.stdout.close()
        if tar.wait() != 0 or imp.returncode != 0:
            raise BootstrapError(f"docker import of {name} failed: {imp.stderr.strip()}")
    return f"built {name}"


def render_env(example: str, base_image: str | None) -> str:
    """The .env text: placeholder secrets replaced by random values, BASE_IMAGE overridden."""
    lines = []
    for line in example.splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#"):
            if value.strip() == PLACEHOLDER or (key in SECRET_KEYS and not value.strip()):
                value = secrets.token_urlsafe(32)
            elif key == "BASE_IMAGE" and base_image:
                value = base_image
            line = f"{key}={value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def ensure_env(stack: Path, base_image: str | None) -> str:
    """Write stack/.env (mode 0600) from .env.example; never overwrite an existing one."""
    env, example = stack / ".env", stack / ".env.example"
    if env.exists():
        if env.stat().st_mode & 0o077:
            log(f"  warning: {env} is readable by group/others (chmod 600 it)")
        return f"{env} exists, left unchanged"
    fd = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(render_env(example.read_text(), base_image))
    return f"wrote {env} with random secrets"


def openssl(*args: str) -> None:
    """Run the openssl CLI."""
    run(["openssl", *args])


def make_ca(certs: Path) -> None:
    """A self-signed local CA (ca.crt, ca.key), 10 years."""
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "3650",
        "-keyout",
        str(certs / "ca.key"),
        "-out",
        str(certs / "ca.crt"),
        "-subj",
        "/O=HyperCode/CN=HyperCode Local CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )


def make_server_cert(certs: Path, days: int = 397) -> None:
    """server.key + server.crt for localhost and 127.0.0.1, signed by the local CA."""
    with tempfile.TemporaryDirectory() as tmp:
        csr, ext = Path(tmp) / "server.csr", Path(tmp) / "server.ext"
        ext.write_text(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        )
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(certs / "server.key"),
            "-out",
            str(csr),
            "-subj",
            "/O=HyperCode/CN=localhost",
        )
        openssl(
            "x509",
            "-req",
            "-in",
            str(csr),
            "-CA",
            str(certs / "ca.crt"),
            "-CAkey",
            str(certs / "ca.key"),
            "-set_serial",
            str(secrets.randbits(63)),
            "-sha256",
            "-days",
            str(days),
            "-extfile",
            str(ext),
            "-out",
            str(certs / "server.crt"),
        )


def remove_mount_placeholder(path: Path) -> None:
    """Remove an empty directory where a file belongs: the engine makes one when it starts a
    container whose bind-mounted file is missing (a stack left running from this path)."""
    if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
        path.rmdir()
        log(f"  {path} was an empty directory (made by the engine for a bind mount): removed")


def ensure_certs(stack: Path, min_days_left: int = 30) -> str:
    """Create the CA and server certificate when missing, renew the server one when near expiry."""
    certs = stack / "certs"
    certs.mkdir(mode=0o755, exist_ok=True)
    for name in ("ca.crt", "ca.key", "server.crt", "server.key"):
        remove_mount_placeholder(certs / name)
    made = []
    if not (certs / "ca.crt").exists() or not (certs / "ca.key").exists():
        make_ca(certs)
        made.append("CA")
    server_ok = (certs / "server.key").exists() and succeeds(
        [
            "openssl",
            "x509",
            "-checkend",
            str(min_days_left * 86400),
            "-noout",
            "-in",
            str(certs / "server.crt"),
        ]
    )
    if made or not server_ok:
        make_server_cert(certs)
        made.append("server certificate")
    for key in ("ca.key", "server.key"):
        (certs / key).chmod(0o600)
    return "created " + " and ".join(made) if made else "present and valid"


def ensure_dirs(stack: Path) -> str:
    """Runtime directories (gitignored): backups."""
    (stack / "backups" / "postgres").mkdir(parents=True, exist_ok=True)
    return "stack/backups/postgres ready"


def ensure_host_tools(repo: Path) -> str:
    """pg_dump/pg_restore, Chromium and rsync (Debian), and the Allure CLI (npm) for the reports.

    rsync is what gitlab-ci-local copies the checkout with (the CI recipe's own test).
    """
    made = []
    wanted = {"pg_restore": "postgresql-client", "chromium": "chromium", "rsync": "rsync"}
    missing = [package for program, package in wanted.items() if shutil.which(program) is None]
    if missing:
        require_root("install " + " ".join(missing))
        apt_install(missing)
        made += missing
    venv_python = repo / ".venv" / "bin" / "python"
    if venv_python.exists() and not (repo / ".tools" / "allure" / "node_modules").exists():
        run([str(venv_python), "-m", "runbook.reports", "install"], cwd=repo)
        made.append("allure-commandline")
    return "installed " + ", ".join(made) if made else "pg_restore, chromium, rsync, allure present"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(
        prog="python3 -m runbook.bootstrap",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--base-image",
        default=os.environ.get("BASE_IMAGE", DEFAULT_BASE_IMAGE),
        help="base image to build FROM (env BASE_IMAGE; default %(default)s)",
    )
    p.add_argument("--suite", default="bookworm", help="Debian suite for the base image")
    p.add_argument(
        "--project-dir",
        type=Path,
        default=REPO / "stack",
        help="the stack directory (default %(default)s)",
    )
    p.add_argument(
        "--skip-engine",
        action="store_true",
        help="do not install or start Docker (use an engine that is already there)",
    )
    p.add_argument("--skip-venv", action="store_true", help="do not create/update .venv")
    p.add_argument("--skip-base-image", action="store_true", help="do not build the base image")
    p.add_argument(
        "--skip-host-tools",
        action="store_true",
        help="do not install pg_restore, chromium and the Allure CLI",
    )
    p.add_argument(
        "--dockerd-timeout",
        type=float,
        default=60.0,
        help="seconds to wait for dockerd (default %(default)s)",
    )
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run every step; stop at the first failure with a clear message."""
    args = parse_args(argv)
    stack: Path = args.project_dir.resolve()
    base_image = args.base_image if args.base_image != DEFAULT_BASE_IMAGE else None
    steps: list[tuple[str, Callable[[], str]]] = []
    if not args.skip_engine:
        steps.append(("engine", ensure_engine))
    # The stack's files before the daemon: it restarts containers left with a restart policy,
    # and a bind-mounted file that does not exist yet would be created as a directory.
    steps += [
        ("env", lambda: ensure_env(stack, base_image)),
        ("certs", lambda: ensure_certs(stack)),
        ("dirs", lambda: ensure_dirs(stack)),
    ]
    if not args.skip_engine:
        steps.append(("daemon", lambda: ensure_daemon(args.dockerd_timeout)))
    if not args.skip_venv:
        steps.append(("venv", lambda: ensure_venv(REPO)))
    if not args.skip_base_image:
        steps.append(("base image", lambda: ensure_base_image(args.base_image, args.suite)))
    if not args.skip_host_tools:
        steps.append(("host tools", lambda: ensure_host_tools(REPO)))
    start = time.monotonic()
    for name, step in steps:
        t0 = time.monotonic()
        try:
            result = step()
        except BootstrapError as exc:
            log(f"{name}: FAILED: {exc}")
            return 1
        log(f"{name}: {result} ({time.monotonic() - t0:.1f}s)")
    log(f"done in {time.monotonic() - start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
