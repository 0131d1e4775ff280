"""RealWorld users and profiles at /api: shapes, both auth schemes, errors as the spec has
them, revocation shared with v2, settings forms' blanks."""

import jwt
import pytest

from app.models import User

from ..helpers import V2, bearer, count_rows

API = "/api"
PASSWORD = "jakejake1"


def register(client, name="jake", email=None, password=PASSWORD):
    body = {
        "user": {"username": name, "email": email or f"{name}@example.com", "password": password}
    }
    return client.post(f"{API}/users", json=body)


def token_headers(token, scheme="Token"):
    return {"Authorization": f"{scheme} {token}"}


@pytest.fixture
def jake(client):
    response = register(client)
    assert response.status_code == 201, response.json
    return response.json["user"]["token"]


def test_register_answers_201_with_the_user_and_a_token(client, app):
    response = register(client, "Jacob", "Jake@Example.COM")
    assert response.status_code == 201
    user = response.json["user"]
    assert list(user) == ["email", "token", "username", "bio", "image"]
    assert (user["email"], user["username"], user["bio"], user["image"]) == (
        "jake@example.com",
        "Jacob",
        None,
        None,
    )
    claims = jwt.decode(user["token"], options={"verify_signature": False})
    lifetime = app.config["REALWORLD_TOKEN_EXPIRES"]
    assert claims["type"] == "access" and claims["exp"] - claims["iat"] == lifetime
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"user": {}}, {"username", "email", "password"}),
        ({"user": {"username": "a", "email": "not-an-email", "password": PASSWORD}}, {"email"}),
        ({"user": {"username": "a", "email": "a@example.com", "password": "short"}}, {"password"}),
        ({}, {"user"}),
        ({"user": "jake"}, {"_schema"}),
    ],
)
def test_bad_registrations_are_422_per_field_and_change_nothing(client, app, body, fields):
    response = client.post(f"{API}/users", json=body)
    assert response.status_code == 422
    assert set(response.json) == {"errors"}
    assert set(response.json["errors"]) == fields
    assert count_rows(app, User) == 0
    assert (
        client.post(
            f"{API}/users/login", json={"user": {"email": "a@example.com", "password": PASSWORD}}
        ).status_code
        == 401
    )


def test_taken_username_or_email_is_422_has_already_been_taken(client, jake):
    for name, email, field in (
        ("JAKE", "other@example.com", "username"),
        ("other", "JAKE@example.com", "email"),
    ):
        response = register(client, name, email)
        assert response.status_code == 422
        assert response.json == {"errors": {field: ["has already been taken"]}}


def test_login_by_email_and_wrong_password_is_401_in_the_errors_shape(client, jake):
    ok = client.post(
        f"{API}/users/login", json={"user": {"email": "JAKE@example.com", "password": PASSWORD}}
    )
    assert ok.status_code == 200 and ok.json["user"]["username"] == "jake"
    for password in ("wrong password", PASSWORD.upper()):
        bad = client.post(
            f"{API}/users/login", json={"user": {"email": "jake@example.com", "password": password}}
        )
        assert bad.status_code == 401
        assert bad.json == {"errors": {"body": ["Invalid credentials"]}}
        assert "WWW-Authenticate" in bad.headers
    unknown = client.post(
        f"{API}/users/login", json={"user": {"email": "nobody@example.com", "password": PASSWORD}}
    )
    assert unknown.status_code == 401 and unknown.json == bad.json
    missing = client.post(f"{API}/users/login", json={"user": {"email": "jake@example.com"}})
    assert missing.status_code == 422 and set(missing.json["errors"]) == {"password"}


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
def test_current_user_accepts_token_and_bearer(client, jake, scheme):
    response = client.get(f"{API}/user", headers=token_headers(jake, scheme))
    assert response.status_code == 200
    assert response.json["user"]["token"] == jake
    assert response.json["user"]["username"] == "jake"


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing token"),
        ({"Authorization": "Basic abc"}, "Missing token"),
        ({"Authorization": "Token not.a.jwt"}, "Invalid token"),
    ],
)
def test_current_user_401s_are_in_the_errors_shape(client, headers, message):
    response = client.get(f"{API}/user", headers=headers)
    assert response.status_code == 401
    assert response.json == {"errors": {"body": [message]}}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_v2_logout_all_ends_realworld_sessions(client, jake):
    v2 = client.post(f"{V2}/auth/login", json={"username": "jake", "password": PASSWORD}).json
    assert (
        client.post(f"{V2}/auth/logout-all", headers=bearer(v2["access_token"])).status_code == 204
    )
    response = client.get(f"{API}/user", headers=token_headers(jake))
    assert response.status_code == 401
    assert response.json == {"errors": {"body": ["Invalid token"]}}


def test_a_v2_logout_revokes_the_same_token_on_this_face(client, jake):
    assert client.post(f"{V2}/auth/logout", headers=bearer(jake)).status_code == 204
    response = client.get(f"{API}/user", headers=token_headers(jake))
    assert response.json == {"errors": {"body": ["Token has been revoked"]}}


def test_settings_form_blanks_change_nothing_and_fields_update(client, app, jake):
    body = {
        "user": {
            "email": "jake@example.com",
            "username": "jake",
            "bio": "I like to skateboard",
            "image": "",
            "password": "",
            "token": jake,
        }
    }
    response = client.put(f"{API}/user", json=body, headers=token_headers(jake))
    assert response.status_code == 200
    user = response.json["user"]
    assert (user["bio"], user["image"], user["token"]) == ("I like to skateboard", None, jake)
    assert client.get(f"{API}/user", headers=token_headers(jake)).status_code == 200
    image = client.put(
        f"{API}/user",
        json={"user": {"image": "https://example.com/jake.png"}},
        headers=token_headers(jake),
    )
    assert image.json["user"]["image"] == "https://example.com/jake.png"


def test_a_new_password_ends_old_tokens_and_answers_a_fresh_one(client, jake):
    response = client.put(
        f"{API}/user", json={"user": {"password": "a new password"}}, headers=token_headers(jake)
    )
    assert response.status_code == 200
    fresh = response.json["user"]["token"]
    assert fresh != jake
    assert client.get(f"{API}/user", headers=token_headers(jake)).status_code == 401
    assert client.get(f"{API}/user", headers=token_headers(fresh)).status_code == 200
    login = {"user": {"email": "jake@example.com", "password": "a new password"}}
    assert client.post(f"{API}/users/login", json=login).status_code == 200


def test_bad_settings_are_422_and_change_nothing(client, app, jake):
    register(client, "other")
    for body, field in (
        ({"user": {"image": "javascript:alert(1)"}}, "image"),
        ({"user": {"username": "OTHER"}}, "username"),
        ({"user": {"email": "nope"}}, "email"),
    ):
        response = client.put(f"{API}/user", json=body, headers=token_headers(jake))
        assert response.status_code == 422, body
        assert field in response.json["errors"]
    me = client.get(f"{API}/user", headers=token_headers(jake)).json["user"]
    assert (me["username"], me["email"], me["image"]) == ("jake", "jake@example.com", None)


def test_profiles_follow_and_unfollow(client, jake):
    register(client, "celeb")
    anonymous = client.get(f"{API}/profiles/celeb")
    assert anonymous.status_code == 200
    assert anonymous.json == {
        "profile": {"username": "celeb", "bio": None, "image": None, "following": False}
    }
    for _ in range(2):  # idempotent
        followed = client.post(f"{API}/profiles/celeb/follow", headers=token_headers(jake))
        assert followed.status_code == 200 and followed.json["profile"]["following"] is True
    seen = client.get(f"{API}/profiles/CELEB", headers=token_headers(jake))
    assert seen.json["profile"]["following"] is True
    unfollowed = client.delete(f"{API}/profiles/celeb/follow", headers=token_headers(jake))
    assert unfollowed.status_code == 200 and unfollowed.json["profile"]["following"] is False


def test_profile_errors(client, jake):
    assert client.get(f"{API}/profiles/nobody").json == {"errors": {"body": ["User not found"]}}
    assert client.get(f"{API}/profiles/nobody").status_code == 404
    assert client.post(f"{API}/profiles/jake/follow").status_code == 401
    yourself = client.post(f"{API}/profiles/jake/follow", headers=token_headers(jake))
    assert yourself.status_code == 422 and "errors" in yourself.json
