"""crew-orchestrator: coordinates the agent crew; /health and /status (is hypercode-core up?)."""
import time

from .common import probe_core, serve

STARTED = time.time()


def health() -> tuple:
    return 200, {"status": "ok", "service": "crew-orchestrator"}


def status() -> tuple:
    core = probe_core()
    return 200, {"service": "crew-orchestrator", "uptime_s": round(time.time() - STARTED, 1),
                 "core": core, "core_reachable": core["reachable"],
                 "core_healthy": core.get("healthy", False)}


if __name__ == "__main__":
    serve("crew-orchestrator", {"/health": health, "/status": status})
