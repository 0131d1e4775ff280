"""A pooled PostgreSQL connection the server dropped while it sat idle is replaced unseen."""

import time

import pytest
import sqlalchemy as sa

from app.extensions import db

from .helpers import TEST_DATABASE_URL, Auth

# The ``backend`` fixture skips the PostgreSQL run without TEST_DATABASE_URL (fails in CI).


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_idle_connection_dropped_by_the_server_is_replaced(app_factory, auth_for):
    app = app_factory(DB_POOL_PING_IDLE_SECONDS=0.05, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0)
    client, headers = auth_for(app)
    assert client.get("/api/v2/me", headers=headers).status_code == 200
    with app.app_context():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    time.sleep(0.2)

    health = client.get("/health")
    assert health.status_code == 200
    assert health.json == {"status": "ok", "database": "ok"}
    me = client.get("/api/v2/me", headers=headers)
    assert me.status_code == 200
    assert me.json["username"] == "alice"
    with app.app_context():
        assert db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid


@pytest.fixture
def auth_for():
    def make(app):
        client = app.test_client()
        return client, Auth(app, client).user("alice")

    return make
