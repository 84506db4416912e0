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
    """service -> {image, id}: the local image ID of each service's declared image.

    One image listing answers every name it tags; a name it does not (a digest reference,
    another spelling) costs one inspect, once per distinct name.
    """
    images: dict[str, dict[str, str]] = {}
    known: dict[str, str] | None = None
    looked_up: dict[str, str] = {}
    for service, definition in compose.services.items():
        name = str(definition.get("image", ""))
        if not name:
            images[service] = {"image": "", "id": "unknown (no image declared)"}
            continue
        if docker is None:
            images[service] = {"image": name, "id": "unknown (engine unreachable)"}
            continue
        if known is None:
            known = _listed_ids(docker)
        image_id = next((known[ref] for ref in references(name) if ref in known), None)
        if image_id is None:
            if name not in looked_up:
                looked_up[name] = _inspected_id(docker, name)
            image_id = looked_up[name]
        images[service] = {"image": name, "id": image_id}
    return images


def references(name: str) -> list[str]:
    """The spellings the engine may list ``name`` under (``nginx`` is ``nginx:latest``;
    ``docker.io/library/nginx:1`` is ``nginx:1``)."""
    if "@" in name:
        return [name]
    last = name.rsplit("/", 1)[-1]
    tagged = name if ":" in last else f"{name}:latest"
    spellings = [tagged]
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/"):
        if tagged.startswith(prefix):
            spellings.append(tagged.removeprefix(prefix))
            break
    return spellings


def index_listing(listing: list[dict[str, Any]]) -> dict[str, str]:
    """Every tag and digest reference of an image listing -> that image's ID."""
    ids: dict[str, str] = {}
    for image in listing:
        for ref in (image.get("RepoTags") or []) + (image.get("RepoDigests") or []):
            if ref and not ref.startswith("<none>"):
                ids[str(ref)] = str(image.get("Id", ""))
    return ids


def _listed_ids(docker: Any) -> dict[str, str]:
    try:
        return index_listing(docker.api.images())
    except Exception:  # an engine that cannot list: each name is inspected instead
        return {}


def _inspected_id(docker: Any, name: str) -> str:
    try:
        return str(docker.images.get(name).id)
    except Exception as exc:  # the SDK raises several types for a missing image
        return f"unknown ({type(exc).__name__})"


def bind(commit: dict[str, Any], compose: str, images: dict[str, dict[str, str]]) -> str:
    """One hash over commit, compose digest and image IDs: what this sign-off is about."""
    return sha256_of({"commit": commit, "compose": compose, "images": images})
