"""Seed 2.1 Configuration: compose renders, services report health, nginx routes, images pinned."""

from __future__ import annotations

from fixtures.checkmark import check
from fixtures.evidence import attach
from fixtures.fix_preflight import Preflight
from fixtures.options import Target
from readiness.backends.compose import ComposeModel
from readiness.model.manifest import Manifest, Route
from readiness.model.masking import Masker
from readiness.parsers import nginx_config


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


@check("CFG-03")
def test_service_defines_healthcheck(service: str, rendered: ComposeModel) -> None:
    """Every service defines a healthcheck (the launch plan waits for (healthy))."""
    health = rendered.service(service).get("healthcheck") or {}
    test = health.get("test") or []
    disabled = health.get("disable") or (list(test)[:1] == ["NONE"])
    found = "disabled" if disabled else "none"
    defined = bool(test) and not disabled
    assert defined, f"service {service}: healthcheck: expected a healthcheck test, got {found}"


@check("CFG-04")
def test_nginx_config_is_valid(preflight: Preflight, manifest: Manifest, masker: Masker) -> None:
    """The nginx configuration, as its container sees it, passes `nginx -t`."""
    where = f"service {manifest.nginx.service}"
    errors = [f for f in preflight.nginx_config().findings if f.level == "error"]
    assert not errors, (
        f"{where}: files the nginx configuration names: expected present, got "
        + "; ".join(f"{f.describe()} (host path {f.host_path})" for f in errors)
    )
    result = preflight.nginx_t()
    judged = f" [judged by {result.judged_by}]" if result.judged_by else ""
    if result.judged_by:
        attach("judged by", result.judged_by, masker)
    assert result.ok, (
        f"{where}: nginx -t: expected 'syntax is ok' and 'test is successful', got exit "
        f"{result.returncode}: {masker.mask(result.tail())}{judged}"
    )


@check("CFG-05")
def test_nginx_routes_path_to_service(nginx_route: Route, preflight: Preflight) -> None:
    """nginx routes each declared path to the service the manifest names."""
    config = preflight.nginx_config()
    path, service = str(nginx_route.path), str(nginx_route.service)
    found = nginx_config.route_target(config, path)
    files = ", ".join(str(f.container_path) for f in config.files) or "no file"
    assert found is not None, (
        f"nginx route {path}: location: expected one proxying to {service}, got no location "
        f"(read {files})"
    )
    got = f"{found.host} (location {found.location}, proxy_pass {found.proxy_pass})"
    if not found.proxy_pass:
        got = f"no proxy_pass (location {found.location})"
    hosts = found.host.split(",")
    assert service in hosts, f"nginx route {path}: upstream: expected {service}, got {got}"


@check("CFG-06")
def test_image_is_pinned(service: str, rendered: ComposeModel) -> None:
    """Images are pinned to a version, not `:latest` or untagged."""
    image = str(rendered.service(service).get("image") or "")
    name = image.split("@", 1)[0]
    tag = name.rsplit(":", 1)[1] if ":" in name.rsplit("/", 1)[-1] else ""
    assert "@sha256:" in image or (tag and tag != "latest"), (
        f"service {service}: image tag: expected a pinned version, got "
        f"{image or 'no image'}{'' if tag else ' (no tag = latest)'}"
    )
