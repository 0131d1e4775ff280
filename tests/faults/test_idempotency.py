"""Idempotency-Key on v2 POSTs: a retry answers the stored result without doing the work
twice; another body under the same key is 422; concurrent requests with one key do the work
once; keys are per user; a failure before the commit stores nothing."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.models import IdempotencyKey, Post, Todo, User

from ..helpers import PASSWORD, count_rows, unique_slug
from .test_answer_after_commit import connection_drops_after_commit
from .test_database_unavailable import database_down


def key(value="key-1"):
    return {"Idempotency-Key": value}


@pytest.mark.parametrize(
    ("path", "body", "model"),
    [
        ("/api/v2/posts", {"title": "once", "content": "c"}, Post),
        ("/api/v2/todos", {"title": "once"}, Todo),
    ],
)
def test_a_retry_with_the_same_key_answers_the_first_answer(app, auth, path, body, model):
    headers = {**auth.user("alice"), **key()}
    client = app.test_client()

    first = client.post(path, json=body, headers=headers)
    again = client.post(path, json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_rows(app, model) == 1


def test_the_same_key_with_another_body_is_422_and_does_nothing(app, auth):
    headers = {**auth.user("alice"), **key()}
    client = app.test_client()
    client.post("/api/v2/posts", json={"title": "a", "content": "c"}, headers=headers)

    other = client.post("/api/v2/posts", json={"title": "b", "content": "c"}, headers=headers)

    assert other.status_code == 422
    assert other.json["code"] == "idempotency_key_reused"
    assert count_rows(app, Post) == 1


def test_keys_are_per_user(app, auth):
    alice = {**auth.user("alice"), **key()}
    bob = {**auth.user("bob"), **key()}
    client = app.test_client()
    body = {"title": "a", "content": "c"}

    first = client.post("/api/v2/posts", json=body, headers=alice)
    second = client.post("/api/v2/posts", json=body, headers=bob)

    assert first.status_code == second.status_code == 201
    assert second.json["author"]["username"] == "bob"
    assert count_rows(app, Post) == 2


def test_registration_retried_with_its_key_registers_once(app):
    client = app.test_client()
    body = {"username": "carol", "password": PASSWORD}

    first = client.post("/api/v2/users", json=body, headers=key())
    again = client.post("/api/v2/users", json=body, headers=key())

    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert count_rows(app, User) == 1


def test_a_failed_commit_stores_no_key_and_the_retry_does_the_work(app, auth):
    headers = {**auth.user("alice"), **key()}
    client = app.test_client()
    body = {"title": "a", "content": "c"}

    with database_down(app):
        failed = client.post("/api/v2/posts", json=body, headers=headers)
    retried = client.post("/api/v2/posts", json=body, headers=headers)

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    assert count_rows(app, Post) == 1


def test_a_lost_answer_is_replayed_not_redone(app, auth):
    """The connection drops after the commit (the client never hears back) and it retries."""
    headers = {**auth.user("alice"), **key()}
    client = app.test_client()
    body = {"title": "a", "content": "c"}

    with connection_drops_after_commit(app):
        first = client.post("/api/v2/posts", json=body, headers=headers)
    retried = client.post("/api/v2/posts", json=body, headers=headers)

    assert first.status_code == retried.status_code == 201
    assert retried.json["id"] == first.json["id"]
    assert count_rows(app, Post) == 1


@pytest.mark.parametrize("bad", ["", "x" * 256, "has space", "é"])
def test_a_malformed_key_is_422(app, auth, bad):
    headers = {**auth.user("alice"), "Idempotency-Key": bad}
    response = app.test_client().post(
        "/api/v2/posts", json={"title": "a", "content": "c"}, headers=headers
    )

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert count_rows(app, Post) == 0


def test_concurrent_requests_with_one_key_do_the_work_once(app, auth):
    headers = {**auth.user("alice"), **key()}
    body = {"title": "race", "content": "c"}
    barrier = threading.Barrier(6)
    answers = []

    def post():
        client = app.test_client()
        barrier.wait(timeout=10)
        answers.append(client.post("/api/v2/posts", json=body, headers=headers))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(r.status_code for r in answers)
    assert len(statuses) == 6
    assert set(statuses) <= {201, 409}, [r.json for r in answers]
    assert len({r.json["id"] for r in answers if r.status_code == 201}) == 1
    assert count_rows(app, Post) == 1


def test_expired_keys_are_pruned(app, auth, runner):
    headers = {**auth.user("alice"), **key()}
    client = app.test_client()
    client.post("/api/v2/posts", json={"title": "a", "content": "c"}, headers=headers)
    app.config["IDEMPOTENCY_KEY_TTL"] = 0

    result = app.test_cli_runner().invoke(args=["prune-idempotency-keys"])

    assert result.exit_code == 0, result.output
    assert "Pruned 1" in result.output
    assert count_rows(app, IdempotencyKey) == 0
    with app.app_context():
        db.session.remove()


def test_a_view_that_rolls_back_and_retries_still_stores_its_key(app, auth):
    """A view may catch an IntegrityError, roll back and try again (unique slugs do): the
    key must still be stored with the work, or a retry would do it twice."""
    from flask import g, jsonify

    from app import idempotency

    user_id = auth.create_user("alice")
    body = {"title": "t", "content": "c"}

    def view():
        db.session.add(Post(title="discarded", slug=unique_slug(), content="c", user_id=user_id))
        db.session.flush()
        db.session.rollback()  # as after a unique violation
        post = Post(title="t", slug=unique_slug(), content="c", user_id=user_id)
        db.session.add(post)
        db.session.commit()  # deferred: only a flush
        response = jsonify(id=post.id)
        response.status_code = 201
        return response

    def request(call):
        with app.test_request_context("/api/v2/posts", method="POST", json=body):
            g.current_user = db.session.get(User, user_id)
            response = idempotency.run("k-1", call)
            db.session.remove()
            return response

    first = request(view)
    again = request(lambda: pytest.fail("the work ran twice"))

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_rows(app, Post) == 1
    assert count_rows(app, IdempotencyKey) == 1
