"""The flows of the two seed tutorials, end to end through /api/v1."""

from app.models import Post, RevokedToken

from ..helpers import bearer, count_rows

V1 = "/api/v1"


def test_seed_000_create_login_protected_logout_revoked(client, app):
    created = client.post(
        f"{V1}/users",
        json={"username": "Test user", "email": "Test@Example.com", "password": "password1"},
    )
    assert created.status_code == 201
    assert created.json["username"] == "Test user"
    assert created.json["email"] == "test@example.com"

    login = client.post(f"{V1}/login", json={"email": "test@example.com", "password": "password1"})
    assert login.status_code == 200
    assert login.headers["Cache-Control"] == "no-store"
    assert login.json["token_type"] == "Bearer"
    assert login.json["token"] == login.json["access_token"]
    headers = bearer(login.json["access_token"])

    me = client.get(f"{V1}/me", headers=headers)
    assert me.status_code == 200
    assert me.json["email"] == "test@example.com"
    assert me.json["is_admin"] is False

    logout = client.post(f"{V1}/logout", headers=headers)
    assert logout.status_code == 200
    assert logout.json == {"message": "Successfully logged out"}
    assert count_rows(app, RevokedToken) == 2  # the access token and its refresh token

    again = client.get(f"{V1}/me", headers=headers)
    assert again.status_code == 401
    assert again.json["message"] == "Token has been revoked"
    assert again.json["code"] == "token_revoked"
    assert again.headers["WWW-Authenticate"].startswith("Bearer")

    missing = client.get(f"{V1}/me")
    assert missing.status_code == 401
    assert missing.json == {
        "error": "Unauthorized",
        "message": "Missing token",
        "code": "token_missing",
    }


def test_seed_001_alice_and_bob_postman_list(client, app):
    for name in ("alice", "bob"):
        response = client.post(f"{V1}/users", json={"username": name, "password": "12345678"})
        assert response.status_code == 201
    login = client.post(f"{V1}/login", json={"username": "alice", "password": "12345678"})
    assert login.status_code == 200
    alice = bearer(login.json["token"])
    bob = bearer(
        client.post(f"{V1}/login", json={"username": "bob", "password": "12345678"}).json["token"]
    )

    anonymous = client.post(f"{V1}/posts", json={"title": "My Post", "content": "Hello"})
    assert anonymous.status_code == 401

    created = client.post(
        f"{V1}/posts", json={"title": "My Post", "content": "Hello"}, headers=alice
    )
    assert created.status_code == 201
    post = created.json
    assert (post["title"], post["content"], post["user_id"]) == ("My Post", "Hello", 1)
    for key in ("id", "created_at", "updated_at"):
        assert key in post

    forbidden = client.put(f"{V1}/posts/{post['id']}", json={"title": "Mine now"}, headers=bob)
    assert forbidden.status_code == 403
    assert forbidden.json["message"] == "You can only edit your own posts"
    assert client.get(f"{V1}/posts/{post['id']}").json["title"] == "My Post"

    deleted = client.delete(f"{V1}/posts/{post['id']}", headers=bob)
    assert deleted.status_code == 403
    assert deleted.json["message"] == "You can only delete your own posts"
    assert count_rows(app, Post) == 1

    me = client.get(f"{V1}/me", headers=alice)
    assert me.status_code == 200 and me.json["username"] == "alice"
