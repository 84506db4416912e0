"""A counting proxy in front of the real Docker engine socket: what did a run ask the engine?"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections import Counter
from pathlib import Path

_REQUEST_LINE = re.compile(rb"(GET|POST|PUT|DELETE|HEAD) (/\S*) HTTP/1\.[01]\r\n")
_VERSION_PREFIX = re.compile(r"^/v[0-9.]+")


class EngineProxy:
    """Forwards a unix socket to the engine's and counts request lines by method and path."""

    def __init__(self, listen: Path, engine: Path = Path("/var/run/docker.sock")) -> None:
        self.listen, self.engine = listen, engine
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    @property
    def url(self) -> str:
        """The DOCKER_HOST a client uses to go through the proxy."""
        return f"unix://{self.listen}"

    def __enter__(self) -> EngineProxy:
        self._server.bind(str(self.listen))
        self._server.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.close()

    def count(self, method: str, pattern: str) -> int:
        """Requests whose method matches and whose path (API version stripped) matches."""
        wanted = re.compile(pattern)
        with self._lock:
            return sum(
                n
                for key, n in self.requests.items()
                if key.startswith(method + " ") and wanted.fullmatch(key.split(" ", 1)[1])
            )

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(str(self.engine))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, count: bool) -> None:
        try:
            while data := source.recv(65536):
                if count:
                    self._record(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            source.close()  # each socket is the source of exactly one pipe thread

    def _record(self, data: bytes) -> None:
        for method, path in _REQUEST_LINE.findall(data):
            clean = _VERSION_PREFIX.sub("", path.decode().split("?", 1)[0])
            with self._lock:
                self.requests[f"{method.decode()} {clean}"] += 1
