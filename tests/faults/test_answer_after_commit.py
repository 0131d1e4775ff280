"""A write that committed is answered as a success, even when the database goes away
right after the commit (defect 1: the answer was built by reading the row again).

The fault: from the moment a request's transaction commits, every further statement on the
app's engine fails the way a dropped connection does. Before the fix the views read the
expired row back to dump it, and a saved post was answered 500.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Post, Todo, User

from ..helpers import PASSWORD, count_rows
from .faults import dropped


@contextmanager
def connection_drops_after_commit(app):
    """Fail every statement that follows a commit (until the block ends)."""
    state = {"committed": False}
    with app.app_context():
        engine = db.engine
    dbapi = engine.dialect.loaded_dbapi

    def after_commit(session):
        if session.get_bind() is engine:
            state["committed"] = True

    def before_execute(conn, cursor, statement, parameters, context, executemany):
        if state["committed"]:
            raise dropped(dbapi, "server closed the connection unexpectedly")

    sa.event.listen(Session, "after_commit", after_commit)
    sa.event.listen(engine, "before_cursor_execute", before_execute)
    try:
        yield state
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_execute)
        sa.event.remove(Session, "after_commit", after_commit)


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/api/v2/posts", {"title": "saved", "content": "once"}, Post),
        ("/api/v2/todos", {"title": "saved"}, Todo),
    ],
)
def test_a_committed_create_is_answered_201_when_the_connection_drops_after_commit(
    app, auth, path, body, model
):
    headers = auth.user("alice")
    client = app.test_client()

    with connection_drops_after_commit(app) as state:
        response = client.post(path, json=body, headers=headers)

    assert state["committed"]
    assert response.status_code == 201, response.json
    assert response.json["title"] == "saved"
    assert response.json["id"] > 0
    assert count_rows(app, model) == 1


def test_a_committed_update_is_answered_200_when_the_connection_drops_after_commit(app, auth):
    headers = auth.user("alice")
    client = app.test_client()
    post = client.post("/api/v2/posts", json={"title": "a", "content": "b"}, headers=headers)

    with connection_drops_after_commit(app):
        response = client.patch(
            f"/api/v2/posts/{post.json['id']}", json={"title": "changed"}, headers=headers
        )

    assert response.status_code == 200, response.json
    assert response.json["title"] == "changed"
    assert response.json["author"]["username"] == "alice"


def test_registration_is_answered_201_when_the_connection_drops_after_commit(app):
    client = app.test_client()

    with connection_drops_after_commit(app):
        response = client.post("/api/v2/users", json={"username": "bob", "password": PASSWORD})

    assert response.status_code == 201, response.json
    assert response.json["username"] == "bob"
    assert count_rows(app, User) == 1


def test_an_admin_edit_of_another_users_post_is_answered_with_its_author(app, auth):
    alice = auth.user("alice")
    admin = auth.user("root", admin=True)
    client = app.test_client()
    post = client.post("/api/v2/posts", json={"title": "a", "content": "b"}, headers=alice)

    with connection_drops_after_commit(app):
        response = client.put(
            f"/api/v2/posts/{post.json['id']}", json={"title": "t", "content": "c"}, headers=admin
        )

    assert response.status_code == 200, response.json
    assert response.json["author"]["username"] == "alice"
