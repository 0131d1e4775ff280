"""/api/v1/posts: public reading, owner-only writing."""

import pytest

from app.extensions import db
from app.models import Post

from ..helpers import count_rows, unique_slug

V1 = "/api/v1"
POST_KEYS = {"id", "title", "content", "user_id", "created_at", "updated_at"}


def make_post(app, user_id, title="Title", content="Body", published=True):
    with app.app_context():
        post = Post(
            title=title,
            slug=unique_slug(),
            content=content,
            user_id=user_id,
            published=published,
        )
        db.session.add(post)
        db.session.commit()
        return post.id


def read_post(app, post_id):
    with app.app_context():
        post = db.session.get(Post, post_id)
        return None if post is None else (post.title, post.content, post.user_id)


def test_create_post_returns_201_owned_by_caller(client, app, auth):
    headers = auth.user("alice")

    response = client.post(
        f"{V1}/posts", json={"title": "My Post", "content": "Hello"}, headers=headers
    )

    assert response.status_code == 201
    assert POST_KEYS <= set(response.json)
    assert response.json["title"] == "My Post"
    assert response.json["content"] == "Hello"
    assert response.json["user_id"] == 1
    assert read_post(app, response.json["id"]) == ("My Post", "Hello", 1)


def test_create_post_ignores_owner_and_server_fields_in_body(client, app, auth):
    auth.create_user("bob")
    headers = auth.user("alice")

    response = client.post(
        f"{V1}/posts",
        json={
            "title": "Mine",
            "content": "Hello",
            "id": 77,
            "user_id": 1,
            "created_at": "2000-01-01T00:00:00Z",
            "updated_at": "2000-01-01T00:00:00Z",
        },
        headers=headers,
    )

    assert response.status_code == 201
    assert response.json["id"] == 1
    assert response.json["user_id"] == 2
    assert not response.json["created_at"].startswith("2000")
    assert read_post(app, 1) == ("Mine", "Hello", 2)
    assert read_post(app, 77) is None


def test_list_posts(client, app, auth):
    alice = auth.create_user("alice")
    bob = auth.create_user("bob")
    make_post(app, alice, "A1")
    make_post(app, bob, "B1")
    make_post(app, alice, "A2")

    everyone = client.get(f"{V1}/posts")
    only_alice = client.get(f"{V1}/posts?user_id={alice}")
    nobody = client.get(f"{V1}/posts?user_id=99")

    assert everyone.status_code == 200
    assert [p["title"] for p in everyone.json["posts"]] == ["A1", "B1", "A2"]
    assert all(POST_KEYS <= set(p) for p in everyone.json["posts"])
    for post in everyone.json["posts"]:  # an embedded author is public: no email, no is_admin
        assert not {"email", "is_admin"} & set(post.get("author", {}))
    assert only_alice.status_code == 200
    assert [p["title"] for p in only_alice.json["posts"]] == ["A1", "A2"]
    assert nobody.json == {"posts": []}


def test_list_posts_leaves_out_drafts(client, app, auth):
    alice = auth.create_user("alice")
    make_post(app, alice, "Public")
    make_post(app, alice, "Draft", published=False)

    response = client.get(f"{V1}/posts")

    assert [p["title"] for p in response.json["posts"]] == ["Public"]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "99999999999999999999"])
def test_list_posts_with_bad_user_id_is_400(client, value):
    response = client.get(f"{V1}/posts?user_id={value}")

    assert response.status_code == 400
    assert response.json["error"] == "Bad Request"
    assert response.json["message"] == "Invalid query parameters"
    assert "user_id" in response.json["errors"]


def test_get_post(client, app, auth):
    make_post(app, auth.create_user("alice"), "Hi", "There")

    response = client.get(f"{V1}/posts/1")

    assert response.status_code == 200
    assert response.json["title"] == "Hi"
    assert response.json["content"] == "There"
    assert response.json["user_id"] == 1


def test_get_unknown_post_is_404(client):
    response = client.get(f"{V1}/posts/5")

    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "message": "Post not found", "code": "not_found"}


def test_get_draft_is_404_for_others(client, app, auth):
    make_post(app, auth.create_user("alice"), published=False)
    bob = auth.user("bob")

    assert client.get(f"{V1}/posts/1").status_code == 404
    assert client.get(f"{V1}/posts/1", headers=bob).json["message"] == "Post not found"
    assert client.get(f"{V1}/posts/1", headers=auth.headers("alice")).status_code == 200


def test_update_own_post(client, app, auth):
    headers = auth.user("alice")
    make_post(app, 1, "Old", "Old body")
    before = client.get(f"{V1}/posts/1").json

    response = client.put(f"{V1}/posts/1", json={"title": "New"}, headers=headers)

    assert response.status_code == 200
    assert response.json["title"] == "New"
    assert response.json["content"] == "Old body"
    assert response.json["created_at"] == before["created_at"]
    assert response.json["updated_at"] >= before["updated_at"]
    assert read_post(app, 1) == ("New", "Old body", 1)

    content = client.put(f"{V1}/posts/1", json={"content": "New body"}, headers=headers)
    assert content.status_code == 200
    assert read_post(app, 1) == ("New", "New body", 1)


def test_update_post_ignores_owner_and_id_in_body(client, app, auth):
    auth.create_user("bob")
    headers = auth.user("alice")
    make_post(app, 2, "Old", "Body")

    response = client.put(
        f"{V1}/posts/1",
        json={"title": "New", "user_id": 1, "id": 9, "created_at": "2000-01-01T00:00:00Z"},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json["id"] == 1
    assert response.json["user_id"] == 2
    assert read_post(app, 1) == ("New", "Body", 2)
    assert read_post(app, 9) is None


def test_update_someone_elses_post_is_403(client, app, auth):
    make_post(app, auth.create_user("alice"), "Alice's", "Body")
    bob = auth.user("bob")

    response = client.put(f"{V1}/posts/1", json={"title": "Bob's now", "content": "x"}, headers=bob)

    assert response.status_code == 403
    assert response.json == {
        "error": "Forbidden",
        "message": "You can only edit your own posts",
        "code": "forbidden",
    }
    assert read_post(app, 1) == ("Alice's", "Body", 1)


def test_update_unknown_post_is_404(client, app, auth):
    headers = auth.user("alice")

    response = client.put(f"{V1}/posts/3", json={"title": "x"}, headers=headers)

    assert response.status_code == 404
    assert response.json["message"] == "Post not found"
    assert count_rows(app, Post) == 0


def test_admin_may_edit_and_delete_any_post(client, app, auth):
    make_post(app, auth.create_user("alice"), "Alice's", "Body")
    admin = auth.user("root", admin=True)

    edited = client.put(f"{V1}/posts/1", json={"title": "Moderated"}, headers=admin)
    assert edited.status_code == 200
    assert read_post(app, 1) == ("Moderated", "Body", 1)

    deleted = client.delete(f"{V1}/posts/1", headers=admin)
    assert deleted.status_code == 200
    assert count_rows(app, Post) == 0


def test_delete_own_post(client, app, auth):
    headers = auth.user("alice")
    make_post(app, 1)
    make_post(app, 1, "Keep")

    response = client.delete(f"{V1}/posts/1", headers=headers)

    assert response.status_code == 200
    assert response.json == {"message": "Post deleted"}
    assert read_post(app, 1) is None
    assert count_rows(app, Post) == 1
    assert client.get(f"{V1}/posts/1").status_code == 404


def test_delete_someone_elses_post_is_403(client, app, auth):
    make_post(app, auth.create_user("alice"))
    bob = auth.user("bob")

    response = client.delete(f"{V1}/posts/1", headers=bob)

    assert response.status_code == 403
    assert response.json == {
        "error": "Forbidden",
        "message": "You can only delete your own posts",
        "code": "forbidden",
    }
    assert count_rows(app, Post) == 1


def test_delete_unknown_post_is_404(client, auth):
    headers = auth.user("alice")

    response = client.delete(f"{V1}/posts/8", headers=headers)

    assert response.status_code == 404
    assert response.json["message"] == "Post not found"


def test_create_post_always_publishes(client, app, auth):
    headers = auth.user("alice")

    response = client.post(
        f"{V1}/posts", json={"title": "T", "content": "C", "published": False}, headers=headers
    )

    assert response.status_code == 201
    assert [p["id"] for p in client.get(f"{V1}/posts").json["posts"]] == [1]


def test_update_post_can_unpublish_it(client, app, auth):
    headers = auth.user("alice")
    make_post(app, 1)

    response = client.put(f"{V1}/posts/1", json={"published": False}, headers=headers)

    assert response.status_code == 200
    assert client.get(f"{V1}/posts").json == {"posts": []}
    assert client.get(f"{V1}/posts/1").status_code == 404
    assert client.get(f"{V1}/posts/1", headers=headers).status_code == 200
