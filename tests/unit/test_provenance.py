"""The sign-off's image IDs come from one image listing: the spellings a name is listed under."""

from __future__ import annotations

from typing import Any

from readiness.reports.provenance import index_listing, references


def test_references_cover_the_engines_spellings() -> None:
    assert references("nginx") == ["nginx:latest"]
    assert references("registry:5000/team/app") == ["registry:5000/team/app:latest"]
    assert references("docker.io/library/nginx:1.25") == [
        "docker.io/library/nginx:1.25",
        "nginx:1.25",
    ]
    assert references("docker.io/team/app:2") == ["docker.io/team/app:2", "team/app:2"]
    assert references("nginx@sha256:abc") == ["nginx@sha256:abc"]


def test_listing_index_maps_tags_and_digests_never_none() -> None:
    listing: list[dict[str, Any]] = [
        {"Id": "sha256:a", "RepoTags": ["app:1", "app:latest"], "RepoDigests": ["app@sha256:d"]},
        {"Id": "sha256:b", "RepoTags": ["<none>:<none>"], "RepoDigests": None},
        {"Id": "sha256:c", "RepoTags": None},
    ]
    assert index_listing(listing) == {
        "app:1": "sha256:a",
        "app:latest": "sha256:a",
        "app@sha256:d": "sha256:a",
    }
