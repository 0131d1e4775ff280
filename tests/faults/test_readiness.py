"""Readiness proves writes work (defect 7): /health stays liveness + a read, /health/ready
writes a heartbeat and reports SQLite's free disk; a database that refuses writes is not
ready, and the API answers its writes 503, not 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db


def test_ready_writes_a_heartbeat(app):
    client = app.test_client()

    first = client.get("/health/ready")
    second = client.get("/health/ready")

    assert first.status_code == second.status_code == 200
    assert first.json["status"] == "ok"
    assert first.json["writes"] == "ok"
    with app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM heartbeat")).scalar() == 1


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_database_that_refuses_writes_is_live_but_not_ready(app, auth):
    headers = auth.user("alice")
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        engine.dispose()

    def read_only(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA query_only=ON")  # as a read-only remount would

    sa.event.listen(engine, "connect", read_only)
    try:
        live = client.get("/health")
        ready = client.get("/health/ready")
        write = client.post("/api/v2/posts", json={"title": "t", "content": "c"}, headers=headers)
    finally:
        sa.event.remove(engine, "connect", read_only)
        engine.dispose()

    assert live.status_code == 200
    assert ready.status_code == 503
    assert ready.json["writes"] == "failing"
    assert write.status_code == 503
    assert write.json["code"] == "database_unavailable"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_too_little_free_disk_is_not_ready(app_factory):
    app = app_factory(READINESS_MIN_FREE_MB=10**12)  # more than any disk has

    ready = app.test_client().get("/health/ready")

    assert ready.status_code == 503
    assert ready.json["disk"] == "low"
    assert ready.json["disk_free_bytes"] > 0
