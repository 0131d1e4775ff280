"""/api/v1/users: register, list, show."""

import sqlalchemy as sa

from app import accounts
from app.extensions import db
from app.models import User

from ..helpers import bearer, count_rows

V1 = "/api/v1"


def get_user(app, username_key):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username_key == username_key))


def test_register_returns_201_with_the_new_user(client, app):
    response = client.post(
        f"{V1}/users",
        json={"username": "  alice  ", "password": "password1", "email": " Alice@Example.COM "},
    )

    assert response.status_code == 201
    body = response.json
    assert body["id"] == 1
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["is_admin"] is False
    assert "password" not in body and "password_hash" not in body
    user = get_user(app, "alice")
    assert user.email == "alice@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "password1" not in user.password_hash


def test_register_without_email_stores_null(client, app):
    response = client.post(f"{V1}/users", json={"username": "bob", "password": "password1"})

    assert response.status_code == 201
    assert response.json["email"] is None
    assert get_user(app, "bob").email is None


def test_register_twice_without_email_is_fine(client, app):
    for number, name in enumerate(("bob", "carol"), start=1):
        response = client.post(f"{V1}/users", json={"username": name, "password": "12345678"})
        assert response.status_code == 201
        assert response.json == {
            **response.json,
            "id": number,
            "username": name,
            "email": None,
            "is_admin": False,
        }
    assert count_rows(app, User) == 2


def test_list_users_shows_public_profiles_only(client, auth):
    auth.create_user("alice", email="alice@example.com", admin=True)
    auth.create_user("bob")

    response = client.get(f"{V1}/users")

    assert response.status_code == 200
    users = response.json["users"]
    assert [u["username"] for u in users] == ["alice", "bob"]
    for user in users:
        assert set(user) == {"id", "username", "created_at"}


def test_list_users_when_there_are_none(client):
    response = client.get(f"{V1}/users")

    assert response.status_code == 200
    assert response.json == {"users": []}


def test_get_user_shows_public_profile(client, auth):
    user_id = auth.create_user("alice", email="alice@example.com", admin=True)

    response = client.get(f"{V1}/users/{user_id}")

    assert response.status_code == 200
    assert response.json["id"] == user_id
    assert response.json["username"] == "alice"
    assert "email" not in response.json
    assert "is_admin" not in response.json


def test_get_unknown_user_is_404(client):
    response = client.get(f"{V1}/users/42")

    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "message": "User not found", "code": "not_found"}


def test_registered_user_can_log_in_with_the_password(client):
    created = client.post(f"{V1}/users", json={"username": "alice", "password": "password1"})
    assert created.status_code == 201
    assert created.json["username"] == "alice"

    response = client.post(f"{V1}/login", json={"username": "alice", "password": "password1"})

    assert response.status_code == 200
    me = client.get(f"{V1}/me", headers=bearer(response.json["token"]))
    assert (me.json["id"], me.json["username"]) == (created.json["id"], "alice")


def test_concurrent_duplicate_registration_is_400_not_500(client, app, monkeypatch):
    """Two requests pass the uniqueness check together; the database's constraint decides."""
    client.post(f"{V1}/users", json={"username": "alice", "password": "password1"})
    real_check = accounts._check_unique
    calls = []

    def check_too_late(*args, **kwargs):
        calls.append(args)
        if len(calls) > 1:  # the check after the IntegrityError is the real one
            real_check(*args, **kwargs)

    monkeypatch.setattr(accounts, "_check_unique", check_too_late)

    response = client.post(f"{V1}/users", json={"username": "ALICE", "password": "password1"})

    assert len(calls) == 2
    assert response.status_code == 400
    assert response.json["message"] == "Username already exists"
    assert count_rows(app, User) == 1
    assert client.get(f"{V1}/users").status_code == 200  # the session recovered
