"""Prometheus metrics: what the service is doing, at ``GET /metrics``.

The collectors are module-level, created once per process (prometheus_client keeps them in
one registry per process). Under gunicorn every worker counts on its own; with
``PROMETHEUS_MULTIPROC_DIR`` set (``gunicorn.conf.py`` sets it when metrics are on) they
write to files in that directory and ``/metrics`` adds up every worker's, so any worker can
answer the scrape. ``gunicorn.conf.py``'s ``child_exit`` hook tells prometheus_client when
a worker dies.

``METRICS_ENABLED`` (default on, off in production) turns the endpoint on; with
``METRICS_TOKEN`` set a scrape must send ``Authorization: Bearer <METRICS_TOKEN>``.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REQUESTS = Counter(
    "blogapi_http_requests_total",
    "HTTP answers by method, route template and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "blogapi_http_request_duration_seconds",
    "Time from the request reaching the app to its answer, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
AUTH_FAILURES = Counter(
    "blogapi_auth_failures_total", "401 answers by error code (token_expired, …)", ["code"]
)
RATE_LIMITED = Counter("blogapi_rate_limited_total", "429 answers by route template", ["route"])
RATELIMIT_STORAGE_SWITCHES = Counter(
    "blogapi_ratelimit_storage_switches_total",
    "Rate-limit storage switches: to=memory when Redis fails, to=storage when it is back",
    ["to"],
)
RATELIMIT_ON_MEMORY = Gauge(
    "blogapi_ratelimit_fallback_active",
    "Workers counting rate limits in their own memory because the storage failed",
    multiprocess_mode="livesum",
)
DATABASE_ERRORS = Counter(
    "blogapi_database_errors_total",
    "Database failures answered 503 (or retried), by exception class",
    ["kind"],
)

bp = Blueprint("metrics", __name__)


def route_label() -> str:
    """The route template (``/api/v2/posts/<id:post_id>``), never the raw path: bounded."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


# The labelled children, by their labels: ``labels()`` validates and locks on each call,
# and the set of (method, route, status) a process sees is small and bounded (route
# templates, never raw paths). The collectors keep the same children, so caching them
# changes nothing they export.
_requests: dict[tuple[str, str, int], Any] = {}
_latency: dict[tuple[str, str], Any] = {}


def observe(response: Response, seconds: float) -> None:
    route = route_label()
    status = response.status_code
    method = request.method
    counter = _requests.get((method, route, status))
    if counter is None:
        counter = _requests[method, route, status] = REQUESTS.labels(method, route, str(status))
    counter.inc()
    histogram = _latency.get((method, route))
    if histogram is None:
        histogram = _latency[method, route] = LATENCY.labels(method, route)
    histogram.observe(seconds)
    if status == 401:
        body = response.get_json(silent=True) if response.is_json else None
        code = body.get("code") if isinstance(body, dict) else None
        AUTH_FAILURES.labels(str(code or "unknown")).inc()
    elif status == 429:
        RATE_LIMITED.labels(route).inc()


def count_database_error(exc: BaseException) -> None:
    DATABASE_ERRORS.labels(type(getattr(exc, "orig", None) or exc).__name__).inc()


def count_storage_switch(to: str) -> None:
    RATELIMIT_STORAGE_SWITCHES.labels(to).inc()
    if to == "memory":
        RATELIMIT_ON_MEMORY.inc()
    else:
        RATELIMIT_ON_MEMORY.dec()


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@bp.get("/metrics")
def metrics() -> Response:
    """Expose the metrics in Prometheus' text format."""
    if not current_app.config["METRICS_ENABLED"]:
        abort(404)
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            abort(404)  # a scraper without the token learns nothing, not even that it exists
    return Response(generate_latest(_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST})
