"""Sessions: every login is one (``sid`` in each token), listed at ``/me/sessions``; ending
one kills its tokens and no other; logout, logout-all and a password change end them, on
v1 and on the RealWorld face as well."""

import sqlalchemy as sa

from app.extensions import db
from app.models import UserSession

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


def login(client, agent="Firefox on Linux", username="alice"):
    response = client.post(
        f"{V2}/auth/login",
        json={"username": username, "password": PASSWORD},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200
    return response.json


def listed(client, pair):
    response = client.get(f"{V2}/me/sessions", headers=bearer(pair["access_token"]))
    assert response.status_code == 200
    return response.json


def test_each_login_is_a_session_listed_with_its_device(client, auth):
    alice = auth.create_user("alice")
    laptop, phone = login(client, "Firefox on Linux"), login(client, "Safari\x00 on iPhone")
    assert claims_of(laptop["access_token"])["sid"] == claims_of(laptop["refresh_token"])["sid"]

    body = listed(client, phone)

    assert body["total"] == 2
    by_agent = {s["user_agent"]: s for s in body["items"]}
    assert set(by_agent) == {"Firefox on Linux", "Safari  on iPhone"}
    assert by_agent["Safari  on iPhone"]["current"] is True
    assert by_agent["Firefox on Linux"]["current"] is False
    assert by_agent["Firefox on Linux"]["id"] == claims_of(laptop["access_token"])["sid"]
    assert set(body["items"][0]) == {"id", "created_at", "last_used_at", "user_agent", "current"}
    assert alice


def test_signing_out_one_device_kills_its_tokens_and_no_other(app, client, auth):
    alice = auth.create_user("alice")
    laptop, phone = login(client, "laptop"), login(client, "phone")
    sid = claims_of(laptop["access_token"])["sid"]

    response = client.delete(f"{V2}/me/sessions/{sid}", headers=bearer(phone["access_token"]))

    assert response.status_code == 204
    assert_refused(app, client, "v2", bearer(laptop["access_token"]), "Token has been revoked")
    refused = client.post(f"{V2}/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert refused.status_code == 401 and refused.json["code"] == "token_revoked"
    # Not taken for theft: the phone lives on, and the account's version did not move.
    assert_accepted(client, "v2", bearer(phone["access_token"]), alice)
    assert user_row(app, alice).token_version == 0
    assert [s["user_agent"] for s in listed(client, phone)["items"]] == ["phone"]


def test_someone_elses_or_an_unknown_session_is_404_and_changes_nothing(app, client, auth):
    auth.create_user("alice")
    auth.create_user("bob")
    alice, bob = login(client), login(client, username="bob")
    before = snapshot(app), count_rows(app, UserSession)
    for sid in (claims_of(bob["access_token"])["sid"], 999999, 2**40):
        response = client.delete(f"{V2}/me/sessions/{sid}", headers=bearer(alice["access_token"]))
        assert response.status_code == 404
    assert (snapshot(app), count_rows(app, UserSession)) == before
    assert listed(client, bob)["total"] == 1


def test_logout_ends_the_current_session(app, client, auth):
    auth.create_user("alice")
    gone, kept = login(client, "gone"), login(client, "kept")
    logout = client.post(f"{V2}/auth/logout", headers=bearer(gone["access_token"]))
    assert logout.status_code == 204
    assert [s["user_agent"] for s in listed(client, kept)["items"]] == ["kept"]


def test_logout_all_and_a_password_change_end_every_session(app, client, auth):
    alice = auth.create_user("alice")
    first, second = login(client), login(client)
    assert client.post(f"{V2}/auth/logout-all", headers=bearer(first["access_token"])).status_code
    assert count_rows(app, UserSession) == 0
    assert_refused(app, client, "v2", bearer(second["access_token"]))

    third, fourth = login(client), login(client)
    changed = client.patch(
        f"{V2}/me",
        json={"password": "a brand new password", "current_password": PASSWORD},
        headers=bearer(third["access_token"]),
    )
    assert changed.status_code == 200
    assert count_rows(app, UserSession) == 0
    assert_refused(app, client, "v2", bearer(fourth["access_token"]))
    assert user_row(app, alice).token_version == 2


def test_a_session_started_under_a_stale_version_is_not_listed(app, client, auth):
    """A login that verified the password just before a logout-all committed writes its
    session at the old version: its tokens are dead, and it is not shown as live."""
    auth.create_user("alice")
    pair = login(client)
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(token_version=-1))
        db.session.commit()
    fresh = login(client, "fresh")
    assert [s["user_agent"] for s in listed(client, fresh)["items"]] == ["fresh"]
    assert pair


def test_a_refresh_keeps_the_session_and_marks_it_used(client, auth):
    auth.create_user("alice")
    pair = login(client)
    before = listed(client, pair)["items"][0]
    rotated = client.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    after = listed(client, rotated.json)["items"]
    assert len(after) == 1 and after[0]["id"] == before["id"]
    assert after[0]["last_used_at"] >= before["last_used_at"]
    assert claims_of(rotated.json["refresh_token"])["sid"] == before["id"]


def test_v1_tokens_carry_a_session_and_v1_logout_ends_it(app, client, auth):
    alice = auth.create_user("alice")
    v1 = client.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}).json
    other = login(client, "other")
    sid = claims_of(v1["token"])["sid"]
    assert sid in {s["id"] for s in listed(client, other)["items"]}

    assert client.post("/api/v1/logout", headers=bearer(v1["token"])).status_code == 200

    assert sid not in {s["id"] for s in listed(client, other)["items"]}
    assert_accepted(client, "v1", bearer(other["access_token"]), alice)


def test_realworld_logins_are_sessions_that_v2_can_end(app, client, auth):
    auth.create_user("alice", email="alice@example.com")
    body = {"user": {"email": "alice@example.com", "password": PASSWORD}}
    first = client.post("/api/users/login", json=body).json["user"]["token"]
    second = client.post("/api/users/login", json=body).json["user"]["token"]
    v2 = login(client)
    realworld = {"Authorization": f"Token {first}"}
    assert client.get("/api/user", headers=realworld).status_code == 200

    sid = claims_of(first)["sid"]
    ended = client.delete(f"{V2}/me/sessions/{sid}", headers=bearer(v2["access_token"]))
    assert ended.status_code == 204
    assert client.get("/api/user", headers=realworld).status_code == 401
    assert client.get("/api/user", headers={"Authorization": f"Token {second}"}).status_code == 200

    client.post(f"{V2}/auth/logout-all", headers=bearer(v2["access_token"]))
    assert client.get("/api/user", headers={"Authorization": f"Token {second}"}).status_code == 401


def test_sessions_need_a_token(client):
    assert client.get(f"{V2}/me/sessions").status_code == 401
    assert client.delete(f"{V2}/me/sessions/1").status_code == 401
