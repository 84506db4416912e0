"""What was signed off: the git commit, the rendered compose digest and the image digests."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from readiness.backends.compose import ComposeModel


def sha256_of(data: Any) -> str:
    """``sha256:<hex>`` of ``data`` as canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_commit(directory: Path) -> dict[str, Any]:
    """HEAD of the checkout holding ``directory`` and whether it has local changes."""

    def git(*args: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip().splitlines()[-1:] or ["git failed"])
        return proc.stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        return {"commit": f"unknown ({exc})", "dirty": None}
    return {"commit": commit, "dirty": dirty}


def compose_digest(compose: ComposeModel) -> str:
    """Digest of the rendered compose configuration (``unknown`` when it did not render)."""
    return sha256_of(compose.raw) if compose.ok else f"unknown ({compose.error[:120]})"


def image_digests(compose: ComposeModel, docker: Any) -> dict[str, dict[str, str]]:
    """service -> {image, id}: the local image ID of each service's declared image."""
    images: dict[str, dict[str, str]] = {}
    for service, definition in compose.services.items():
        name = str(definition.get("image", ""))
        if not name:
            images[service] = {"image": "", "id": "unknown (no image declared)"}
            continue
        if docker is None:
            images[service] = {"image": name, "id": "unknown (engine unreachable)"}
            continue
        try:
            image_id = str(docker.images.get(name).id)
        except Exception as exc:  # the SDK raises several types for a missing image
            image_id = f"unknown ({type(exc).__name__})"
        images[service] = {"image": name, "id": image_id}
    return images


def bind(commit: dict[str, Any], compose: str, images: dict[str, dict[str, str]]) -> str:
    """One hash over commit, compose digest and image IDs: what this sign-off is about."""
    return sha256_of({"commit": commit, "compose": compose, "images": images})
