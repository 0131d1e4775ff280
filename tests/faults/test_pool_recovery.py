"""After a database restart, failover or killed backend, the first request on each worker
succeeds (defect 3): a pooled connection the server closed is found and replaced before a
statement uses it, even when it sat idle for less than DB_POOL_PING_IDLE_SECONDS."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from app.extensions import db

from ..helpers import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL")


def kill_backends(pids):
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        for pid in pids:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_killed_while_briefly_idle_is_replaced_before_use(app_factory, auth):
    # Idle far below the ping threshold: before the fix this request got the dead one.
    app = app_factory(DB_POOL_PING_IDLE_SECONDS=60, DB_POOL_SIZE=2, DB_MAX_OVERFLOW=0)
    client = app.test_client()
    auth.app, auth.client = app, client
    headers = auth.user("alice")
    with app.app_context():
        pids = set()
        with db.engine.connect() as a, db.engine.connect() as b:
            for conn in (a, b):
                pids.add(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar())
    kill_backends(pids)
    time.sleep(0.1)  # the server's goodbye reaches the client socket

    answers = [
        client.post("/api/v2/posts", json={"title": f"t{i}", "content": "c"}, headers=headers)
        for i in range(4)
    ]

    assert [r.status_code for r in answers] == [201] * 4, [r.json for r in answers]
    with app.app_context():
        assert db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar() not in pids
