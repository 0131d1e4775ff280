"""A database outage is answered 503 with Retry-After in the house shape, never 500
(defect 2), and the request line and metrics say so."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.extensions import db

from .faults import dropped


@contextmanager
def database_down(app):
    """Every statement fails the way an unreachable server makes it fail."""
    with app.app_context():
        engine = db.engine
    dbapi = engine.dialect.loaded_dbapi

    def refuse(*_args):
        raise dropped(dbapi, "connection refused: is the server running?")

    sa.event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v2/posts", {"title": "t", "content": "c"}),
        ("get", "/api/v2/posts", None),
        ("get", "/api/v2/me", None),
        ("post", "/api/v1/posts", {"title": "t", "content": "c"}),
    ],
)
def test_a_database_outage_is_answered_503_with_retry_after(app, auth, method, path, body):
    headers = auth.user("alice")
    client = app.test_client()

    with database_down(app):
        response = getattr(client, method)(path, json=body, headers=headers)

    assert response.status_code == 503, response.json
    assert response.headers["Retry-After"] == "2"
    assert response.json == {
        "error": "Service Unavailable",
        "message": "The database is unavailable; retry shortly",
        "code": "database_unavailable",
    }
    assert response.headers["X-Request-ID"]


def test_login_during_an_outage_is_503_not_401_or_500(app, auth):
    auth.create_user("alice")
    client = app.test_client()

    with database_down(app):
        response = client.post(
            "/api/v2/auth/login", json={"username": "alice", "password": "whatever123"}
        )

    assert response.status_code == 503
    assert "access_token" not in response.json


def test_a_statement_error_is_still_a_500(app, auth, monkeypatch):
    headers = auth.user("alice")
    client = app.test_client()
    with app.app_context():
        engine = db.engine

    def broken(*_args):
        raise engine.dialect.loaded_dbapi.ProgrammingError("no such column: nope")

    sa.event.listen(engine, "before_cursor_execute", broken)
    try:
        response = client.get("/api/v2/posts", headers=headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", broken)

    assert response.status_code == 500
    assert response.json["code"] == "internal_error"
