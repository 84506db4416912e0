"""Seed 2.2 Security: secrets come from .env, are real, stay out of git and out of sight."""

from __future__ import annotations

import stat

import pytest

from fixtures.checkmark import After, check
from fixtures.fix_preflight import Preflight
from fixtures.state import ReadinessState
from readiness.backends.compose import ComposeModel
from readiness.model.manifest import Manifest
from readiness.model.verdict import NOT_APPLICABLE_PREFIX
from readiness.parsers import secrets
from readiness.parsers.compose_secrets import effective_environment, value_origin

GRAFANA_PASSWORD = "GF_SECURITY_ADMIN_PASSWORD"
GRAFANA_PASSWORD_FILE = "GF_SECURITY_ADMIN_PASSWORD__FILE"


@check("SEC-01")
def test_secret_present(
    required_secret: str, env_values: dict[str, str], manifest: Manifest
) -> None:
    """Required secret is present and non-empty in .env."""
    env_name = manifest.env_file.name
    found = "empty" if required_secret in env_values else "missing"
    assert env_values.get(required_secret, "").strip(), (
        f"secret {required_secret}: value in {env_name}: expected non-empty, got {found}"
    )


@check("SEC-02")
def test_secret_not_weak(
    required_secret: str, env_values: dict[str, str], manifest: Manifest, after: After
) -> None:
    """Required secret is not a placeholder, a known default or too weak."""
    value = env_values.get(required_secret, "")
    after.require(bool(value), f"secret {required_secret} has no value")
    weak = secrets.weakness(value, manifest.secrets.placeholders, manifest.secrets.min_length)
    assert weak is None, f"secret {required_secret}: strength: expected {weak[0]}, got {weak[1]}"


@check("SEC-03")
def test_secret_not_hardcoded(secret_name: str, preflight: Preflight) -> None:
    """Secret is not hard-coded in compose files or tracked files (only ${VAR} from .env)."""
    places = preflight.hardcoded().get(secret_name, [])
    assert not places, (
        f"secret {secret_name}: hard-coded: expected only ${{VAR}} from .env, "
        f"got a literal in {', '.join(places)}"
    )


@check("SEC-04")
def test_env_not_tracked(readiness: ReadinessState, preflight: Preflight, after: After) -> None:
    """The .env file is not tracked by git."""
    git = preflight.git()
    after.require(git.ok, "the project is not a git checkout: nothing can be tracked")
    env_path = readiness.target_env_path
    project = readiness.manifest.project_dir
    if not env_path.is_relative_to(project):
        pytest.skip(f"{NOT_APPLICABLE_PREFIX}the .env lies outside the project checkout")
    rel = env_path.relative_to(project).as_posix()
    assert rel not in git.tracked, (
        f"file {rel}: git: expected untracked (ignored), got tracked in the checkout"
    )


@check("SEC-05")
def test_env_not_readable_by_others(readiness: ReadinessState) -> None:
    """The .env file is not readable by group or others (mode 600)."""
    env_path = readiness.target_env_path
    assert env_path.exists(), f"file {env_path.name}: exists: expected yes, got missing"
    mode = stat.S_IMODE(env_path.stat().st_mode)
    assert not mode & 0o077, (
        f"file {env_path.name}: mode: expected 0600 (no group/other access), got {mode:04o}"
    )


@check("GRF-01")
def test_grafana_password_not_default(
    rendered: ComposeModel, env_values: dict[str, str], manifest: Manifest
) -> None:
    """Grafana's effective admin password (what the container receives) is not the default."""
    grafana = manifest.grafana
    where = f"grafana {grafana.service}"
    env = effective_environment(rendered.service(grafana.service))
    if env.get(GRAFANA_PASSWORD_FILE):
        return  # read from a secret file: no default can come from the environment
    source, value = GRAFANA_PASSWORD, env.get(GRAFANA_PASSWORD)
    if value is None and grafana.password_env:
        source, value = f".env {grafana.password_env}", env_values.get(grafana.password_env)
    assert value, (
        f"{where}: {source}: expected a password, got none (Grafana then keeps admin/admin)"
    )
    defaults = (grafana.default_password.lower(), *manifest.secrets.placeholders)
    origin = value_origin(manifest.compose_files, grafana.service, GRAFANA_PASSWORD, env_values)
    assert value.lower() not in defaults, (
        f"{where}: {source}: expected a non-default password, got the default/placeholder "
        f"value ({origin.describe()})"
    )
