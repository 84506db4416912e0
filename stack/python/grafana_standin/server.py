"""Grafana stand-in HTTP server on port 3000 (see package docstring: real Grafana is unavailable)."""
import base64
import hmac
import json
import logging
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
log = logging.getLogger("grafana-standin")
ADMIN_USER = os.environ.get("GF_SECURITY_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("GF_SECURITY_ADMIN_PASSWORD", "")
PORT = int(os.environ.get("GF_SERVER_HTTP_PORT", "3000"))
HEALTH = {"commit": "standin", "database": "ok", "version": "10.4.0-standin"}
PAGE = b"<!doctype html><title>Grafana</title><h1>Grafana (stand-in)</h1>"


def valid(user: str, password: str) -> bool:
    """True only for the admin user with the configured (non-empty) password."""
    return bool(ADMIN_PASSWORD) and hmac.compare_digest(user, ADMIN_USER) and \
        hmac.compare_digest(password, ADMIN_PASSWORD)


class Handler(BaseHTTPRequestHandler):
    server_version = "grafana-standin"

    def _send(self, status: int, body: object, ctype: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="grafana"')
        self.end_headers()
        self.wfile.write(data)

    def _basic(self) -> tuple:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return "", ""
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return "", ""
        return user, password

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/api/health":
            self._send(200, HEALTH)
        elif path == "/api/user":
            user, password = self._basic()
            if valid(user, password):
                self._send(200, {"id": 1, "login": ADMIN_USER, "isGrafanaAdmin": True})
            else:
                self._send(401, {"message": "Unauthorized"})
        elif path in ("/", "/login"):
            self._send(200, PAGE, "text/html; charset=utf-8")
        else:
            self._send(404, {"message": "Not found"})

    def do_POST(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] != "/login":
            self._send(404, {"message": "Not found"})
            return
        try:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            user, password = str(body.get("user", "")), str(body.get("password", ""))
        except (ValueError, AttributeError):
            self._send(400, {"message": "bad request"})
            return
        if valid(user, password):
            self._send(200, {"message": "Logged in"})
        else:
            log.warning("failed login for user %r", user)
            self._send(401, {"message": "Invalid username or password"})

    def log_message(self, fmt: str, *args: object) -> None:
        if "/api/health" not in self.path:
            log.info(fmt, *args)


if __name__ == "__main__":
    if not ADMIN_PASSWORD:
        raise SystemExit("GF_SECURITY_ADMIN_PASSWORD is required")
    log.info("Grafana stand-in listening on :%d", PORT)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
