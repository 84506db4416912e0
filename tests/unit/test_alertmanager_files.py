"""Alertmanager through Prometheus's eyes and its container's: targets, command, config paths."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from readiness.parsers import alertmanager_files as am
from readiness.parsers.container_view import ContainerView

PROMETHEUS = """\
global: {scrape_interval: 15s}
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["am-main:9093", "external.example.invalid:9093"]
    - dns_sd_configs:
        - names: [am-replica, _alertmanager._tcp.example.invalid]
          port: 9095
    - file_sd_configs: [{files: [/etc/prometheus/am.json]}]
"""

MODEL = {
    "services": {
        "am-main": {"image": "x"},
        "alerts": {"networks": {"mon": {"aliases": ["am-replica"]}}},
        "prometheus": {"hostname": "prom"},
    }
}


def test_alerting_targets_with_their_lines(tmp_path: Path) -> None:
    config = tmp_path / "prom.yml"
    config.write_text(PROMETHEUS)
    found = am.alerting(config)
    assert [(t.host, t.port) for t in found.targets] == [
        ("am-main", 9093),
        ("external.example.invalid", 9093),
        ("am-replica", 9095),
    ]
    assert found.targets[0].where == (
        "prom.yml line 5: alerting.alertmanagers[0].static_configs[0].targets[0]"
    )
    assert found.discovered[0].startswith("_alertmanager._tcp.example.invalid (prom.yml line 7")
    assert "file_sd_configs (prom.yml line 9" in found.discovered[1]
    assert am.alertmanager_services(MODEL, found) == ["alerts", "am-main"]


def test_no_alerting_block_sends_nowhere(tmp_path: Path) -> None:
    config = tmp_path / "prom.yml"
    config.write_text("scrape_configs: []\n")
    found = am.alerting(config)
    assert not found.sends_anywhere
    assert found.describe() == "none"
    assert am.alertmanager_services(MODEL, found) == []


def test_compose_command_replaces_the_image_cmd_and_keeps_its_entrypoint() -> None:
    image = {"Entrypoint": ["alertmanager"], "Cmd": ["--config.file=/etc/am/image.yml"]}
    service = {"command": ["--config.file=conf/am.yml", "--web.listen-address=:9094"]}
    location = am.config_location(service, "img", {**image, "WorkingDir": "/srv"})
    assert location.container_path == PurePosixPath("/srv/conf/am.yml")
    assert location.line == "--config.file=conf/am.yml (compose command)"
    assert location.listen_port == 9094
    from_image = am.config_location({}, "img", image)
    assert from_image.container_path == PurePosixPath("/etc/am/image.yml")
    assert from_image.line == "--config.file=/etc/am/image.yml (image img Cmd)"
    assert from_image.listen_port == am.DEFAULT_PORT


def test_compose_entrypoint_drops_the_image_cmd_and_shell_forms_are_read() -> None:
    image = {"Cmd": ["--config.file=/etc/am/image.yml"]}
    service = {"entrypoint": ["/bin/sh", "-c", "exec alertmanager --config.file /run/am.yml"]}
    location = am.config_location(service, "img", image)
    assert location.container_path == PurePosixPath("/run/am.yml")
    assert location.line == "--config.file=/run/am.yml (compose entrypoint)"


def test_default_paths_say_where_they_come_from() -> None:
    absent = am.config_location({}, "img:1", None)
    assert absent.container_path == PurePosixPath(am.DEFAULT_CONFIG)
    assert "image img:1 is not on this machine" in absent.line
    no_flag = am.config_location({}, "img", {"Cmd": ["--storage.path=/data"], "WorkingDir": "/am"})
    assert no_flag.container_path == PurePosixPath("/am/alertmanager.yml")
    assert "no --config.file in image img Cmd" in no_flag.line


def test_referenced_files_through_the_mounts(tmp_path: Path) -> None:
    (tmp_path / "am.yml").write_text(
        "global: {}\n"
        "templates: ['/etc/am/templates/*.tmpl', '/etc/am/notifications/*.tmpl']\n"
        "receivers:\n"
        "  - name: pager\n"
        "    webhook_configs:\n"
        "      - url_file: /run/secrets/hook\n"
        "        http_config: {tls_config: {ca_file: /etc/ssl/certs/ca.pem}}\n"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.tmpl").write_text('{{ define "x" }}{{ end }}')
    service = {
        "volumes": [
            {"type": "bind", "source": str(tmp_path / "am.yml"), "target": "/etc/am/am.yml"},
            {"type": "bind", "source": str(tmp_path / "templates"), "target": "/etc/am/templates"},
        ],
        "secrets": [{"source": "hook"}],
    }
    model = {"secrets": {"hook": {"file": str(tmp_path / "hook.txt")}}}
    view = ContainerView(service, model)
    problems = am.referenced_problems(view, tmp_path / "am.yml", PurePosixPath("/etc/am/am.yml"))
    assert len(problems) == 2, problems
    assert problems[0].startswith("am.yml templates[1] '/etc/am/notifications/*.tmpl': no mount")
    assert "receivers[0].webhook_configs[0].url_file '/run/secrets/hook'" in problems[1]
    assert f"host {tmp_path / 'hook.txt'}, which does not exist" in problems[1]
