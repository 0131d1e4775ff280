"""Fields the server owns (``id``, ``user_id``, ``is_admin``, ``token_version``,
``created_at``) are never written from a request: v1 ignores them, v2 answers 422."""

import pytest

from app.models import User

from ..helpers import count_rows, snapshot, user_row

SERVER_OWNED = {
    "is_admin": True,
    "id": 999,
    "user_id": 1,
    "token_version": 42,
    "created_at": "2000-01-01T00:00:00Z",
    "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
}
FIELDS = list(SERVER_OWNED)


def assert_v2_refused(response, field):
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_error"
    assert field in response.json["errors"]


@pytest.mark.parametrize("field", FIELDS)
def test_signup_cannot_set_server_owned_fields(app, checked_client, version, alice, field):
    body = {"username": "mallory", "password": "password123", field: SERVER_OWNED[field]}
    before = snapshot(app)
    response = checked_client.post(f"/api/{version}/users", json=body)
    if version == "v2":
        assert_v2_refused(response, field)
        assert snapshot(app) == before
        return
    assert response.status_code == 201
    mallory = user_row(app, response.json["id"])
    assert mallory.id != 999
    assert mallory.is_admin is False
    assert mallory.token_version == 0
    assert mallory.created_at.year > 2000
    assert mallory.password_hash != SERVER_OWNED["password_hash"]
    assert snapshot(app)["users"][: len(before["users"])] == before["users"]


def test_signup_with_every_server_owned_field_at_once(app, checked_client, version, alice):
    body = {"username": "mallory", "password": "password123", **SERVER_OWNED}
    response = checked_client.post(f"/api/{version}/users", json=body)
    if version == "v2":
        assert response.status_code == 422
        assert set(SERVER_OWNED) <= set(response.json["errors"])
        assert count_rows(app, User) == 1
    else:
        assert response.status_code == 201
        assert response.json["is_admin"] is False


@pytest.mark.parametrize("field", FIELDS)
def test_patch_me_cannot_set_server_owned_fields(app, checked_client, checked_auth, alice, field):
    before = snapshot(app)
    response = checked_client.patch(
        "/api/v2/me",
        json={"username": "alice2", field: SERVER_OWNED[field]},
        headers=checked_auth.headers("alice"),
    )
    assert_v2_refused(response, field)
    assert snapshot(app) == before
    assert user_row(app, alice).username == "alice"


@pytest.fixture
def bob(checked_auth):
    checked_auth.create_user("bob")
    return checked_auth.headers("bob")


@pytest.mark.parametrize("field", ["id", "user_id", "created_at", "is_admin"])
def test_create_post_cannot_set_server_owned_fields(
    app, checked_client, version, alice, bob, field
):
    value = alice if field == "user_id" else SERVER_OWNED[field]
    body = {"title": "t", "content": "c", field: value}
    before = snapshot(app)
    response = checked_client.post(f"/api/{version}/posts", json=body, headers=bob)
    if version == "v2":
        assert_v2_refused(response, field)
        assert snapshot(app) == before
        return
    assert response.status_code == 201
    assert response.json["user_id"] == 2  # bob, not alice
    assert response.json["id"] != 999
    assert not response.json["created_at"].startswith("2000")
    assert snapshot(app)["users"] == before["users"]


@pytest.mark.parametrize("field", ["id", "user_id", "created_at"])
def test_update_own_post_cannot_move_or_renumber_it(
    app, checked_client, version, alice, bob, field
):
    created = checked_client.post("/api/v2/posts", json={"title": "t", "content": "c"}, headers=bob)
    post_id = created.json["id"]
    value = alice if field == "user_id" else SERVER_OWNED[field]
    method = "PUT" if version == "v1" else "PATCH"
    before = snapshot(app)
    response = checked_client.open(
        f"/api/{version}/posts/{post_id}",
        method=method,
        json={"title": "x", field: value},
        headers=bob,
    )
    if version == "v2":
        assert_v2_refused(response, field)
        assert snapshot(app) == before
        return
    assert response.status_code == 200
    assert response.json["id"] == post_id
    assert response.json["user_id"] == 2
    assert response.json["title"] == "x"


@pytest.mark.parametrize("field", ["id", "user_id", "created_at"])
def test_todos_cannot_be_created_for_or_moved_to_another_user(
    app, checked_client, version, alice, bob, field
):
    value = alice if field == "user_id" else SERVER_OWNED[field]
    before = snapshot(app)
    response = checked_client.post(
        f"/api/{version}/todos", json={"title": "t", field: value}, headers=bob
    )
    if version == "v2":
        assert_v2_refused(response, field)
        assert snapshot(app) == before
    else:
        assert response.status_code == 201
        assert response.json["user_id"] == 2
        todo_id = response.json["id"]
        moved = checked_client.put(f"/api/v1/todos/{todo_id}", json={field: value}, headers=bob)
        assert moved.status_code == 200
        assert moved.json["user_id"] == 2
        assert moved.json["id"] == todo_id
    # Alice's own todo list is still just hers.
    alice_todos = [t for t in snapshot(app)["todos"] if t[3] == alice]
    assert alice_todos == [t for t in before["todos"] if t[3] == alice]
