"""Seed 2.2 Security: secrets come from .env, are real, stay out of git and out of sight."""

from __future__ import annotations

import stat

from fixtures.checkmark import check
from fixtures.fix_preflight import Preflight
from fixtures.state import ReadinessState
from readiness.model.manifest import Manifest
from readiness.parsers import secrets


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
    required_secret: str, env_values: dict[str, str], manifest: Manifest
) -> None:
    """Required secret is not a placeholder, a known default or too weak."""
    value = env_values.get(required_secret, "")
    if not value:
        return  # SEC-01 reports a missing secret
    weak = secrets.weakness(value, manifest.secrets.placeholders, manifest.secrets.min_length)
    assert weak is None, f"secret {required_secret}: strength: expected {weak[0]}, got {weak[1]}"


@check("SEC-03")
def test_secret_not_hardcoded(required_secret: str, preflight: Preflight) -> None:
    """Secret is not hard-coded in compose files or tracked files (only ${VAR} from .env)."""
    places = preflight.hardcoded().get(required_secret, [])
    assert not places, (
        f"secret {required_secret}: hard-coded: expected only ${{{required_secret}}} from .env, "
        f"got its literal value in {', '.join(places)}"
    )


@check("SEC-04")
def test_env_not_tracked(readiness: ReadinessState, preflight: Preflight) -> None:
    """The .env file is not tracked by git."""
    git = preflight.git()
    if not git.ok:
        return  # not a checkout: nothing can be tracked (GIT-01 reports it)
    env_path = readiness.target_env_path
    project = readiness.manifest.project_dir
    if not env_path.is_relative_to(project):
        return
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
def test_grafana_password_not_default(env_values: dict[str, str], manifest: Manifest) -> None:
    """Grafana's admin password is set and is not the default."""
    name = manifest.grafana.password_env
    value = env_values.get(name, "")
    assert value, f"grafana {manifest.grafana.service}: {name}: expected set, got missing or empty"
    defaults = (manifest.grafana.default_password.lower(), *manifest.secrets.placeholders)
    assert value.lower() not in defaults, (
        f"grafana {manifest.grafana.service}: {name}: expected a non-default password, "
        "got the default/placeholder value"
    )
