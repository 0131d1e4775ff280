"""Argon2id hashing: the configured parameters (for real and dummy hashes), the OWASP
minimum in production, rehash on login, and hashes never leave the server."""

import logging

import argon2
import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from app import create_app
from app.passwords import hash_password

from .helpers import PASSWORD, Auth, assert_accepted, bearer, checked_client_for, user_row

V1 = "/api/v1"
LOGIN = {"v1": "/api/v1/login", "v2": "/api/v2/auth/login"}
STRONG_SECRET = "a-production-secret-that-is-long-enough-0123456789"


def register_and_login(client, password="password1"):
    created = client.post(f"{V1}/users", json={"username": "alice", "password": password})
    login = client.post(f"{V1}/login", json={"username": "alice", "password": password})
    return created, login


def login(client, version, username, password):
    return client.post(LOGIN[version], json={"username": username, "password": password})


def params_of(password_hash):
    params = extract_parameters(password_hash)
    return (params.type, params.time_cost, params.memory_cost, params.parallelism)


# --- the configured parameters ------------------------------------------------------------


def test_password_is_hashed_with_argon2id_and_the_configured_parameters(client, app):
    created, login_ = register_and_login(client)

    assert (created.status_code, login_.status_code) == (201, 200)
    hashed = user_row(app, created.json["id"]).password_hash
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert PasswordHasher().verify(hashed, "password1")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_unknown_user_is_checked_against_a_dummy_hash_with_the_configured_parameters(
    app_factory, version, monkeypatch
):
    """The dummy hash must cost what a real one costs, or an unknown username answers faster."""
    app = app_factory(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16, ARGON2_PARALLELISM=2)
    client = app.test_client()
    Auth(app, client).create_user("alice")
    verified = []
    real_verify = argon2.PasswordHasher.verify

    def recording_verify(self, hash, password):
        verified.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", recording_verify)
    unknown = login(client, version, "nobody", "wrong password")
    wrong = login(client, version, "alice", "wrong password")

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json == wrong.json
    assert len(verified) == 2
    configured = (Type.ID, 2, 16, 2)
    assert params_of(verified[1]) == configured  # alice's real hash
    assert params_of(verified[0]) == configured  # the dummy one


def production_app(**overrides):
    return create_app(
        "production",
        {"SECRET_KEY": STRONG_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://", **overrides},
    )


def test_production_hashes_meet_the_owasp_minimum():
    app = production_app()
    with app.app_context():
        params = extract_parameters(hash_password("correct horse battery staple"))
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


@pytest.mark.parametrize(
    "overrides",
    [{"ARGON2_MEMORY_COST": 1024}, {"ARGON2_TIME_COST": 1}, {"ARGON2_MEMORY_COST": 19455}],
)
def test_production_warns_about_weak_argon2_parameters(overrides):
    with pytest.warns(RuntimeWarning, match="below the OWASP minimum"):
        app = production_app(**overrides)
    with app.app_context():  # it still serves, with what the operator asked for
        params = extract_parameters(hash_password("correct horse battery staple"))
    for key, value in overrides.items():
        assert getattr(params, key.removeprefix("ARGON2_").lower()) == value


def test_production_accepts_the_owasp_minimum_itself(recwarn):
    app = production_app(ARGON2_MEMORY_COST=19 * 1024, ARGON2_TIME_COST=2, ARGON2_PARALLELISM=1)
    with app.app_context():
        params = extract_parameters(hash_password("correct horse battery staple"))
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert not [w for w in recwarn if "OWASP" in str(w.message)]


# --- rehash on login ----------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_login_rehashes_when_the_argon2_parameters_changed(app_factory, version):
    cheap = app_factory()  # the testing config: t=1, m=8, p=1
    user_id = Auth(cheap, checked_client_for(cheap)).create_user("alice")
    old_hash = user_row(cheap, user_id).password_hash
    assert extract_parameters(old_hash).time_cost == 1

    stronger = app_factory(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16)
    client = checked_client_for(stronger)
    wrong = login(client, version, "alice", "wrong password")
    assert wrong.status_code == 401
    assert user_row(stronger, user_id).password_hash == old_hash  # no rehash on failure

    response = login(client, version, "alice", PASSWORD)
    assert response.status_code == 200
    new_hash = user_row(stronger, user_id).password_hash
    assert new_hash != old_hash
    assert params_of(new_hash)[:3] == (Type.ID, 2, 16)

    again = login(client, version, "alice", PASSWORD)
    assert again.status_code == 200
    assert user_row(stronger, user_id).password_hash == new_hash  # stable once current
    assert_accepted(client, version, bearer(again.json["access_token"]), user_id)
    # The old app still verifies the new hash (and moves it back to its own parameters).
    assert login(checked_client_for(cheap), version, "alice", PASSWORD).status_code == 200
    assert params_of(user_row(cheap, user_id).password_hash)[:3] == (Type.ID, 1, 8)


# --- hashes stay on the server ------------------------------------------------------------


def test_no_hash_or_password_in_responses_or_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    created, login_ = register_and_login(client, "sekrit-password")
    headers = bearer(login_.json["token"])
    responses = [
        (created, 201),
        (login_, 200),
        (client.get(f"{V1}/me", headers=headers), 200),
        (client.get(f"{V1}/users"), 200),
        (client.get(f"{V1}/users/1"), 200),
        (client.post(f"{V1}/login", json={"username": "alice", "password": "x"}), 401),
        (client.get("/api/v2/me", headers=headers), 200),
        (client.get("/api/v2/users/1"), 200),
    ]

    for response, status in responses:
        assert response.status_code == status, (response.request.path, response.json)
        assert response.json  # a real answer was scanned, not an empty error page
    assert responses[2][0].json["username"] == "alice"
    for text in [*(r.get_data(as_text=True) for r, _ in responses), caplog.text]:
        assert "$argon2" not in text
        assert "sekrit-password" not in text
        assert "password_hash" not in text
