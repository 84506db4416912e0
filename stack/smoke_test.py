#!/usr/bin/env python3
"""HyperCode V2.0 smoke test: the public routes answer through nginx over verified HTTPS.

  SMOKE_BASE_URL  https://localhost:8443 (default: https://localhost:$HTTPS_PORT or 8443)
  SMOKE_CA_FILE   the CA to trust (default: certs/ca.crt next to this file)

Read-only (GET requests only); exit 0 when every check passes, 1 otherwise. TLS is always
verified against SMOKE_CA_FILE: there is no switch to turn verification off.
"""
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = os.environ.get("SMOKE_BASE_URL") or (
    f"https://localhost:{os.environ.get('HTTPS_PORT', '8443')}")
CA = os.environ.get("SMOKE_CA_FILE") or str(HERE / "certs" / "ca.crt")

CHECKS = [
    # (path, expected status, text the body must contain)
    ("/", 200, "BROski Terminal"),
    ("/api/health", 200, '"status"'),
    ("/grafana/api/health", 200, '"database"'),
]


def get(context, path):
    request = urllib.request.Request(BASE.rstrip("/") + path, method="GET")
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def main():
    context = ssl.create_default_context(cafile=CA)
    failures = 0
    for path, status, text in CHECKS:
        try:
            got_status, body = get(context, path)
        except (urllib.error.URLError, OSError) as exc:
            print(f"FAIL {path}: {getattr(exc, 'reason', exc)}")
            failures += 1
            continue
        ok = got_status == status and text in body
        print(f"{'ok  ' if ok else 'FAIL'} {path}: status {got_status} (expected {status})"
              + ("" if text in body else f", body lacks {json.dumps(text)}"))
        failures += not ok
    print(f"smoke test: {len(CHECKS) - failures}/{len(CHECKS)} passed against {BASE}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
