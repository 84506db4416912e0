"""Shared helpers for the agents: a JSON HTTP server and a probe of hypercode-core."""
import json
import logging
import os
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, Tuple

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
CORE_URL = os.environ.get("CORE_URL", "http://hypercode-core:8000")
PORT = int(os.environ.get("PORT", "8080"))
Route = Callable[[], Tuple[int, dict]]


def probe_core(timeout: float = 3.0) -> dict:
    """Ask hypercode-core's /health; report reachability, status code and latency."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(f"{CORE_URL}/health", timeout=timeout) as resp:
            code, body = resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        code, body = exc.code, {}
    except (OSError, ValueError) as exc:
        return {"url": CORE_URL, "reachable": False, "error": str(exc)}
    return {"url": CORE_URL, "reachable": True, "healthy": code == 200, "status_code": code,
            "latency_ms": round((time.monotonic() - start) * 1000, 1), "body": body}


def serve(name: str, routes: Dict[str, Route]) -> None:
    """Serve GET routes returning (status, JSON body) on PORT; 404 for anything else."""

    class Handler(BaseHTTPRequestHandler):
        server_version = name

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            route = routes.get(self.path.split("?", 1)[0])
            status, body = route() if route else (404, {"error": "not found"})
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args: object) -> None:
            if not self.path.startswith("/health"):
                logging.getLogger(name).info(fmt, *args)

    logging.getLogger(name).info("listening on :%d (core: %s)", PORT, CORE_URL)
    ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
