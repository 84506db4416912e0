"""Headless Chromium (Debian's package) for the report tests: DOM dumps and screenshots.

Only loopback is reachable from the browser: every other host name resolves to nothing.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.harness import ROOT

ARTIFACTS = Path(os.environ.get("READINESS_TEST_ARTIFACTS", ROOT / "reports" / "test-artifacts"))
"""Screenshots and DOM dumps of the report tests are kept here (ignored by git)."""

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def chromium() -> str | None:
    """The chromium binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(url: str, *extra: str, budget_ms: int = 10000) -> str:
    binary = chromium()
    assert binary, "chromium is not installed: apt-get install -y chromium"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        proc = subprocess.run(
            [
                binary,
                *_FLAGS,
                f"--user-data-dir={profile}",
                f"--virtual-time-budget={budget_ms}",
                *extra,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 0, f"chromium failed on {url}: {proc.stderr[-2000:]}"
    return proc.stdout


def dump_dom(url: str, save_as: Path | None = None) -> str:
    """The DOM after the page's scripts ran (virtual time), optionally kept as an artifact."""
    dom = _run(url, "--dump-dom")
    if save_as is not None:
        save_as.parent.mkdir(parents=True, exist_ok=True)
        save_as.write_text(dom, encoding="utf-8")
    return dom


def screenshot(url: str, path: Path, size: str = "1400,1800") -> Path:
    """A PNG of the rendered page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _run(url, f"--screenshot={path}", f"--window-size={size}")
    assert path.exists(), f"no screenshot written for {url}"
    assert path.stat().st_size > 0, f"empty screenshot for {url}"
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) for the length of the block."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
