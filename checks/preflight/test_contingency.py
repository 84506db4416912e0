"""Seed 6 Contingency & Communication: someone is in charge and there is a channel."""

from __future__ import annotations

from fixtures.checkmark import check
from readiness.model.manifest import Manifest

UNASSIGNED = ("", "tbd", "todo", "n/a", "none", "[assign name]", "unassigned", "?")


@check("OPS-01")
def test_contact_is_assigned(contact: str, manifest: Manifest) -> None:
    """The incident commander and the communication channel are assigned."""
    value = str(getattr(manifest.contacts, contact)).strip()
    placeholder = value.lower() in UNASSIGNED or (value.startswith("[") and value.endswith("]"))
    found = repr(value) if value else "nothing"
    assert not placeholder, (
        f"contacts {contact}: assignment: expected a named person or channel, got {found}"
    )
