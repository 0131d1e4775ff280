"""The life of a token: login, refresh rotation with reuse detection, logout, logout-all,
password change. What a client sees, and what is in the revocation table afterwards."""

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import auth as request_auth
from app import sessions as auth_module
from app.extensions import db
from app.models import RevokedToken, User

from ..helpers import (
    PASSWORD,
    assert_accepted,
    assert_refused,
    bearer,
    claims_of,
    count_rows,
    forge,
    user_row,
    valid_claims,
)

V2 = "/api/v2"


def refresh(checked_client, token):
    return checked_client.post(f"{V2}/auth/refresh", json={"refresh_token": token})


def revoked_jtis(app):
    with app.app_context():
        return set(db.session.scalars(sa.select(RevokedToken.jti)))


def test_login_answers_a_pair_that_is_not_cached(checked_client, alice):
    response = checked_client.post(
        f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.json) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] == 3600
    access, refresh_ = (claims_of(response.json[k]) for k in ("access_token", "refresh_token"))
    assert access["type"] == "access" and refresh_["type"] == "refresh"
    assert access["sub"] == refresh_["sub"] == str(alice)
    assert access["jti"] != refresh_["jti"]
    assert refresh_["exp"] - refresh_["iat"] == 30 * 24 * 3600
    assert access["exp"] - access["iat"] == 3600


def test_v1_login_answers_the_same_tokens_as_v2(checked_client, alice):
    response = checked_client.post(
        "/api/v1/login", json={"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json["token"] == response.json["access_token"]
    assert claims_of(response.json["refresh_token"])["type"] == "refresh"
    assert response.headers["Cache-Control"] == "no-store"


def test_refresh_rotates_and_revokes_the_used_refresh_token(
    app, checked_client, checked_auth, alice
):
    first = checked_auth.login("alice")
    rotated = refresh(checked_client, first["refresh_token"])
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    assert rotated.json["refresh_token"] != first["refresh_token"]
    assert revoked_jtis(app) == {claims_of(first["refresh_token"])["jti"]}
    # The new pair works; the access token from before still works too (it was not spent).
    assert_accepted(checked_client, "v2", bearer(rotated.json["access_token"]), alice)
    assert_accepted(checked_client, "v2", bearer(first["access_token"]), alice)
    again = refresh(checked_client, rotated.json["refresh_token"])
    assert again.status_code == 200


def test_replaying_a_used_refresh_token_kills_every_token_of_the_user(
    app, checked_client, version, checked_auth, alice
):
    stolen = checked_auth.login("alice")
    legit = refresh(checked_client, stolen["refresh_token"]).json  # the real client rotates
    newest = refresh(checked_client, legit["refresh_token"]).json
    assert_accepted(checked_client, version, bearer(newest["access_token"]), alice)

    replay = refresh(checked_client, stolen["refresh_token"])  # the thief replays the old one
    assert replay.status_code == 401
    assert replay.json["code"] == "token_revoked"
    assert user_row(app, alice).token_version == 1
    # Every token of alice, the legit newest ones included, is now invalid.
    for token in (newest["access_token"], legit["access_token"], stolen["access_token"]):
        assert_refused(app, checked_client, version, bearer(token))
    after = refresh(checked_client, newest["refresh_token"])
    assert after.status_code == 401
    assert after.json["message"] == "Invalid token"
    # Alice logs in again and carries on.
    assert_accepted(checked_client, version, checked_auth.headers("alice"), alice)


def test_replay_does_not_touch_other_users(app, checked_client, checked_auth, alice):
    app.config["JWT_REFRESH_REUSE_GRACE"] = 0  # the replay is theft at once
    checked_auth.create_user("bob")
    bob = checked_auth.login("bob")
    stolen = checked_auth.login("alice")
    refresh(checked_client, stolen["refresh_token"])
    assert refresh(checked_client, stolen["refresh_token"]).status_code == 401
    assert_accepted(checked_client, "v2", bearer(bob["access_token"]), 2)
    assert refresh(checked_client, bob["refresh_token"]).status_code == 200


@pytest.mark.parametrize(
    "body",
    [{}, {"refresh_token": ""}, {"refresh_token": 5}, {"refresh_token": "x.y.z"}, {"token": "x"}],
    ids=["empty", "blank", "int", "garbage", "unknown-field"],
)
def test_refresh_with_a_bad_body_changes_nothing(app, checked_client, alice, body):
    response = checked_client.post(f"{V2}/auth/refresh", json=body)
    assert response.status_code in {401, 422}
    assert count_rows(app, RevokedToken) == 0
    assert user_row(app, alice).token_version == 0


def test_refresh_with_an_expired_or_forged_refresh_token_is_refused(app, checked_client, alice):
    expired = forge(app, valid_claims(alice, "refresh", iat=1, nbf=1, exp=2))
    assert refresh(checked_client, expired).json["message"] == "Token has expired"
    foreign = forge(app, valid_claims(alice, "refresh"), key="k" * 40)
    assert refresh(checked_client, foreign).json["message"] == "Invalid token"
    assert count_rows(app, RevokedToken) == 0


def test_v2_logout_revokes_the_access_and_the_given_refresh_token(
    app, checked_client, checked_auth, alice
):
    pair = checked_auth.login("alice")
    other = checked_auth.login("alice")  # another device
    response = checked_client.post(
        f"{V2}/auth/logout",
        json={"refresh_token": pair["refresh_token"]},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 204
    assert response.data == b""
    assert revoked_jtis(app) == {
        claims_of(pair["access_token"])["jti"],
        claims_of(pair["refresh_token"])["jti"],
    }
    assert_refused(
        app, checked_client, "v2", bearer(pair["access_token"]), "Token has been revoked"
    )
    # The other device is untouched.
    assert_accepted(checked_client, "v1", bearer(other["access_token"]), alice)
    # Presenting the logged-out refresh token again is refused and, like any reuse of a
    # revoked refresh token, treated as theft: every session of alice ends.
    again = refresh(checked_client, pair["refresh_token"])
    assert again.status_code == 401
    assert again.json["message"] == "Token has been revoked"
    assert_refused(app, checked_client, "v1", bearer(other["access_token"]))


def test_v2_logout_that_failed_halfway_can_be_retried(
    app, checked_client, checked_auth, alice, monkeypatch
):
    """The database fails on the second of logout's two writes: the retry finishes the job."""
    pair = checked_auth.login("alice")
    real_revoke, calls = auth_module.revoke, []

    def second_write_fails(claims):
        calls.append(claims["type"])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_revoke(claims)

    monkeypatch.setattr(auth_module, "revoke", second_write_fails)
    body = {"refresh_token": pair["refresh_token"]}
    headers = bearer(pair["access_token"])
    unchecked = FlaskClient(app, app.response_class)  # ``client`` fails a test on any 500
    assert unchecked.post(f"{V2}/auth/logout", headers=headers, json=body).status_code == 500

    retry = checked_client.post(f"{V2}/auth/logout", headers=headers, json=body)
    assert retry.status_code == 204
    assert checked_client.get(f"{V2}/me", headers=headers).json["code"] == "token_revoked"
    assert refresh(checked_client, pair["refresh_token"]).status_code == 401


def test_v2_logout_without_a_body_ends_the_pair_the_login_issued(
    app, checked_client, checked_auth, alice
):
    pair = checked_auth.login("alice")
    other_device = checked_auth.login("alice")
    response = checked_client.post(f"{V2}/auth/logout", headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    assert revoked_jtis(app) == {
        claims_of(pair[k])["jti"] for k in ("access_token", "refresh_token")
    }
    assert refresh(checked_client, other_device["refresh_token"]).status_code == 200
    assert refresh(checked_client, pair["refresh_token"]).status_code == 401


def test_v2_logout_with_someone_elses_refresh_token_changes_nothing(
    app, checked_client, checked_auth, alice
):
    checked_auth.create_user("bob")
    bob = checked_auth.login("bob")
    mine = checked_auth.login("alice")
    response = checked_client.post(
        f"{V2}/auth/logout",
        json={"refresh_token": bob["refresh_token"]},
        headers=bearer(mine["access_token"]),
    )
    assert response.status_code == 401
    assert count_rows(app, RevokedToken) == 0
    assert refresh(checked_client, bob["refresh_token"]).status_code == 200


def test_v2_logout_with_an_access_token_as_refresh_token_changes_nothing(
    app, checked_client, checked_auth, alice
):
    pair = checked_auth.login("alice")
    response = checked_client.post(
        f"{V2}/auth/logout",
        json={"refresh_token": pair["access_token"]},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 401
    assert count_rows(app, RevokedToken) == 0


def test_v1_logout_revokes_the_access_token_for_both_versions(
    app, checked_client, checked_auth, alice
):
    token = checked_auth.login("alice")["access_token"]
    response = checked_client.post("/api/v1/logout", headers=bearer(token))
    assert response.status_code == 200
    assert response.json == {"message": "Successfully logged out"}
    for version in ("v1", "v2"):
        assert_refused(app, checked_client, version, bearer(token), "Token has been revoked")
    again = checked_client.post("/api/v1/logout", headers=bearer(token))
    assert again.status_code == 401
    assert count_rows(app, RevokedToken) == 2  # the access token and its refresh token


def test_v1_logout_ends_the_refresh_token_of_the_same_login(app, client, alice):
    pair = client.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}).json
    assert claims_of(pair["token"])["rjti"] == claims_of(pair["refresh_token"])["jti"]

    assert client.post("/api/v1/logout", headers=bearer(pair["token"])).status_code == 200

    assert refresh(client, pair["refresh_token"]).json["code"] == "token_revoked"
    with app.app_context():
        row = db.session.scalar(
            sa.select(RevokedToken).where(
                RevokedToken.jti == claims_of(pair["refresh_token"])["jti"]
            )
        )
        assert row.token_type == "refresh"
        assert row.expires_at.timestamp() >= claims_of(pair["refresh_token"])["exp"]


def test_logout_all_invalidates_every_token_of_the_user(
    app, checked_client, version, checked_auth, alice
):
    checked_auth.create_user("bob")
    bob = checked_auth.headers("bob")
    devices = [checked_auth.login("alice") for _ in range(3)]
    response = checked_client.post(
        f"{V2}/auth/logout-all", headers=bearer(devices[0]["access_token"])
    )
    assert response.status_code == 204
    assert user_row(app, alice).token_version == 1
    for pair in devices:
        assert_refused(app, checked_client, version, bearer(pair["access_token"]))
        assert refresh(checked_client, pair["refresh_token"]).json["message"] == "Invalid token"
    assert_accepted(checked_client, version, bob, 2)
    assert_accepted(checked_client, version, checked_auth.headers("alice"), alice)


def test_password_change_invalidates_every_earlier_token(
    app, checked_client, version, checked_auth, alice
):
    pair = checked_auth.login("alice")
    other = checked_auth.login("alice")
    response = checked_client.patch(
        f"{V2}/me",
        json={"password": "a brand new password", "current_password": PASSWORD},
        headers=bearer(pair["access_token"]),
    )
    assert response.status_code == 200
    for token in (pair["access_token"], other["access_token"]):
        assert_refused(app, checked_client, version, bearer(token))
    assert refresh(checked_client, other["refresh_token"]).status_code == 401
    assert_accepted(
        checked_client, version, checked_auth.headers("alice", "a brand new password"), alice
    )
    old = checked_client.post(f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert old.status_code == 401


def test_deleting_a_user_leaves_their_tokens_useless(app, checked_client, checked_auth, alice):
    pair = checked_auth.login("alice")
    with app.app_context():
        db.session.delete(db.session.get(User, alice))
        db.session.commit()
    assert refresh(checked_client, pair["refresh_token"]).json["message"] == "Invalid token"
    assert_refused(app, checked_client, "v2", bearer(pair["access_token"]))


def test_logout_all_counts_a_bump_made_while_it_ran(
    app, checked_client, checked_auth, alice, monkeypatch
):
    """Two devices log out everywhere at once: both bumps count, none is lost."""
    pair = checked_auth.login("alice")
    read_user = request_auth.load_token_user

    def read_then_race(claims):
        found = read_user(claims)  # this request now holds token_version 0 in memory
        with db.engine.begin() as conn:  # ... while another device's logout-all commits
            conn.execute(sa.update(User).values(token_version=User.token_version + 1))
        return found

    monkeypatch.setattr(request_auth, "load_token_user", read_then_race)
    response = checked_client.post(f"{V2}/auth/logout-all", headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    assert user_row(app, alice).token_version == 2


def test_refresh_spent_twice_at_once_while_the_account_is_deleted_is_401(
    app, checked_client, checked_auth, alice, monkeypatch
):
    """Two refreshes with one token race (both read it unspent); the account goes meanwhile."""
    pair = checked_auth.login("alice")
    assert refresh(checked_client, pair["refresh_token"]).status_code == 200
    read_user = auth_module.load_token_user

    def read_before_the_other_spent_it(claims):
        user, _revoked, live = read_user(claims)
        with db.engine.begin() as conn:
            conn.execute(sa.delete(User).where(User.id == alice))
        return user, False, live

    monkeypatch.setattr(auth_module, "load_token_user", read_before_the_other_spent_it)
    replay = refresh(checked_client, pair["refresh_token"])
    assert replay.status_code == 401
    assert replay.json["code"] == "token_revoked"
    assert user_row(app, alice) is None
