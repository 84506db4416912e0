"""The local Debian base image everything here is built from (no registry is assumed)."""

from __future__ import annotations

import os

DEFAULT_BASE_IMAGE = "hypercode/debian:bookworm"
"""Made by ``runbook.bootstrap`` with debootstrap; ``BASE_IMAGE`` names another one."""


def base_image() -> str:
    """The base image to build FROM: ``BASE_IMAGE`` when set, else the default."""
    return os.environ.get("BASE_IMAGE", DEFAULT_BASE_IMAGE)
