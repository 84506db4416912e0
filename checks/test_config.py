"""Seed 2.1 Configuration: the compose files render and every service can report its health."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.compose import ComposeModel
from fixtures.options import Target


@check("CFG-01")
def test_compose_files_render(compose_model: ComposeModel, target: Target) -> None:
    """Compose files render with `docker compose config`."""
    files = ", ".join(f.name for f in target.compose_files)
    assert compose_model.ok, (
        f"compose [{files}]: render: expected success, got: {compose_model.error}"
    )


@check("CFG-02")
def test_no_variable_renders_blank(compose_model: ComposeModel, target: Target) -> None:
    """No compose variable renders blank because it is unset."""
    unset = ", ".join(compose_model.unset_variables)
    assert not compose_model.unset_variables, (
        f"compose: variables: expected all set in {target.env_file.name}, "
        f"got unset (rendered blank): {unset}"
    )
