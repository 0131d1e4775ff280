"""The auth read's own connections (app.readconn): reused, capped, replaced after an error,
closed with the engine; what a request sees never changes (tests/test_auth_fast_path.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import readconn
from app.extensions import db

from .helpers import TEST_DATABASE_URL

ME = "/api/v1/me"


def own(app):
    with app.app_context():
        return readconn.own_connections(db.engine), db.engine


def test_one_connection_serves_every_request_of_a_thread(client, app, auth):
    headers = auth.user("alice")
    for _ in range(5):
        assert client.get(ME, headers=headers).status_code == 200
    connections, _engine = own(app)
    assert len(connections.made) == 1
    assert connections.free == connections.made


def test_past_the_cap_the_read_goes_through_the_pool(client, app, auth, monkeypatch):
    headers = auth.user("alice")
    connections, engine = own(app)
    monkeypatch.setattr(readconn, "MAX_OWN", 2)
    with connections.connection(engine) as first, connections.connection(engine) as second:
        assert first is not None and second is not None and first is not second
        with connections.connection(engine) as third:
            assert third is None  # two busy: this reader uses the pool
        response = client.get(ME, headers=headers)  # while both are held
        assert response.status_code == 200
        assert response.json["username"] == "alice"
    assert len(connections.free) == 2


def test_disposing_the_engine_closes_them(client, app, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    connections, engine = own(app)
    (fairy,) = connections.made
    raw = fairy.dbapi_connection
    engine.dispose()
    assert connections.made == [] and connections.free == []
    with pytest.raises(engine.dialect.loaded_dbapi.Error):
        raw.execute("SELECT 1")  # closed
    assert client.get(ME, headers=headers).status_code == 200  # a new one
    assert len(connections.made) == 1


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs TEST_DATABASE_URL")
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_killed_connection_is_replaced_and_the_request_still_answers(app, client, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    connections, engine = own(app)
    (fairy,) = connections.made
    pid = fairy.dbapi_connection.info.backend_pid
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    admin.dispose()

    response = client.get(ME, headers=headers)

    assert response.status_code == 200, response.json  # read again through Core
    assert fairy not in connections.made  # the dead one was closed and forgotten
    assert client.get(ME, headers=headers).status_code == 200
    (replacement,) = connections.made
    assert replacement.dbapi_connection.info.backend_pid != pid
