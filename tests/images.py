"""Test images built from a local context on the local base image, rebuilt only when changed."""

from __future__ import annotations

import hashlib
import subprocess
import time
from pathlib import Path

from readiness.model.images import base_image

CONTEXT_LABEL = "com.readiness.test.context"
"""Label carrying the digest of the build context an image was built from."""


def context_digest(context: Path) -> str:
    """A digest of the base image's name and every file of ``context``."""
    digest = hashlib.sha256(base_image().encode())
    for path in sorted(context.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_image(image: str, context: Path, label: str) -> float | None:
    """Build ``image`` from ``context`` unless built from this context already; seconds or None."""
    digest = context_digest(context)
    fmt = f'{{{{index .Config.Labels "{CONTEXT_LABEL}"}}}}'
    current = subprocess.run(
        ["docker", "image", "inspect", "-f", fmt, image],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if current.returncode == 0 and current.stdout.strip() == digest:
        return None
    start = time.monotonic()
    build = [
        "docker", "build", "-q", "-t", image, "--build-arg", f"BASE_IMAGE={base_image()}",
        "--label", f"{CONTEXT_LABEL}={digest}", "--label", label, str(context),
    ]  # fmt: skip
    proc = subprocess.run(build, capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"docker build {image}: {proc.stderr.strip() or proc.stdout}")
    return time.monotonic() - start
