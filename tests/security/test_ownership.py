"""Other users' things: posts are 403 to change, todos are 404 (private), drafts are 404,
whichever version created the row and whichever version the attacker uses."""

import pytest

from app.models import Post, Todo, User

from ..helpers import VERSIONS, count_rows, snapshot


@pytest.fixture(params=VERSIONS)
def created_in(request):
    return request.param


@pytest.fixture
def victim(checked_auth, checked_client, created_in):
    """Alice's post, draft and todo, created through ``created_in``; and bob's headers."""
    checked_auth.create_user("alice")
    alice = checked_auth.headers("alice")
    base = f"/api/{created_in}"
    post = checked_client.post(
        f"{base}/posts", json={"title": "mine", "content": "c"}, headers=alice
    )
    todo = checked_client.post(f"{base}/todos", json={"title": "secret todo"}, headers=alice)
    draft = checked_client.post(
        "/api/v2/posts",
        json={"title": "draft", "content": "c", "published": False},
        headers=alice,
    )
    assert {post.status_code, todo.status_code, draft.status_code} == {201}
    checked_auth.create_user("bob")
    return {
        "post": post.json["id"],
        "todo": todo.json["id"],
        "draft": draft.json["id"],
        "alice": alice,
        "bob": checked_auth.headers("bob"),
    }


POST_WRITES = {
    "v1": [
        ("PUT", "You can only edit your own posts"),
        ("DELETE", "You can only delete your own posts"),
    ],
    "v2": [
        ("PUT", "You can only edit your own posts"),
        ("PATCH", "You can only edit your own posts"),
        ("DELETE", "You can only delete your own posts"),
    ],
}


def test_other_users_posts_are_403_to_change(app, checked_client, version, victim):
    before = snapshot(app)
    for method, message in POST_WRITES[version]:
        response = checked_client.open(
            f"/api/{version}/posts/{victim['post']}",
            method=method,
            json={"title": "pwned", "content": "pwned"},
            headers=victim["bob"],
        )
        assert response.status_code == 403, (method, response.json)
        assert response.json == {"error": "Forbidden", "message": message, "code": "forbidden"}
    assert snapshot(app) == before


def test_other_users_drafts_are_404_even_to_change(app, checked_client, version, victim):
    before = snapshot(app)
    url = f"/api/{version}/posts/{victim['draft']}"
    assert checked_client.get(url, headers=victim["bob"]).status_code == 404
    assert checked_client.get(url).status_code == 404
    for method, _ in POST_WRITES[version]:
        response = checked_client.open(
            url, method=method, json={"title": "x", "content": "x"}, headers=victim["bob"]
        )
        assert response.status_code == 404
        assert response.json["message"] == "Post not found"
    assert snapshot(app) == before


def test_other_users_todos_are_404(app, checked_client, version, victim):
    before = snapshot(app)
    url = f"/api/{version}/todos/{victim['todo']}"
    methods = ["GET", "PUT", "DELETE"] + (["PATCH"] if version == "v2" else [])
    for method in methods:
        response = checked_client.open(
            url, method=method, json={"title": "pwned", "completed": True}, headers=victim["bob"]
        )
        assert response.status_code == 404, (method, response.json)
        assert response.json["message"] == "Todo not found"
        assert "secret todo" not in response.get_data(as_text=True)
    listing = checked_client.get(f"/api/{version}/todos", headers=victim["bob"])
    assert listing.status_code == 200
    assert "secret todo" not in listing.get_data(as_text=True)
    assert snapshot(app) == before


def test_the_owner_still_can(app, checked_client, version, victim):
    # The control: the same requests from alice succeed.
    todo = checked_client.get(f"/api/{version}/todos/{victim['todo']}", headers=victim["alice"])
    assert todo.status_code == 200
    assert todo.json["title"] == "secret todo"
    method = "PUT" if version == "v1" else "PATCH"
    edit = checked_client.open(
        f"/api/{version}/posts/{victim['post']}",
        method=method,
        json={"title": "edited"},
        headers=victim["alice"],
    )
    assert edit.status_code == 200
    assert edit.json["title"] == "edited"


def test_non_admins_cannot_delete_users(app, checked_client, victim):
    before = snapshot(app)
    response = checked_client.delete("/api/v2/users/1", headers=victim["bob"])
    assert response.status_code == 403
    assert snapshot(app) == before
    assert count_rows(app, User) == 2
    assert count_rows(app, Post) == 2
    assert count_rows(app, Todo) == 1
