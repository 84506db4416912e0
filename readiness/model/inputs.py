"""Validators every entry point shares for option and environment values (ConfigError on bad).

Each takes the value and its ``source`` (the option, or the environment variable it came from)
and returns the parsed value, or raises a ``ConfigError`` whose one line names the source, the
problem and the expected form. The pytest options and the runbook CLIs both call these, so a
value is judged the same way wherever it is given.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

from readiness.model.errors import ConfigError

_PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ENGINE_SCHEMES = ("unix://", "tcp://", "ssh://", "http://", "https://", "npipe://")


def seconds(value: str, source: str) -> float:
    """A number of seconds greater than zero."""
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(source, "", f"expected seconds as a number, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(source, "", f"expected seconds > 0, got {value!r}")
    return number


def port(value: str, source: str) -> str:
    """A TCP port number, 1 to 65535 (returned as given, stripped)."""
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ConfigError(source, "", f"expected a port number 1-65535, got {value!r}")
    return text


def project_name(value: str, source: str) -> str:
    """A compose project name: lowercase letters, digits, '-' and '_', starting alphanumeric."""
    if not _PROJECT_NAME.fullmatch(value):
        raise ConfigError(
            source,
            "",
            f"expected a compose project name (lowercase letters, digits, '-', '_', starting "
            f"with a letter or digit), got {value!r}",
        )
    return value


def engine_url(value: str, source: str) -> str:
    """A Docker engine address: unix://, tcp://, ssh://, http(s):// or npipe://."""
    if not value.startswith(_ENGINE_SCHEMES):
        raise ConfigError(
            source,
            "",
            f"expected an engine address like unix:///var/run/docker.sock or "
            f"tcp://127.0.0.1:2375, got {value!r}",
        )
    from docker.errors import DockerException
    from docker.utils import parse_host

    try:
        parse_host(value)
    except (DockerException, ValueError) as exc:
        raise ConfigError(source, "", f"{exc} (got {value!r})") from None
    return value


def existing_dir(path: Path, source: str) -> Path:
    """A directory that exists."""
    if not path.is_dir():
        got = "a file" if path.exists() else "nothing there"
        raise ConfigError(source, "", f"{path}: expected a directory, got {got}")
    return path


def existing_file(path: Path, source: str) -> Path:
    """A regular file that exists and can be read."""
    if not path.is_file():
        got = "a directory" if path.is_dir() else "nothing there"
        raise ConfigError(source, "", f"{path}: expected a file, got {got}")
    if not os.access(path, os.R_OK):
        raise ConfigError(source, "", f"{path}: cannot be read (permissions)")
    return path


def writable_dir(path: Path, source: str, *, create: bool = True) -> Path:
    """A directory this process can write into (created if missing and ``create``).

    Writability is proved by creating and removing a temporary file, so a read-only mount,
    a full disk of inodes or missing permissions are found before any work starts.
    """
    if path.exists() and not path.is_dir():
        raise ConfigError(source, "", f"{path}: expected a directory, got a file")
    if not path.exists():
        if not create:
            raise ConfigError(source, "", f"{path}: expected a directory, got nothing there")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(source, "", f"{path}: cannot create ({_reason(exc)})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-probe-"):
            pass
    except OSError as exc:
        raise ConfigError(source, "", f"{path}: cannot write there ({_reason(exc)})") from None
    return path


def writable_file(path: Path, source: str) -> Path:
    """A file path whose directory can be written and that is not a directory itself."""
    if path.is_dir():
        raise ConfigError(source, "", f"{path}: expected a file name, got a directory")
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigError(source, "", f"{path}: cannot write there (permissions)")
    writable_dir(path.parent, source)
    return path


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
