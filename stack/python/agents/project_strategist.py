"""project-strategist: periodically reviews the project list of hypercode-core; /health."""
import json
import logging
import os
import threading
import time
import urllib.request

from .common import CORE_URL, serve

log = logging.getLogger("project-strategist")
STATE = {"last_review": None, "projects_seen": 0, "last_error": None}
INTERVAL = float(os.environ.get("REVIEW_INTERVAL", "30"))


def review_loop() -> None:
    """Fetch /projects from core every INTERVAL seconds and remember what was seen."""
    while True:
        try:
            with urllib.request.urlopen(f"{CORE_URL}/projects", timeout=5) as resp:
                STATE["projects_seen"] = len(json.loads(resp.read()))
            STATE["last_review"], STATE["last_error"] = time.time(), None
        except (OSError, ValueError) as exc:
            STATE["last_error"] = str(exc)
        time.sleep(INTERVAL)


def health() -> tuple:
    return 200, {"status": "ok", "service": "project-strategist", **STATE}


if __name__ == "__main__":
    threading.Thread(target=review_loop, daemon=True).start()
    serve("project-strategist", {"/health": health})
