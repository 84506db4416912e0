"""The watch test's own compose project (rdywatch) and an engine socket that can "restart"."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.harness import ROOT

PROJECT = "rdywatch"
COMPOSE = [
    "docker",
    "compose",
    "-p",
    PROJECT,
    "-f",
    str(ROOT / "tests/watch_project/docker-compose.yml"),
]


@contextlib.contextmanager
def rdywatch_project() -> Iterator[str]:
    """Build and start rdywatch (idle + hog), healthy; always torn down afterwards."""
    try:
        proc = subprocess.run(
            [*COMPOSE, "up", "-d", "--build", "--wait", "--wait-timeout", "120"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"rdywatch did not come up:\n{proc.stderr[-2000:]}")
        yield PROJECT
    finally:
        subprocess.run(
            [*COMPOSE, "down", "--remove-orphans", "--timeout", "2"],
            capture_output=True,
            timeout=120,
            check=False,
        )


class RestartableEngine:
    """A unix socket forwarding to the engine that can go away (connections cut) and come back."""

    def __init__(self, listen: Path, engine: Path = Path("/var/run/docker.sock")) -> None:
        self.listen, self.engine = listen, engine
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """DOCKER_HOST for a client going through this socket."""
        return f"unix://{self.listen}"

    def up(self) -> None:
        """Listen (again)."""
        self.listen.unlink(missing_ok=True)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.listen))
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        """Stop listening and cut every open connection, like an engine restart."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        self.listen.unlink(missing_ok=True)
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(str(self.engine))
            with self._lock:
                self._conns += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
