"""Seed 4 after launch: Grafana does not let anyone in with admin/admin."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from readiness.backends.http import Answer
from readiness.model.manifest import Manifest
from readiness.model.masking import Masker


@check("GRF-02")
def test_grafana_rejects_default_credentials(
    grafana_default_login: Answer, manifest: Manifest, masker: Masker
) -> None:
    """Grafana rejects the default admin credentials (401 from /api/user)."""
    answer = grafana_default_login
    where = f"grafana {manifest.grafana.service}"
    user = manifest.grafana.default_user
    assert not answer.error, f"{where}: login probe: expected an answer, got {answer.error}"
    if answer.status not in (401, 403):
        attach("Grafana answer to the default credentials", answer.describe(), masker)
    assert answer.status in (401, 403), (
        f"{where}: login {user}/{'*' * len(manifest.grafana.default_password)} (default): "
        f"expected 401 rejected, got {answer.status} accepted"
    )
