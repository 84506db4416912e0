"""Secret-named variables that hold literals in compose files, judged on the raw YAML.

Reading the files before interpolation keeps file, service and line known, and tells
``${DB_PASSWORD}`` (from ``.env``) apart from ``DB_PASSWORD: hunter2`` (in the file). Findings
never carry the value.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from readiness.model.manifest import SECRET_WORDS

EXCLUDED_NAMES = ("*_FILE",)
"""Name patterns that are never secret literals: ``*_FILE`` points at a secret file."""

LiteralKind = Literal["literal", "literal default"]
Origin = Literal[
    "compose literal",
    "compose literal default",
    "interpolated",
    "pass-through",
    "env_file",
    "not set",
]
_NAME_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(frozen=True)
class SecretLiteral:
    """A secret-named variable whose value is written in a compose file (value withheld)."""

    file: Path
    service: str
    variable: str
    kind: LiteralKind
    line: int

    def describe(self) -> str:
        """One line naming file, line, service and variable, with the fix."""
        what = (
            "holds a literal value"
            if self.kind == "literal"
            else "falls back to a literal default (`${VAR:-...}`)"
        )
        return (
            f"{self.file}:{self.line} service {self.service}: {self.variable} {what}; take it"
            f" from .env as `${{{self.variable}}}` or a compose secret"
        )


def is_secret_name(
    name: str, words: Iterable[str] = SECRET_WORDS, exclude: Iterable[str] = EXCLUDED_NAMES
) -> bool:
    """True when a secret word is a whole part of ``name`` (``DB_PASSWORD``, not ``MONKEY``)."""
    upper = name.upper()
    if any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in exclude):
        return False
    parts = name_parts(name)
    for word in words:
        wanted = [w for w in word.upper().split("_") if w]
        if any(parts[i : i + len(wanted)] == wanted for i in range(len(parts))):
            return True
    return False


def name_parts(name: str) -> list[str]:
    """``GF_SECURITY_ADMIN_PASSWORD`` / ``apiKey`` -> upper-case words split on ``_``, ``-``,
    ``.`` and camelCase."""
    return [m.upper() for chunk in re.split(r"[_\-.]+", name) for m in _NAME_PARTS.findall(chunk)]


def classify(value: str | None) -> LiteralKind | None:
    """``literal``, ``literal default`` (``${X:-fallback}``) or None (``${X}``, empty, unset).

    A value that interpolates anything (``Bearer ${TOKEN}``) is not a literal: its secret part
    comes from the environment.
    """
    if value is None or value == "":
        return None
    pieces = list(_interpolations(value))
    if not pieces:
        return "literal"
    for _start, _end, _name, operator, rest in pieces:
        if operator in ("-", ":-", "+", ":+") and rest and classify(rest) is not None:
            return "literal default"
    return None


def _interpolations(value: str) -> Iterator[tuple[int, int, str, str, str]]:
    """(start, end, name, operator, rest) for each ``${...}`` / ``$NAME``; ``$$`` skipped."""
    i = 0
    while i < len(value):
        if value.startswith("$$", i):
            i += 2
            continue
        if value.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(value) and depth:
                if value.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                depth -= value[j] == "}"
                j += 1
            body = value[i + 2 : j - 1]
            name = re.match(r"[A-Za-z_][A-Za-z0-9_]*", body)
            key = name.group(0) if name else ""
            tail = body[len(key) :]
            operator = next((op for op in _OPERATORS if tail.startswith(op)), "")
            yield i, j, key, operator, tail[len(operator) :]
            i = j
            continue
        plain = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", value[i:])
        if plain:
            yield i, i + plain.end(), plain.group(1), "", ""
            i += plain.end()
            continue
        i += 1


@dataclass(frozen=True)
class _Setting:
    service: str
    variable: str
    value: str | None
    line: int


def _environment(path: Path) -> Iterator[_Setting]:
    """Every ``services.<name>.environment`` entry of one raw compose file, with its line."""
    services = _get(_load(path), "services")
    if not isinstance(services, yaml.MappingNode):
        return
    for key, spec in _pairs(services):
        env = _get(spec, "environment")
        if isinstance(env, yaml.MappingNode):
            for name, value in _pairs(env):
                yield _Setting(
                    key.value, str(name.value), _scalar(value), value.start_mark.line + 1
                )
        elif isinstance(env, yaml.SequenceNode):
            for item in env.value:
                if isinstance(item, yaml.ScalarNode):
                    var, sep, text = str(item.value).partition("=")
                    line = item.start_mark.line + 1
                    yield _Setting(key.value, var.strip(), text if sep else None, line)


def _load(path: Path) -> yaml.Node | None:
    """The YAML node tree of ``path`` (anchors shared, nothing interpolated)."""
    return yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


def _pairs(node: yaml.Node) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
    """Key/value pairs of a mapping node, ``<<`` merge keys followed (explicit keys win)."""
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    merged: list[yaml.Node] = []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "<<":
            merged.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        elif isinstance(key, yaml.ScalarNode):
            seen.add(str(key.value))
            yield key, value
    for source in merged:
        for key, value in _pairs(source):
            if key.value not in seen:
                seen.add(str(key.value))
                yield key, value


def _get(node: yaml.Node | None, name: str) -> yaml.Node | None:
    if node is None:
        return None
    return next((value for key, value in _pairs(node) if key.value == name), None)


def _scalar(node: yaml.Node) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
        return None
    return str(node.value)


def secret_literals(
    compose_file: Path, words: Iterable[str] = SECRET_WORDS, exclude: Iterable[str] = EXCLUDED_NAMES
) -> list[SecretLiteral]:
    """Secret-named environment variables that hold a literal in ``compose_file``.

    Raises OSError or yaml.YAMLError when the file cannot be read or parsed.
    """
    words, exclude = tuple(words), tuple(exclude)
    found = []
    for setting in _environment(compose_file):
        if not is_secret_name(setting.variable, words, exclude):
            continue
        kind = classify(setting.value)
        if kind is not None:
            found.append(
                SecretLiteral(compose_file, setting.service, setting.variable, kind, setting.line)
            )
    return found


def effective_environment(rendered_service: Mapping[str, Any]) -> dict[str, str | None]:
    """A rendered service's environment as a dict (None: passed through from the shell)."""
    env = rendered_service.get("environment") or {}
    if isinstance(env, Mapping):
        return {str(k): None if v is None else str(v) for k, v in env.items()}
    pairs = (str(item).partition("=") for item in env)
    return {k: v if sep else None for k, sep, v in pairs}


@dataclass(frozen=True)
class ValueOrigin:
    """Where one service variable's value comes from, as far as the raw files tell."""

    origin: Origin
    file: Path | None = None
    line: int = 0
    source_variable: str | None = None

    def describe(self) -> str:
        """One line: ``interpolated from .env variable DB_PASSWORD (compose.yml:12)``."""
        where = f" ({self.file}:{self.line})" if self.file else ""
        source = f" from .env variable {self.source_variable}" if self.source_variable else ""
        return f"{self.origin}{source}{where}"


def value_origin(
    compose_files: Sequence[Path],
    service: str,
    variable: str,
    dotenv: Mapping[str, str] | None = None,
) -> ValueOrigin:
    """Where ``service``'s ``variable`` gets its value: the last file that sets it decides.

    ``${X}`` is interpolated (from ``.env`` or the shell); ``${X:-fallback}`` is interpolated
    when ``dotenv`` sets X, else the compose literal default. A service without the variable
    but with ``env_file:`` may get it there.
    """
    dotenv = dotenv or {}
    last: tuple[Path, _Setting] | None = None
    has_env_file = False
    for path in compose_files:
        for setting in _environment(path):
            if setting.service == service and setting.variable == variable:
                last = (path, setting)
        spec = _get(_get(_load(path), "services"), service)
        has_env_file = has_env_file or _get(spec, "env_file") is not None
    if last is None:
        return ValueOrigin("env_file" if has_env_file else "not set")
    path, setting = last
    if setting.value is None:
        return ValueOrigin("pass-through", path, setting.line)
    kind = classify(setting.value)
    pieces = list(_interpolations(setting.value))
    source = pieces[0][2] if pieces else None
    if kind == "literal":
        return ValueOrigin("compose literal", path, setting.line)
    if kind == "literal default" and not (source and dotenv.get(source)):
        return ValueOrigin("compose literal default", path, setting.line, source)
    return ValueOrigin("interpolated", path, setting.line, source)
