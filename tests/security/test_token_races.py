"""Invalidation races, replayed deterministically: a second request runs at the worst moment.

Each test hooks into one step of a request (``revoke``'s commit, a password verification)
and runs another request right there, on a second client, on SQLite and PostgreSQL. Nothing
issued before an invalidation may survive it; a rehash or a password change may only replace
the hash it verified. tests/load/test_token_races.py runs the same races through gunicorn.
"""

import threading

import pytest

from app import sessions
from app.models import users as models  # where User.check_password finds verify_password

from ..helpers import PASSWORD, assert_accepted, assert_refused, bearer, claims_of, user_row

V2 = "/api/v2"
NEW = "a brand new password"
OTHER = "another new password"


def login(client, username="alice", password=PASSWORD):
    return client.post(f"{V2}/auth/login", json={"username": username, "password": password})


def change_password(client, headers, new, current=PASSWORD):
    return client.patch(
        f"{V2}/me", json={"password": new, "current_password": current}, headers=headers
    )


def elsewhere(action):
    """Run ``action`` to its end in another thread: its own app context, its own session."""
    thread = threading.Thread(target=action)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


def after_revoke(monkeypatch, action):
    """Run ``action()`` once, right after the first ``revoke`` commits."""
    original, done = sessions.revoke, []

    def revoke(claims):
        result = original(claims)
        if not done:
            done.append(True)
            elsewhere(action)
        return result

    monkeypatch.setattr(sessions, "revoke", revoke)


def after_first_verify(monkeypatch, action):
    """Run ``action()`` once, right after the first successful password verification."""
    original, state = models.verify_password, {"ran": False}

    def verify(password_hash, password):
        ok = original(password_hash, password)
        if ok and not state["ran"]:
            state["ran"] = True
            elsewhere(action)
        return ok

    monkeypatch.setattr(models, "verify_password", verify)


@pytest.fixture
def alice(auth):
    return auth.create_user("alice", email="alice@example.com")


def test_logout_all_during_a_refresh_kills_the_new_pair(app, client, auth, alice, monkeypatch):
    thief = auth.login()
    victim = bearer(auth.login()["access_token"])
    other = app.test_client()
    kills = []
    after_revoke(
        monkeypatch,
        lambda: kills.append(other.post(f"{V2}/auth/logout-all", headers=victim).status_code),
    )

    response = client.post(f"{V2}/auth/refresh", json={"refresh_token": thief["refresh_token"]})

    assert kills == [204]
    if response.status_code == 200:
        assert_refused(app, client, "v2", bearer(response.json["access_token"]))
        again = client.post(
            f"{V2}/auth/refresh", json={"refresh_token": response.json["refresh_token"]}
        )
        assert again.status_code == 401


def test_the_winner_of_two_simultaneous_refreshes_does_not_survive_the_reuse_kill(
    app, client, auth, alice, monkeypatch
):
    """Without a reuse grace, the second of two simultaneous refreshes is theft."""
    app.config["JWT_REFRESH_REUSE_GRACE"] = 0
    pair = auth.login()
    other = app.test_client()
    loser = []
    after_revoke(
        monkeypatch,
        lambda: loser.append(
            other.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        ),
    )

    winner = client.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})

    assert loser[0].status_code == 401
    if winner.status_code == 200:
        assert_refused(app, client, "v2", bearer(winner.json["access_token"]))
        again = client.post(
            f"{V2}/auth/refresh", json={"refresh_token": winner.json["refresh_token"]}
        )
        assert again.status_code == 401


def test_a_login_with_the_old_password_does_not_survive_a_password_change(
    app, client, auth, alice, monkeypatch
):
    owner = bearer(auth.login()["access_token"])
    other = app.test_client()
    changes = []
    after_first_verify(
        monkeypatch, lambda: changes.append(change_password(other, owner, NEW).status_code)
    )

    response = login(client)

    assert changes == [200]
    if response.status_code == 200:
        assert_refused(app, client, "v2", bearer(response.json["access_token"]))
    assert login(client, password=PASSWORD).status_code == 401
    assert login(client, password=NEW).status_code == 200


def test_a_login_rehash_does_not_overwrite_a_password_change(app_factory, auth, alice, monkeypatch):
    # The stored hash has the testing parameters; this app wants stronger ones: it rehashes.
    stronger = app_factory(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16)
    client, other = stronger.test_client(), stronger.test_client()
    owner = bearer(login(client).json["access_token"])  # rehashes once, before the race
    old_hash = user_row(stronger, alice).password_hash
    cheap = auth.app  # puts the hash back to the cheap parameters, so the next login rehashes
    assert login(cheap.test_client()).status_code == 200
    assert user_row(stronger, alice).password_hash != old_hash
    changes = []
    after_first_verify(
        monkeypatch, lambda: changes.append(change_password(other, owner, NEW).status_code)
    )

    login(client)

    assert changes == [200]
    assert login(client, password=PASSWORD).status_code == 401
    assert login(client, password=NEW).status_code == 200


def test_of_two_simultaneous_password_changes_only_one_answers_200(
    app, client, auth, alice, monkeypatch
):
    first, second = (bearer(auth.login()["access_token"]) for _ in range(2))
    other = app.test_client()
    changes = []
    after_first_verify(
        monkeypatch, lambda: changes.append(change_password(other, second, OTHER).status_code)
    )

    response = change_password(client, first, NEW)

    assert changes == [200]
    assert response.status_code == 422
    assert response.json["errors"] == {"current_password": ["Incorrect password."]}
    assert login(client, password=OTHER).status_code == 200
    assert login(client, password=NEW).status_code == 401


def test_the_new_pair_after_a_plain_refresh_still_works(app, client, auth, alice):
    pair = auth.login()
    response = client.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert response.status_code == 200
    assert_accepted(client, "v2", bearer(response.json["access_token"]), alice)


def test_within_the_grace_the_second_of_two_simultaneous_refreshes_gets_the_same_pair(
    app, client, auth, alice, monkeypatch
):
    """Two tabs refresh at once: the second request runs right after the first one's
    rotation commits. Both answer 200 with the same session's current refresh token."""
    pair = auth.login()
    sid = claims_of(pair["access_token"])["sid"]
    other = app.test_client()
    second = []
    after_revoke(
        monkeypatch,
        lambda: second.append(
            other.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        ),
    )

    first = client.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})

    assert first.status_code == 200 and second[0].status_code == 200
    assert second[0].json["refresh_token"] == first.json["refresh_token"]
    for answer in (first, second[0]):
        assert claims_of(answer.json["access_token"])["sid"] == sid
        assert_accepted(client, "v2", bearer(answer.json["access_token"]), alice)
    # The pair goes on rotating: the session is intact, nothing was taken for theft.
    again = client.post(f"{V2}/auth/refresh", json={"refresh_token": first.json["refresh_token"]})
    assert again.status_code == 200
    assert user_row(app, alice).token_version == 0
