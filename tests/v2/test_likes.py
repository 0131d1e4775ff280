"""Likes: idempotent PUT/DELETE, one row per (user, post), counts that stay right."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Like

from ..helpers import V2, assert_error, user_id


@pytest.fixture
def post_id(client, alice):
    response = client.post(f"{V2}/posts", json={"title": "Likeable", "content": "c"}, headers=alice)
    return response.json["id"]


def like_rows(app, **where):
    with app.app_context():
        stmt = sa.select(sa.func.count()).select_from(Like).filter_by(**where)
        return db.session.scalar(stmt)


def test_like_answers_the_post_with_liked_and_count(client, app, auth, post_id):
    bob = auth.user("bob")
    response = client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    assert response.status_code == 200
    assert response.json["id"] == post_id
    assert response.json["liked"] is True
    assert response.json["likes_count"] == 1
    assert "content_html" in response.json
    assert like_rows(app, post_id=post_id) == 1


def test_like_twice_counts_once(client, app, auth, post_id):
    bob = auth.user("bob")
    first = client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    second = client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    assert first.json == second.json
    assert second.json["likes_count"] == 1
    assert like_rows(app) == 1


def test_unlike_is_idempotent(client, app, auth, post_id):
    bob = auth.user("bob")
    client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    for _ in range(2):
        response = client.delete(f"{V2}/posts/{post_id}/like", headers=bob)
        assert response.status_code == 200
        assert response.json["liked"] is False
        assert response.json["likes_count"] == 0
    assert like_rows(app) == 0


def test_liked_is_per_viewer_and_false_without_a_token(client, auth, alice, post_id):
    bob, carol = auth.user("bob"), auth.user("carol")
    client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    client.put(f"{V2}/posts/{post_id}/like", headers=carol)
    for headers, liked in ((bob, True), (carol, True), (alice, False), (None, False)):
        one = client.get(f"{V2}/posts/{post_id}", headers=headers).json
        listed = client.get(f"{V2}/posts", headers=headers).json["items"][0]
        assert (one["liked"], one["likes_count"]) == (liked, 2)
        assert (listed["liked"], listed["likes_count"]) == (liked, 2)


def test_liking_needs_a_token(client, app, post_id):
    for method in ("put", "delete"):
        assert_error(getattr(client, method)(f"{V2}/posts/{post_id}/like"), 401, "token_missing")
    assert like_rows(app) == 0


@pytest.mark.parametrize("ident", ["999", "0", str(2**31)])
def test_liking_an_unknown_post_is_404(client, alice, ident):
    assert_error(client.put(f"{V2}/posts/{ident}/like", headers=alice), 404)
    assert_error(client.delete(f"{V2}/posts/{ident}/like", headers=alice), 404)


def test_someone_elses_draft_cannot_be_liked(client, app, auth, alice):
    draft = client.post(
        f"{V2}/posts", json={"title": "D", "content": "c", "published": False}, headers=alice
    ).json
    bob = auth.user("bob")
    assert_error(client.put(f"{V2}/posts/{draft['id']}/like", headers=bob), 404)
    assert like_rows(app) == 0
    assert client.put(f"{V2}/posts/{draft['id']}/like", headers=alice).json["liked"] is True


def test_liked_by_filter(client, app, auth, alice, post_id):
    other = client.post(f"{V2}/posts", json={"title": "Other", "content": "c"}, headers=alice)
    bob = auth.user("bob")
    bob_id = user_id(app, "bob")
    client.put(f"{V2}/posts/{post_id}/like", headers=bob)

    response = client.get(f"{V2}/posts?liked_by={bob_id}")
    assert [p["id"] for p in response.json["items"]] == [post_id]
    assert other.json["id"] not in [p["id"] for p in response.json["items"]]
    assert client.get(f"{V2}/posts?liked_by={user_id(app, 'alice')}").json["total"] == 0
    assert client.get(f"{V2}/posts?liked_by=99999").json["total"] == 0
    both = client.get(f"{V2}/posts?liked_by={bob_id}&tag=none")
    assert both.json["total"] == 0


@pytest.mark.parametrize("value", ["abc", "0", "-1", str(2**31)])
def test_bad_liked_by_is_422(client, value):
    response = client.get(f"{V2}/posts?liked_by={value}")
    assert_error(response, 422)
    assert "liked_by" in response.json["errors"]


def test_deleting_a_user_removes_their_likes_and_counts_follow(client, app, auth, post_id):
    bob = auth.user("bob", admin=False)
    client.put(f"{V2}/posts/{post_id}/like", headers=bob)
    auth.create_user("root", admin=True)
    admin = auth.headers("root")
    client.put(f"{V2}/posts/{post_id}/like", headers=admin)
    assert client.get(f"{V2}/posts/{post_id}").json["likes_count"] == 2

    response = client.delete(f"{V2}/users/{user_id(app, 'bob')}", headers=admin)
    assert response.status_code == 204
    assert client.get(f"{V2}/posts/{post_id}").json["likes_count"] == 1
    assert like_rows(app) == 1


def test_deleting_a_post_removes_its_likes(client, app, auth, alice, post_id):
    client.put(f"{V2}/posts/{post_id}/like", headers=auth.user("bob"))
    assert client.delete(f"{V2}/posts/{post_id}", headers=alice).status_code == 204
    assert like_rows(app) == 0


def test_concurrent_likes_and_unlikes_leave_the_right_count(app, auth, post_id):
    """Each of 4 users likes the same post from 3 threads at once: 4 likes, no 500."""
    users = [auth.user(f"fan{n}") for n in range(4)]
    barrier = threading.Barrier(12)
    statuses = []

    def worker(headers, method):
        client = app.test_client()
        barrier.wait()
        statuses.append(getattr(client, method)(f"{V2}/posts/{post_id}/like", headers=headers))

    pool = [
        threading.Thread(target=worker, args=(headers, "put")) for headers in users for _ in "abc"
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert sorted(r.status_code for r in statuses) == [200] * 12
    assert like_rows(app, post_id=post_id) == 4

    barrier = threading.Barrier(12)
    statuses.clear()
    pool = [
        threading.Thread(target=worker, args=(headers, method))
        for headers, method in zip(users * 3, ["delete", "delete", "put"] * 4, strict=True)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert sorted(r.status_code for r in statuses) == [200] * 12
    count = app.test_client().get(f"{V2}/posts/{post_id}").json["likes_count"]
    assert count == like_rows(app, post_id=post_id)


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_an_edit_answers_the_counts_and_liked_it_does_not_change(client, auth, method):
    headers = auth.user("writer")
    post = client.post(f"{V2}/posts", json={"title": "t", "content": "c"}, headers=headers).json
    client.put(f"{V2}/posts/{post['id']}/like", headers=headers)
    comment = {"content": "first"}
    assert (
        client.post(f"{V2}/posts/{post['id']}/comments", json=comment, headers=headers).status_code
        == 201
    )
    body = {"title": "edited", "content": "c", "tags": ["kept"]}
    if method == "PATCH":
        body = {"title": "edited"}
    response = client.open(f"{V2}/posts/{post['id']}", method=method, json=body, headers=headers)
    assert response.status_code == 200, response.json
    assert (response.json["likes_count"], response.json["comments_count"]) == (1, 1)
    assert response.json["liked"] is True
    assert response.json == client.get(f"{V2}/posts/{post['id']}", headers=headers).json
