"""Seed phase 2 step 7: the routes answer as the manifest declares, over verified HTTPS."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.fix_postdeploy import route_id
from readiness.backends.http import Answer
from readiness.model.manifest import Route
from readiness.model.masking import Masker


@check("RTE-01")
def test_route_answers_as_declared(
    route: Route, route_answers: dict[str, Answer], masker: Masker
) -> None:
    """Each route answers with the declared status and content (verified HTTPS, with timeout)."""
    answer = route_answers[route.probe]
    where = route_id(route)
    if (
        answer.error
        or answer.status != route.status
        or (route.contains and route.contains not in answer.body)
    ):
        attach(f"response to {route.probe}", answer.describe(), masker)
    assert not answer.error, f"{where}: answer: expected HTTP {route.status}, got {answer.error}"
    assert answer.status == route.status, (
        f"{where}: status: expected {route.status}, got {answer.status}"
    )
    if route.contains:
        assert route.contains in answer.body, (
            f"{where}: body: expected to contain {route.contains!r}, got {answer.body[:120]!r}"
        )
