"""Seeing the service: X-Request-ID, one JSON log line per request, /metrics, and the
scanner that fails the run when a secret reaches a log."""

from __future__ import annotations

import json
import logging

import pytest

from app.requestlog import JsonFormatter

from .helpers import PASSWORD, SecretScanner


def access_lines(caplog):
    return [r for r in caplog.records if r.name == "app.access"]


def test_a_request_id_is_generated_echoed_and_logged(app, auth, caplog):
    headers = auth.user("alice")
    client = app.test_client()

    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.get("/api/v2/me", headers=headers)

    rid = response.headers["X-Request-ID"]
    assert len(rid) == 32
    line = access_lines(caplog)[-1]
    entry = json.loads(JsonFormatter().format(line))
    assert entry["request_id"] == rid
    assert entry["method"] == "GET"
    assert entry["route"] == "/api/v2/me"
    assert entry["status"] == 200
    assert entry["user_id"] == response.json["id"]
    assert entry["duration_ms"] >= 0


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("req-123.abc_DEF", True), ("x" * 129, False), ("bad id", False), ("é", False)],
)
def test_a_client_request_id_is_kept_only_when_short_and_plain(client, sent, kept):
    response = client.get("/health", headers={"X-Request-ID": sent})

    assert (response.headers["X-Request-ID"] == sent) is kept
    assert len(response.headers["X-Request-ID"]) <= 128


def test_the_request_line_holds_no_secret(app, auth, caplog):
    auth.create_user("alice")
    client = app.test_client()

    with caplog.at_level(logging.INFO):
        login = client.post("/api/v2/auth/login", json={"username": "alice", "password": PASSWORD})
        client.get("/api/v2/me", headers={"Authorization": f"Bearer {login.json['access_token']}"})

    text = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert PASSWORD not in text
    assert login.json["access_token"] not in text
    assert "$argon2" not in text


def test_the_scanner_catches_a_leaked_token():
    scanner = SecretScanner()
    scanner.emit(
        logging.LogRecord(
            "x", logging.INFO, "", 0, "token %s", ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0",), None
        )
    )
    scanner.emit(logging.LogRecord("x", logging.INFO, "", 0, "fine", (), None))

    assert len(scanner.leaks) == 1


def test_metrics_count_requests_by_route_template_401s_by_code(app, auth):
    client = app.test_client()
    headers = auth.user("alice")
    client.get("/api/v2/posts/12345", headers=headers)
    client.get("/api/v2/me", headers={"Authorization": "Bearer nope"})

    text = client.get("/metrics").get_data(as_text=True)

    assert 'route="/api/v2/posts/<id:post_id>",status="404"' in text
    assert "/api/v2/posts/12345" not in text
    assert 'blogapi_auth_failures_total{code="token_invalid"}' in text
    assert "blogapi_http_request_duration_seconds_bucket" in text


def test_metrics_are_off_in_production_by_default_and_can_require_a_token(app_factory):
    from app.config import ProductionConfig

    assert (
        ProductionConfig.METRICS_ENABLED is False or "METRICS_ENABLED" in __import__("os").environ
    )
    off = app_factory(METRICS_ENABLED=False).test_client().get("/metrics")
    guarded = app_factory(METRICS_TOKEN="scrape-secret").test_client()

    assert off.status_code == 404
    assert guarded.get("/metrics").status_code == 404
    assert (
        guarded.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code
        == 200
    )
