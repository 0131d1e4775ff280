"""The refresh token as an HttpOnly cookie, guarded by the session's CSRF token, and the
grace that lets two tabs refresh at once."""

from datetime import timedelta

import pytest

from app import sessions
from app.config import DevelopmentConfig, ProductionConfig, TestingConfig
from app.models import RevokedToken, UserSession, utcnow

from ..helpers import (
    PASSWORD,
    assert_accepted,
    assert_refused,
    bearer,
    claims_of,
    count_rows,
    snapshot,
    user_row,
)

V2 = "/api/v2"


def cookie_login(client):
    response = client.post(
        f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD, "cookie": True}
    )
    assert response.status_code == 200
    return response


def set_cookie(response):
    [header] = [v for k, v in response.headers if k == "Set-Cookie"]
    name_value, *attributes = [part.strip() for part in header.split(";")]
    return name_value, attributes


def refresh(client, csrf=None, **body):
    headers = {"X-CSRF-Token": csrf} if csrf is not None else {}
    return client.post(f"{V2}/auth/refresh", json=body, headers=headers)


def state(app):
    return snapshot(app), count_rows(app, RevokedToken), count_rows(app, UserSession)


@pytest.fixture
def alice(auth):
    return auth.create_user("alice")


def test_cookie_login_sets_the_refresh_cookie_exactly_and_keeps_it_out_of_the_body(client, alice):
    response = cookie_login(client)

    assert set(response.json) == {"access_token", "token_type", "expires_in", "csrf_token"}
    name_value, attributes = set_cookie(response)
    name, _, token = name_value.partition("=")
    assert name == "refresh_token"
    assert claims_of(token)["type"] == "refresh"
    assert claims_of(token)["sid"] == claims_of(response.json["access_token"])["sid"]
    assert sorted(attributes) == sorted(
        ["Secure", "HttpOnly", f"Max-Age={30 * 24 * 3600}", "Path=/api/v2/auth", "SameSite=Strict"]
        + [a for a in attributes if a.startswith("Expires=")]
    )
    assert_accepted(client, "v2", bearer(response.json["access_token"]), alice)


def test_the_cookie_is_secure_outside_development():
    assert DevelopmentConfig.REFRESH_COOKIE_SECURE is False
    assert TestingConfig.REFRESH_COOKIE_SECURE is True
    assert ProductionConfig.REFRESH_COOKIE_SECURE is True


def test_refresh_with_the_cookie_and_the_csrf_token_rotates_it(client, alice):
    login = cookie_login(client)
    csrf, old = login.json["csrf_token"], set_cookie(login)[0]

    response = refresh(client, csrf)

    assert response.status_code == 200
    assert set(response.json) == {"access_token", "token_type", "expires_in", "csrf_token"}
    assert response.json["csrf_token"] == csrf  # bound to the session, the same in each tab
    assert set_cookie(response)[0] != old
    assert_accepted(client, "v2", bearer(response.json["access_token"]), alice)


@pytest.mark.parametrize("csrf", [None, "", "0" * 64, "wrong", "é"])
def test_the_cookie_without_its_csrf_token_is_403_and_changes_nothing(app, client, alice, csrf):
    login = cookie_login(client)
    before = state(app)

    response = refresh(client, csrf)

    assert response.status_code == 403
    assert response.json["code"] == "csrf_failed"
    assert "Set-Cookie" not in response.headers
    assert state(app) == before
    assert refresh(client, login.json["csrf_token"]).status_code == 200  # still works


def test_another_sessions_csrf_token_does_not_fit(app, client, alice):
    other = app.test_client()
    other_csrf = cookie_login(other).json["csrf_token"]
    cookie_login(client)
    assert refresh(client, other_csrf).json["code"] == "csrf_failed"


def test_a_refresh_with_neither_body_token_nor_cookie_is_422(client, alice):
    response = refresh(client)
    assert response.status_code == 422 and "refresh_token" in response.json["errors"]


def test_the_body_mode_sets_no_cookie_and_can_switch_to_the_cookie(client, alice):
    pair = client.post(f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert "Set-Cookie" not in pair.headers and "refresh_token" in pair.json
    plain = refresh(client, refresh_token=pair.json["refresh_token"])
    assert "Set-Cookie" not in plain.headers and "refresh_token" in plain.json
    switched = refresh(client, refresh_token=plain.json["refresh_token"], cookie=True)
    assert "refresh_token" not in switched.json and set_cookie(switched)[0]
    assert refresh(client, switched.json["csrf_token"]).status_code == 200


def test_cookie_logout_needs_the_csrf_token_then_ends_the_session_and_clears_it(app, client, alice):
    login = cookie_login(client)
    headers = bearer(login.json["access_token"])
    before = state(app)

    refused = client.post(f"{V2}/auth/logout", headers=headers)
    assert refused.status_code == 403 and refused.json["code"] == "csrf_failed"
    assert state(app) == before

    done = client.post(
        f"{V2}/auth/logout", headers={**headers, "X-CSRF-Token": login.json["csrf_token"]}
    )
    assert done.status_code == 204
    name_value, attributes = set_cookie(done)
    assert name_value == "refresh_token=" and "Max-Age=0" in attributes
    assert "Path=/api/v2/auth" in attributes
    assert count_rows(app, UserSession) == 0
    assert_refused(app, client, "v2", headers, "Token has been revoked")


def test_two_refreshes_with_one_cookie_both_stay_signed_in(app, client, alice):
    """Two tabs share the cookie; both refresh before either sees the other's answer."""
    login = cookie_login(client)
    csrf, cookie = login.json["csrf_token"], set_cookie(login)[0]
    tab = app.test_client()
    tab.set_cookie("refresh_token", cookie.partition("=")[2], path="/api/v2/auth")

    first, second = refresh(client, csrf), refresh(tab, csrf)

    assert first.status_code == second.status_code == 200
    assert set_cookie(first)[0] == set_cookie(second)[0]  # the same current refresh token
    for answer in (first, second):
        assert_accepted(client, "v2", bearer(answer.json["access_token"]), alice)
    assert refresh(tab, csrf).status_code == 200
    assert user_row(app, alice).token_version == 0


def test_after_the_grace_a_replayed_refresh_token_is_theft(app, client, alice, monkeypatch):
    pair = client.post(f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD}).json
    rotated = refresh(client, refresh_token=pair["refresh_token"]).json
    later = utcnow() + timedelta(seconds=app.config["JWT_REFRESH_REUSE_GRACE"] + 1)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)

    replay = refresh(client, refresh_token=pair["refresh_token"])

    assert replay.status_code == 401 and replay.json["code"] == "token_revoked"
    assert_refused(app, client, "v2", bearer(rotated["access_token"]))
    assert count_rows(app, UserSession) == 0
