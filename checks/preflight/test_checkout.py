"""Seed 5 Execution Plan step 1: deploy from a clean checkout at the expected ref."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.fix_preflight import Preflight
from readiness.backends.git import GitFacts
from readiness.model.errors import ProbeError
from readiness.model.manifest import Manifest


def _git(preflight: Preflight) -> GitFacts:
    git: GitFacts = preflight.git()
    if not git.ok:
        raise ProbeError(f"Could not check the checkout: {git.error}")
    return git


@check("GIT-01")
def test_checkout_is_clean(preflight: Preflight, manifest: Manifest) -> None:
    """The deployment checkout has no uncommitted or untracked changes."""
    git = _git(preflight)
    shown = "; ".join(git.changes[:8]) + (" ..." if len(git.changes) > 8 else "")
    assert not git.changes, (
        f"checkout {manifest.project_dir.name}: local changes: expected none, "
        f"got {len(git.changes)}: {shown}"
    )


@check("GIT-02")
def test_checkout_at_expected_ref(preflight: Preflight, manifest: Manifest) -> None:
    """The deployment checkout is at the manifest's expected ref."""
    git = _git(preflight)
    ref = manifest.deployment.expected_ref
    wanted = git.resolved.get(ref, "")
    assert wanted, (
        f"checkout {manifest.project_dir.name}: ref: expected {ref}, got no such ref in the repo"
    )
    assert git.head == wanted, (
        f"checkout {manifest.project_dir.name}: ref: expected {ref} ({wanted[:12]}), "
        f"got HEAD {git.head[:12]} ({git.branch})"
    )
