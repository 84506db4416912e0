"""Read a compose ``.env`` file the way compose does (KEY=VALUE, comments, optional quotes)."""

from __future__ import annotations

import re
from pathlib import Path

from readiness.model.errors import ConfigError

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_env(text: str, path: str = ".env") -> dict[str, str]:
    """KEY=VALUE pairs; a line that is neither a comment nor an assignment is a ConfigError."""
    values: dict[str, str] = {}
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key or not key.replace("_", "").isalnum():
            raise ConfigError(path, f"line {number}", "expected KEY=VALUE")
        if not _KEY.fullmatch(key):
            raise ConfigError(path, f"line {number}", f"{key}: a name must not start with a digit")
        if key in first_seen:
            raise ConfigError(
                path,
                f"line {number}",
                f"{key} given twice (first on line {first_seen[key]}); keep one",
            )
        first_seen[key] = number
        value = value.strip()
        if value[:1] in ("'", '"') and value.find(value[0], 1) == -1:
            raise ConfigError(
                path, f"line {number}", f"{key}: unterminated {value[0]} quote (one line each)"
            )
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def read_env(path: Path) -> dict[str, str]:
    """The parsed file, or an empty mapping if it does not exist."""
    if not path.exists():
        return {}
    try:
        return parse_env(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "", "not UTF-8 text") from None
