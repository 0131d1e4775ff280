"""v2 token lifecycle as a frontend uses it: login, refresh rotation, logout, logout-all."""

import pytest

from app.models import RevokedToken

from ..conftest import PASSWORD, bearer, count_rows
from .conftest import V2, assert_error


def test_login_returns_a_token_pair_that_no_cache_keeps(client, auth):
    auth.create_user("alice", email="alice@example.com")
    for creds in ({"username": "ALICE"}, {"email": "Alice@Example.com"}):
        response = client.post(f"{V2}/auth/login", json={**creds, "password": PASSWORD})
        assert response.status_code == 200
        assert set(response.json) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert response.json["token_type"] == "Bearer"
        assert response.json["expires_in"] == 3600
        assert response.headers["Cache-Control"] == "no-store"
        me = client.get(f"{V2}/me", headers=bearer(response.json["access_token"]))
        assert me.json["username"] == "alice"


@pytest.mark.parametrize(
    "creds",
    [{"username": "alice", "password": "wrong password"}, {"username": "nobody", "password": "x"}],
)
def test_login_with_bad_credentials_is_401(client, auth, creds):
    auth.create_user("alice")
    response = client.post(f"{V2}/auth/login", json=creds)
    assert assert_error(response, 401, "invalid_credentials")["message"] == "Invalid credentials"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": PASSWORD}, "username"), ({"username": "alice"}, "password")],
)
def test_login_missing_fields_is_422(client, auth, body, field):
    auth.create_user("alice")
    assert field in assert_error(client.post(f"{V2}/auth/login", json=body), 422)["errors"]


def test_refresh_rotates_and_a_reused_refresh_token_kills_the_session(client, auth):
    auth.create_user("alice")
    first = auth.login("alice")
    rotated = client.post(f"{V2}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    assert rotated.json["refresh_token"] != first["refresh_token"]
    assert client.get(f"{V2}/me", headers=bearer(rotated.json["access_token"])).status_code == 200

    replay = client.post(f"{V2}/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_error(replay, 401, "token_revoked")
    stale = client.get(f"{V2}/me", headers=bearer(rotated.json["access_token"]))
    assert_error(stale, 401, "token_invalid")


def test_refresh_refuses_an_access_token(client, auth):
    auth.create_user("alice")
    tokens = auth.login("alice")
    response = client.post(f"{V2}/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert_error(response, 401, "token_invalid")


def test_logout_revokes_the_access_and_the_given_refresh_token(client, app, auth):
    auth.create_user("alice")
    tokens = auth.login("alice")
    headers = bearer(tokens["access_token"])
    response = client.post(
        f"{V2}/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
    )
    assert response.status_code == 204
    assert response.get_data() == b""
    assert count_rows(app, RevokedToken) == 2
    assert_error(client.get(f"{V2}/me", headers=headers), 401, "token_revoked")
    refresh = client.post(f"{V2}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401


def test_logout_without_a_body_revokes_the_access_token(client, app, auth):
    headers = auth.user("alice")
    assert client.post(f"{V2}/auth/logout", headers=headers).status_code == 204
    assert count_rows(app, RevokedToken) == 2  # and the refresh token issued with it
    assert_error(client.get(f"{V2}/me", headers=headers), 401, "token_revoked")


def test_logout_all_invalidates_every_token(client, auth):
    auth.create_user("alice")
    one, two = auth.login("alice"), auth.login("alice")
    response = client.post(f"{V2}/auth/logout-all", headers=bearer(one["access_token"]))
    assert response.status_code == 204
    for tokens in (one, two):
        assert_error(client.get(f"{V2}/me", headers=bearer(tokens["access_token"])), 401)
        refresh = client.post(f"{V2}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert_error(refresh, 401, "token_invalid")
    assert client.get(f"{V2}/me", headers=auth.headers("alice")).status_code == 200
