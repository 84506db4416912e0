"""Secret literals in raw compose files: names, value forms, file/service/line, never the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from readiness.parsers import compose_secrets as cs

COMPOSE = """\
x-common-env: &common-env
  SHARED_TOKEN: shared-literal-token
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: hunter2-literal
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
      POSTGRES_USER: app
      MONKEY: banana
  api:
    image: api
    env_file: .env.api
    environment:
      <<: *common-env
      DB_PASSWORD: ${DB_PASSWORD}
      JWT_SECRET: ${JWT_SECRET:?set JWT_SECRET}
      SESSION_KEY: ${SESSION_KEY?missing}
      API_KEY: ${API_KEY:-dev-api-key}
      STRIPE_TOKEN: ${STRIPE_TOKEN-}
      AWS_ACCESS_KEY_ID: AKIAEXAMPLE
      EMPTY_SECRET: ""
      PASSTHROUGH_PASSWORD:
      PRICE: 12
  grafana:
    image: grafana/grafana
    environment:
      - GF_SECURITY_ADMIN_PASSWORD=admin
      - GF_SECURITY_SECRET_KEY=${GF_KEY}
      - GF_AUTH_TOKEN
      - NESTED_PASSWORD=${A:-${B}}
      - NESTED_DEFAULT_PASSWORD=${A:-${B:-fallback}}
      - DOLLAR_PASSWORD=$$notavar
"""


def found(tmp_path: Path) -> list[tuple[str, str, str, int]]:
    path = tmp_path / "compose.yml"
    path.write_text(COMPOSE)
    return [(f.service, f.variable, f.kind, f.line) for f in cs.secret_literals(path)]


def test_literals_and_literal_defaults_with_service_and_line(tmp_path: Path) -> None:
    assert found(tmp_path) == [
        ("db", "POSTGRES_PASSWORD", "literal", 7),
        ("api", "API_KEY", "literal default", 19),
        ("api", "AWS_ACCESS_KEY_ID", "literal", 21),
        ("api", "SHARED_TOKEN", "literal", 2),
        ("grafana", "GF_SECURITY_ADMIN_PASSWORD", "literal", 28),
        ("grafana", "NESTED_DEFAULT_PASSWORD", "literal default", 32),
        ("grafana", "DOLLAR_PASSWORD", "literal", 33),
    ]


def test_findings_never_carry_the_value(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    path.write_text(COMPOSE)
    text = " ".join(f.describe() + repr(f) for f in cs.secret_literals(path))
    for value in ("hunter2-literal", "dev-api-key", "AKIAEXAMPLE", "admin", "shared-literal"):
        assert value not in text
    assert f"{path}:7 service db: POSTGRES_PASSWORD holds a literal value" in text


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("GF_SECURITY_ADMIN_PASSWORD", True),
        ("API_KEY", True),
        ("apiKey", True),
        ("db-passwd", True),
        ("JWT_SECRET", True),
        ("AWS_ACCESS_KEY_ID", True),
        ("PRIVATE_KEY_PEM", True),
        ("MONKEY", False),
        ("KEYBOARD_LAYOUT", False),
        ("TOKENIZER_MODEL", False),
        ("POSTGRES_PASSWORD_FILE", False),
        ("POSTGRES_USER", False),
    ],
)
def test_secret_names_on_word_boundaries(name: str, secret: bool) -> None:
    assert cs.is_secret_name(name) is secret


def test_custom_words_and_exclusions() -> None:
    assert cs.is_secret_name("SIGNING_SALT", words=["SALT"])
    assert not cs.is_secret_name("AWS_ACCESS_KEY_ID", exclude=["*_KEY_ID"])


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("plain", "literal"),
        ("${X}", None),
        ("$X", None),
        ("${X:?required}", None),
        ("${X?required}", None),
        ("${X:-}", None),
        ("${X:-fallback}", "literal default"),
        ("${X-fallback}", "literal default"),
        ("${X:+alt}", "literal default"),
        ("${X:-${Y}}", None),
        ("Bearer ${TOKEN}", None),
        ("", None),
        (None, None),
    ],
)
def test_value_forms(value: str | None, kind: str | None) -> None:
    assert cs.classify(value) == kind


def test_effective_environment_of_map_and_list_forms() -> None:
    assert cs.effective_environment({"environment": {"A": "1", "B": None, "C": 3}}) == {
        "A": "1",
        "B": None,
        "C": "3",
    }
    assert cs.effective_environment({"environment": ["A=1", "B", "C=x=y"]}) == {
        "A": "1",
        "B": None,
        "C": "x=y",
    }
    assert cs.effective_environment({}) == {}


def test_value_origin_follows_the_last_file_and_dotenv(tmp_path: Path) -> None:
    base = tmp_path / "compose.yml"
    base.write_text(COMPOSE)
    override = tmp_path / "compose.prod.yml"
    override.write_text("services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${PGPW}\n")
    files = [base, override]
    origin = cs.value_origin(files, "db", "POSTGRES_PASSWORD")
    assert (origin.origin, origin.file, origin.line, origin.source_variable) == (
        "interpolated",
        override,
        4,
        "PGPW",
    )
    assert cs.value_origin([base], "db", "POSTGRES_PASSWORD").origin == "compose literal"
    assert cs.value_origin(files, "api", "API_KEY").origin == "compose literal default"
    with_env = cs.value_origin(files, "api", "API_KEY", {"API_KEY": "from-dotenv"})
    assert with_env.describe() == f"interpolated from .env variable API_KEY ({base}:19)"
    assert cs.value_origin(files, "api", "PASSTHROUGH_PASSWORD").origin == "pass-through"
    assert cs.value_origin(files, "api", "NOT_DECLARED").origin == "env_file"
    assert cs.value_origin(files, "db", "NOT_DECLARED").origin == "not set"
