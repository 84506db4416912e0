"""Prometheus's HTTP API, read once per session: targets, alert rules, alerts and the error rate."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from readiness.model.errors import ProbeError


@dataclass(frozen=True)
class Target:
    """One active scrape target."""

    job: str
    url: str
    health: str
    last_error: str = ""


@dataclass(frozen=True)
class PromFacts:
    """Everything the PRM checks read, from one call per endpoint (targets may be re-read
    while some target has not been scraped yet, bounded)."""

    base_url: str
    targets: tuple[Target, ...] = ()
    rules: dict[str, str] = field(default_factory=dict)
    firing: tuple[dict[str, Any], ...] = ()
    error_rate: float | None = None
    error_rate_query: str = ""
    waited: float = 0.0

    def targets_of(self, job: str) -> list[Target]:
        """The active targets of one scrape job."""
        return [t for t in self.targets if t.job == job]


class PromClient:
    """A tiny client of Prometheus's v1 API with a timeout on every request."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False

    def get(self, path: str, **params: str) -> Any:
        """``data`` of one API answer; ProbeError if Prometheus cannot be asked."""
        url = f"{self.base_url}{path}"
        try:
            response = self.session.get(url, params=params, timeout=self.timeout)
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProbeError(f"Could not ask Prometheus at {url}: {type(exc).__name__}") from None
        if response.status_code != 200 or body.get("status") != "success":
            raise ProbeError(
                f"Prometheus {path} answered {response.status_code}: {body.get('error', '')}"
            )
        return body["data"]

    def close(self) -> None:
        """Release the connection."""
        self.session.close()


def parse_targets(data: dict[str, Any]) -> tuple[Target, ...]:
    """Active targets of a ``/api/v1/targets`` answer."""
    return tuple(
        Target(
            job=str(t.get("labels", {}).get("job") or t.get("scrapePool", "")),
            url=str(t.get("scrapeUrl", "")),
            health=str(t.get("health", "unknown")),
            last_error=str(t.get("lastError", "")),
        )
        for t in data.get("activeTargets", [])
    )


def parse_rules(data: dict[str, Any]) -> dict[str, str]:
    """Loaded alerting rules: name -> query, from a ``/api/v1/rules`` answer."""
    rules: dict[str, str] = {}
    for group in data.get("groups", []):
        for rule in group.get("rules", []):
            if rule.get("type") == "alerting":
                rules[str(rule.get("name"))] = str(rule.get("query", ""))
    return rules


def parse_firing(data: dict[str, Any], severities: Sequence[str]) -> tuple[dict[str, Any], ...]:
    """Firing alerts whose severity label is one of ``severities``."""
    wanted = {s.lower() for s in severities}
    return tuple(
        alert
        for alert in data.get("alerts", [])
        if alert.get("state") == "firing"
        and str(alert.get("labels", {}).get("severity", "")).lower() in wanted
    )


def parse_scalar(data: dict[str, Any]) -> float | None:
    """The single value of an instant query (None when the result is empty or NaN)."""
    result = data.get("result", [])
    if not result:
        return None
    value = float(result[0]["value"][1])
    return None if math.isnan(value) else value


def normalize_expr(expr: str) -> str:
    """A PromQL expression with whitespace squeezed (Prometheus re-prints loaded rules)."""
    return "".join(expr.split())


def pending_jobs(targets: tuple[Target, ...], jobs: Sequence[str]) -> list[str]:
    """Required jobs not settled yet: no target discovered, or a target never scraped."""
    return [
        job
        for job in jobs
        if not any(t.job == job for t in targets)
        or any(t.job == job and t.health == "unknown" for t in targets)
    ]


def gather(
    client: PromClient,
    jobs: Sequence[str],
    severities: Sequence[str],
    error_rate_query: str,
    settle: float,
    sleep: Callable[[float], None] = time.sleep,
) -> PromFacts:
    """One read of each endpoint; targets are re-read (bounded) while a required job is pending
    (Prometheus just started: nothing discovered or scraped yet)."""
    start = time.monotonic()
    while True:
        targets = parse_targets(client.get("/api/v1/targets", state="active"))
        pending = pending_jobs(targets, jobs)
        if not pending or time.monotonic() - start >= settle:
            break
        sleep(1.0)
    rules = parse_rules(client.get("/api/v1/rules", type="alert"))
    firing = parse_firing(client.get("/api/v1/alerts"), severities)
    rate = parse_scalar(client.get("/api/v1/query", query=error_rate_query))
    return PromFacts(
        client.base_url, targets, rules, firing, rate, error_rate_query, time.monotonic() - start
    )
