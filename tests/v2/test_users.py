"""v2 users: registration, public and private profiles, a user's posts, admin deletion."""

import pytest

from app.models import Post, Todo, User

from ..helpers import (
    PASSWORD,
    V2,
    V2_PRIVATE_USER_KEYS,
    V2_PUBLIC_USER_KEYS,
    assert_error,
    assert_timestamp,
    count_rows,
    row,
)

PUBLIC_KEYS = V2_PUBLIC_USER_KEYS
PRIVATE_KEYS = V2_PRIVATE_USER_KEYS


def test_register_answers_201_with_location_and_private_representation(client, app):
    response = client.post(
        f"{V2}/users",
        json={"username": " Alice ", "password": PASSWORD, "email": "Alice@Example.COM"},
    )
    assert response.status_code == 201
    body = response.json
    assert set(body) == PRIVATE_KEYS
    assert body["username"] == "Alice"
    assert body["email"] == "alice@example.com"
    assert body["is_admin"] is False
    assert_timestamp(body["created_at"])
    assert response.headers["Location"].endswith(f"{V2}/users/{body['id']}")

    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200
    assert shown.json["username"] == "Alice"
    stored = row(app, User, body["id"])
    assert stored["email"] == "alice@example.com"
    assert stored["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in response.get_data(as_text=True)


def test_register_without_email_leaves_it_null(client):
    response = client.post(f"{V2}/users", json={"username": "bob", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json["email"] is None


@pytest.mark.parametrize("username", ["alice", "ALICE", "Alice", " alice "])
def test_register_duplicate_username_is_409_whatever_the_case(client, app, auth, username):
    auth.create_user("Alice")
    response = client.post(f"{V2}/users", json={"username": username, "password": PASSWORD})
    assert assert_error(response, 409, "username_taken")["message"] == "Username already exists"
    assert count_rows(app, User) == 1


def test_a_duplicate_that_slips_past_the_check_is_still_409(client, app, auth, monkeypatch):
    """Two concurrent sign-ups: the database's unique index catches the second one."""
    from app import accounts

    auth.create_user("alice")
    real_check = accounts._check_unique
    calls = []

    def check_too_late(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:  # only the re-check after the failed commit sees the row
            real_check(*args, **kwargs)

    monkeypatch.setattr(accounts, "_check_unique", check_too_late)
    response = client.post(f"{V2}/users", json={"username": "ALICE", "password": PASSWORD})
    assert_error(response, 409, "username_taken")
    assert len(calls) == 2
    assert count_rows(app, User) == 1


def test_register_duplicate_email_is_409(client, app, auth):
    auth.create_user("alice", email="alice@example.com")
    response = client.post(
        f"{V2}/users",
        json={"username": "bob", "password": PASSWORD, "email": "ALICE@example.com"},
    )
    assert_error(response, 409, "email_taken")
    assert count_rows(app, User) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "bob"}, "password"),
        ({"username": "   ", "password": PASSWORD}, "username"),
        ({"username": "b" * 65, "password": PASSWORD}, "username"),
        ({"username": "b\x00b", "password": PASSWORD}, "username"),
        ({"username": 42, "password": PASSWORD}, "username"),
        ({"username": "bob", "password": "short"}, "password"),
        ({"username": "bob", "password": "p" * 1025}, "password"),
        ({"username": "bob", "password": PASSWORD, "email": "not-an-email"}, "email"),
        ({"username": "bob", "password": PASSWORD, "email": "b\x00b@example.com"}, "email"),
        ({"username": "bob", "password": PASSWORD, "email": "b" * 250 + "@example.com"}, "email"),
        ({"username": "bob", "password": PASSWORD, "email": 5}, "email"),
    ],
)
def test_register_invalid_input_is_422_per_field(client, app, body, field):
    response = client.post(f"{V2}/users", json=body)
    errors = assert_error(response, 422, "validation_error")["errors"]
    assert field in errors
    assert count_rows(app, User) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("is_admin", True),
        ("id", 99),
        ("user_id", 99),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("token_version", 7),
    ],
)
def test_register_refuses_server_owned_fields(client, app, field, value):
    body = {"username": "mallory", "password": PASSWORD, field: value}
    response = client.post(f"{V2}/users", json=body)
    assert assert_error(response, 422)["errors"] == {field: ["Unknown field."]}
    assert count_rows(app, User) == 0


def test_list_users_shows_public_profiles_to_anonymous_and_other_users(client, auth):
    auth.create_user("alice", email="alice@example.com")
    auth.create_user("bob", email="bob@example.com")
    carol = auth.user("carol", email="carol@example.com")

    for headers in ({}, carol):
        response = client.get(f"{V2}/users", headers=headers)
        assert response.status_code == 200
        body = response.json
        assert (body["total"], body["count"], body["offset"], body["limit"]) == (3, 3, 0, 10)
        assert [u["username"] for u in body["items"]] == ["alice", "bob", "carol"]
        for user in body["items"]:
            assert set(user) == PUBLIC_KEYS
        assert "example.com" not in response.get_data(as_text=True)


def test_list_users_shows_email_and_admin_flag_to_admins(client, auth):
    auth.create_user("alice", email="alice@example.com")
    admin = auth.user("root", admin=True)
    response = client.get(f"{V2}/users", headers=admin)
    assert response.status_code == 200
    items = response.json["items"]
    assert all(set(user) == PRIVATE_KEYS for user in items)
    assert [(u["username"], u["email"], u["is_admin"]) for u in items] == [
        ("alice", "alice@example.com", False),
        ("root", None, True),
    ]


def test_list_users_is_paginated(client, auth):
    for name in ("u1", "u2", "u3"):
        auth.create_user(name)
    response = client.get(f"{V2}/users?limit=2&offset=1")
    assert response.status_code == 200
    body = response.json
    assert [u["username"] for u in body["items"]] == ["u2", "u3"]
    assert (body["total"], body["count"], body["offset"], body["limit"]) == (3, 2, 1, 2)


def test_get_user_shows_private_fields_only_to_the_user_and_admins(client, auth):
    alice_id = auth.create_user("alice", email="alice@example.com")
    alice = auth.headers("alice")
    bob = auth.user("bob")
    admin = auth.user("root", admin=True)

    for headers in ({}, bob):
        response = client.get(f"{V2}/users/{alice_id}", headers=headers)
        assert response.status_code == 200
        assert set(response.json) == PUBLIC_KEYS
    for headers in (alice, admin):
        response = client.get(f"{V2}/users/{alice_id}", headers=headers)
        assert response.status_code == 200
        assert response.json["email"] == "alice@example.com"
        assert response.json["is_admin"] is False


@pytest.mark.parametrize("ident", ["999", "0", "-1", str(2**31), "99999999999999999999"])
def test_get_unknown_user_is_404(client, auth, ident):
    auth.create_user("alice")
    response = client.get(f"{V2}/users/{ident}")
    assert assert_error(response, 404, "not_found")["message"] == "User not found"
    assert_error(client.get(f"{V2}/users/{ident}/posts"), 404)


def test_user_posts_include_drafts_only_for_the_author(client, auth, seed):
    alice_id = auth.create_user("alice")
    alice = auth.headers("alice")
    bob = auth.user("bob")
    admin = auth.user("root", admin=True)
    seed.post(alice_id, "public one", minute=1)
    seed.post(alice_id, "secret draft", published=False, minute=2)

    own = client.get(f"{V2}/users/{alice_id}/posts", headers=alice)
    assert own.status_code == 200
    assert [p["title"] for p in own.json["items"]] == ["secret draft", "public one"]
    assert own.json["items"][0]["published"] is False
    assert own.json["total"] == 2

    for headers in ({}, bob, admin):
        response = client.get(f"{V2}/users/{alice_id}/posts", headers=headers)
        assert response.status_code == 200
        assert [p["title"] for p in response.json["items"]] == ["public one"]
        assert response.json["total"] == 1
        assert "secret" not in response.get_data(as_text=True)


def test_user_posts_search_never_includes_drafts_even_for_the_author(client, auth, seed):
    alice_id = auth.create_user("alice")
    alice = auth.headers("alice")
    seed.post(alice_id, "Flask tips", minute=1)
    seed.post(alice_id, "Flask draft", published=False, minute=2)
    response = client.get(f"{V2}/users/{alice_id}/posts?q=flask", headers=alice)
    assert response.status_code == 200
    assert [p["title"] for p in response.json["items"]] == ["Flask tips"]


def test_user_posts_lists_only_that_users_posts_with_author(client, auth, seed):
    alice_id = auth.create_user("alice")
    bob_id = auth.create_user("bob")
    seed.post(alice_id, "by alice")
    seed.post(bob_id, "by bob")
    response = client.get(f"{V2}/users/{bob_id}/posts")
    assert response.status_code == 200
    assert [(p["title"], p["author"]) for p in response.json["items"]] == [
        ("by bob", {"id": bob_id, "username": "bob"})
    ]


def test_admin_deletes_a_user_with_their_posts_and_todos(client, app, auth, seed):
    alice_id = auth.create_user("alice")
    alice_tokens = auth.login("alice")
    bob_id = auth.create_user("bob")
    admin = auth.user("root", admin=True)
    alice_post = seed.post(alice_id)
    alice_todo = seed.todo(alice_id)
    bob_post = seed.post(bob_id)
    bob_todo = seed.todo(bob_id)

    response = client.delete(f"{V2}/users/{alice_id}", headers=admin)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert row(app, User, alice_id) is None
    assert row(app, Post, alice_post) is None
    assert row(app, Todo, alice_todo) is None
    assert row(app, Post, bob_post) is not None
    assert row(app, Todo, bob_todo) is not None
    assert_error(client.get(f"{V2}/users/{alice_id}"), 404)

    stale = client.get(
        f"{V2}/me", headers={"Authorization": f"Bearer {alice_tokens['access_token']}"}
    )
    assert assert_error(stale, 401, "token_invalid")["message"] == "Invalid token"


def test_non_admin_cannot_delete_a_user(client, app, auth, seed):
    alice_id = auth.create_user("alice")
    seed.post(alice_id)
    bob = auth.user("bob")
    response = client.delete(f"{V2}/users/{alice_id}", headers=bob)
    assert_error(response, 403, "forbidden")
    assert row(app, User, alice_id) is not None
    assert count_rows(app, Post) == 1
    # Not even themself through this admin route: /me is the way.
    assert_error(client.delete(f"{V2}/users/{alice_id}", headers=auth.headers("alice")), 403)
    assert count_rows(app, User) == 2


def test_delete_user_needs_a_token(client, app, auth):
    alice_id = auth.create_user("alice")
    response = client.delete(f"{V2}/users/{alice_id}")
    assert assert_error(response, 401, "token_missing")["message"] == "Missing token"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert count_rows(app, User) == 1


@pytest.mark.parametrize("ident", ["999", "0", str(2**31)])
def test_admin_delete_unknown_user_is_404(client, app, auth, ident):
    admin = auth.user("root", admin=True)
    assert_error(client.delete(f"{V2}/users/{ident}", headers=admin), 404, "not_found")
    assert count_rows(app, User) == 1
