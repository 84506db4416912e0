"""Mask every string inside a JSON-like tree (dicts, lists, strings) before it is written."""

from __future__ import annotations

from typing import Any

from readiness.model.masking import Masker


def mask_tree(value: Any, masker: Masker) -> Any:
    """A copy of ``value`` with each string (keys too) passed through ``masker``."""
    if isinstance(value, str):
        return masker.mask(value)
    if isinstance(value, dict):
        return {mask_tree(k, masker): mask_tree(v, masker) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_tree(v, masker) for v in value]
    return value
