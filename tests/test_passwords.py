"""Argon2id hashing: configured parameters, rehash on login, hashes never leave the server."""

import logging

from argon2 import PasswordHasher

from app.extensions import db
from app.models import User

V1 = "/api/v1"


def stored_hash(app, user_id=1):
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def register_and_login(client, password="password1"):
    created = client.post(f"{V1}/users", json={"username": "alice", "password": password})
    login = client.post(f"{V1}/login", json={"username": "alice", "password": password})
    return created, login


def test_password_is_hashed_with_argon2id_and_the_configured_parameters(client, app):
    created, login = register_and_login(client)

    assert (created.status_code, login.status_code) == (201, 200)
    hashed = stored_hash(app)
    assert hashed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert PasswordHasher().verify(hashed, "password1")


def test_login_rehashes_when_the_parameters_change(app_factory):
    old_app = app_factory()
    register_and_login(old_app.test_client())
    old_hash = stored_hash(old_app)

    new_app = app_factory(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=16)
    client = new_app.test_client()
    wrong = client.post(f"{V1}/login", json={"username": "alice", "password": "nope-nope"})
    assert wrong.status_code == 401
    assert stored_hash(new_app) == old_hash  # a failed login changes nothing

    right = client.post(f"{V1}/login", json={"username": "alice", "password": "password1"})

    assert right.status_code == 200
    new_hash = stored_hash(new_app)
    assert new_hash.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    again = client.post(f"{V1}/login", json={"username": "alice", "password": "password1"})
    assert again.status_code == 200
    assert stored_hash(new_app) == new_hash  # no needless rehash


def test_no_hash_or_password_in_responses_or_logs(client, caplog):
    caplog.set_level(logging.DEBUG)
    created, login = register_and_login(client, "sekrit-password")
    headers = {"Authorization": f"Bearer {login.json['token']}"}
    bodies = [
        created.get_data(as_text=True),
        login.get_data(as_text=True),
        client.get(f"{V1}/me", headers=headers).get_data(as_text=True),
        client.get(f"{V1}/users").get_data(as_text=True),
        client.get(f"{V1}/users/1").get_data(as_text=True),
        client.post(f"{V1}/login", json={"username": "alice", "password": "x"}).get_data(
            as_text=True
        ),
    ]

    for text in [*bodies, caplog.text]:
        assert "$argon2" not in text
        assert "sekrit-password" not in text
        assert "password_hash" not in text
