"""v2 /me: the caller's own account — read, change (with current_password), delete."""

import pytest

from app.models import Post, Todo, User

from ..helpers import (
    PASSWORD,
    V2,
    V2_PRIVATE_USER_KEYS,
    assert_error,
    bearer,
    count_rows,
    row,
    user_id,
)

NEW_PASSWORD = "a brand new passphrase"


def test_get_me_shows_the_private_representation(client, auth):
    auth.create_user("alice", email="alice@example.com")
    response = client.get(f"{V2}/me", headers=auth.headers("alice"))
    assert response.status_code == 200
    assert set(response.json) == V2_PRIVATE_USER_KEYS
    assert (response.json["username"], response.json["email"]) == ("alice", "alice@example.com")
    assert response.json["is_admin"] is False


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_me_needs_a_token(client, method):
    response = getattr(client, method)(f"{V2}/me", json={})
    assert_error(response, 401, "token_missing")


def test_patch_me_changes_username_without_password(client, app, auth):
    alice_id = auth.create_user("alice")
    headers = auth.headers("alice")
    response = client.patch(f"{V2}/me", json={"username": "Alicia"}, headers=headers)
    assert response.status_code == 200
    assert response.json["username"] == "Alicia"
    assert row(app, User, alice_id)["username"] == "Alicia"
    # A username change keeps the session: the same token still works.
    assert client.get(f"{V2}/me", headers=headers).status_code == 200


def test_patch_me_may_change_only_the_case_of_own_username(client, auth):
    auth.create_user("alice")
    response = client.patch(f"{V2}/me", json={"username": "ALICE"}, headers=auth.headers("alice"))
    assert response.status_code == 200
    assert response.json["username"] == "ALICE"


def test_patch_me_to_a_taken_username_is_409(client, app, auth):
    auth.create_user("bob")
    alice_id = auth.create_user("alice")
    response = client.patch(f"{V2}/me", json={"username": "BOB"}, headers=auth.headers("alice"))
    assert_error(response, 409, "username_taken")
    assert row(app, User, alice_id)["username"] == "alice"


def test_patch_me_to_a_taken_email_is_409(client, app, auth):
    auth.create_user("bob", email="bob@example.com")
    alice_id = auth.create_user("alice", email="alice@example.com")
    response = client.patch(
        f"{V2}/me",
        json={"email": "Bob@Example.com", "current_password": PASSWORD},
        headers=auth.headers("alice"),
    )
    assert_error(response, 409, "email_taken")
    assert row(app, User, alice_id)["email"] == "alice@example.com"


@pytest.mark.parametrize(
    "change", [{"email": "new@example.com"}, {"password": NEW_PASSWORD}, {"email": None}]
)
@pytest.mark.parametrize(
    ("current", "message"),
    [
        ({}, "Required to make this change."),
        ({"current_password": ""}, "Required to make this change."),
        ({"current_password": "wrong password"}, "Incorrect password."),
    ],
)
def test_patch_me_email_or_password_needs_the_current_password(
    client, app, auth, change, current, message
):
    alice_id = auth.create_user("alice", email="alice@example.com")
    headers = auth.headers("alice")
    before = row(app, User, alice_id)

    response = client.patch(f"{V2}/me", json={**change, **current}, headers=headers)
    body = assert_error(response, 422, "validation_error")
    assert body["errors"] == {"current_password": [message]}
    assert row(app, User, alice_id) == before
    # Nothing changed: the old password still logs in and the token still works.
    auth.login("alice", PASSWORD)
    assert client.get(f"{V2}/me", headers=headers).status_code == 200


def test_patch_me_changes_email_with_the_current_password(client, app, auth):
    alice_id = auth.create_user("alice", email="alice@example.com")
    headers = auth.headers("alice")
    response = client.patch(
        f"{V2}/me",
        json={"email": "Alice@New.example", "current_password": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["email"] == "alice@new.example"
    assert row(app, User, alice_id)["email"] == "alice@new.example"
    assert "current_password" not in response.json
    # An e-mail change does not end the session.
    assert client.get(f"{V2}/me", headers=headers).status_code == 200


def test_password_change_invalidates_every_earlier_token(client, app, auth):
    alice_id = auth.create_user("alice")
    first = auth.login("alice")
    second = auth.login("alice")
    headers = bearer(first["access_token"])

    response = client.patch(
        f"{V2}/me",
        json={"password": NEW_PASSWORD, "current_password": PASSWORD},
        headers=headers,
    )
    assert response.status_code == 200
    assert "password" not in response.json
    assert row(app, User, alice_id)["token_version"] == 1

    # The token that made the change, another access token, and both refresh tokens.
    for access in (first["access_token"], second["access_token"]):
        stale = client.get(f"{V2}/me", headers=bearer(access))
        assert assert_error(stale, 401, "token_invalid")["message"] == "Invalid token"
    for refresh in (first["refresh_token"], second["refresh_token"]):
        stale = client.post(f"{V2}/auth/refresh", json={"refresh_token": refresh})
        assert assert_error(stale, 401, "token_invalid")["message"] == "Invalid token"

    old = client.post(f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert assert_error(old, 401)["message"] == "Invalid credentials"
    fresh = auth.login("alice", NEW_PASSWORD)
    assert client.get(f"{V2}/me", headers=bearer(fresh["access_token"])).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_admin", True),
        ("id", 42),
        ("user_id", 42),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("token_version", 0),
        ("password_hash", "x"),
    ],
)
def test_patch_me_refuses_server_owned_fields(client, app, auth, field, value):
    alice_id = auth.create_user("alice")
    headers = auth.headers("alice")
    before = row(app, User, alice_id)
    response = client.patch(f"{V2}/me", json={"username": "renamed", field: value}, headers=headers)
    assert assert_error(response, 422)["errors"] == {field: ["Unknown field."]}
    assert row(app, User, alice_id) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": None}, "username"),
        ({"email": "nope", "current_password": PASSWORD}, "email"),
        ({"password": "short", "current_password": PASSWORD}, "password"),
    ],
)
def test_patch_me_invalid_values_are_422(client, app, auth, body, field):
    alice_id = auth.create_user("alice")
    before = row(app, User, alice_id)
    response = client.patch(f"{V2}/me", json=body, headers=auth.headers("alice"))
    assert field in assert_error(response, 422)["errors"]
    assert row(app, User, alice_id) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Missing data for required field."),
        ({"current_password": ""}, "Required to make this change."),
        ({"current_password": "wrong password"}, "Incorrect password."),
    ],
)
def test_delete_me_needs_the_current_password(client, app, auth, seed, body, message):
    alice_id = auth.create_user("alice")
    seed.post(alice_id)
    response = client.delete(f"{V2}/me", json=body, headers=auth.headers("alice"))
    assert assert_error(response, 422)["errors"] == {"current_password": [message]}
    assert row(app, User, alice_id) is not None
    assert count_rows(app, Post) == 1


def test_delete_me_without_a_body_names_the_missing_field(client, app, auth):
    alice_id = auth.create_user("alice")
    response = client.delete(f"{V2}/me", headers=auth.headers("alice"))
    errors = assert_error(response, 422)["errors"]
    assert errors == {"current_password": ["Missing data for required field."]}
    assert row(app, User, alice_id) is not None


def test_delete_me_removes_the_user_with_their_posts_and_todos(client, app, auth, seed):
    alice_id = auth.create_user("alice")
    tokens = auth.login("alice")
    bob_id = auth.create_user("bob")
    for n in range(3):
        seed.post(alice_id, f"alice {n}", published=n != 0)
        seed.todo(alice_id, f"alice todo {n}")
    bob_post = seed.post(bob_id)
    bob_todo = seed.todo(bob_id)

    response = client.delete(
        f"{V2}/me", json={"current_password": PASSWORD}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    assert row(app, User, alice_id) is None
    assert user_id(app, "alice") is None
    assert count_rows(app, Post) == 1 and row(app, Post, bob_post) is not None
    assert count_rows(app, Todo) == 1 and row(app, Todo, bob_todo) is not None

    stale = client.get(f"{V2}/me", headers=bearer(tokens["access_token"]))
    assert assert_error(stale, 401, "token_invalid")["message"] == "Invalid token"
    refresh = client.post(f"{V2}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert assert_error(refresh, 401, "token_invalid")["message"] == "Invalid token"
    # The name is free again.
    again = client.post(f"{V2}/users", json={"username": "alice", "password": PASSWORD})
    assert again.status_code == 201
