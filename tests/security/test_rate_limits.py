"""Rate limits beyond login: sign-ups, post writes, current_password checks, per-account
failure locks, and IPv6 clients keyed on their /64.

Each app has its own memory:// counters (``app_factory``), so every test starts afresh.
"""

import pytest

from ..helpers import PASSWORD, Auth, checked_client_for

REGISTER = {"v1": "/api/v1/users", "v2": "/api/v2/users"}
LOGIN = {"v1": "/api/v1/login", "v2": "/api/v2/auth/login"}
POSTS = {"v1": "/api/v1/posts", "v2": "/api/v2/posts"}
LOGIN_LIMITED = "Too many login attempts; try again later"


def limited(app_factory, **overrides):
    settings = {
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": "100 per minute",
        "REGISTER_RATE_LIMIT": "100 per minute",
        "POST_RATE_LIMIT": "100 per minute",
        "ACCOUNT_FAILURE_LIMIT": "100 per minute",
        **overrides,
    }
    app = app_factory(**settings)
    return app, Auth(app, checked_client_for(app))


def assert_429(response, message=None):
    assert response.status_code == 429, response.json
    assert response.json["code"] == "rate_limited"
    if message is not None:
        assert response.json["message"] == message
    assert 1 <= int(response.headers["Retry-After"]) <= 3600


def at(address):
    return {"REMOTE_ADDR": address}


# --- registration ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_registration_is_limited_per_client_address(app_factory, version):
    app, auth = limited(app_factory, REGISTER_RATE_LIMIT="2 per minute")
    client = auth.client
    for name in ("ann", "ben"):
        body = {"username": name, "password": PASSWORD}
        assert (
            client.post(REGISTER[version], json=body, environ_base=at("203.0.113.5")).status_code
            == 201
        )

    third = client.post(
        REGISTER[version],
        json={"username": "cat", "password": PASSWORD},
        environ_base=at("203.0.113.5"),
    )
    assert_429(third, "Too many sign-ups; try again later")
    elsewhere = client.post(
        REGISTER[version],
        json={"username": "dan", "password": PASSWORD},
        environ_base=at("198.51.100.1"),
    )
    assert elsewhere.status_code == 201


def test_registration_budget_is_shared_by_v1_and_v2(app_factory):
    app, auth = limited(app_factory, REGISTER_RATE_LIMIT="1 per minute")
    assert (
        auth.client.post(REGISTER["v1"], json={"username": "ann", "password": PASSWORD}).status_code
        == 201
    )
    assert_429(auth.client.post(REGISTER["v2"], json={"username": "ben", "password": PASSWORD}))


# --- post writes --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_post_writes_are_limited_per_user(app_factory, version):
    app, auth = limited(app_factory, POST_RATE_LIMIT="3 per minute")
    alice, bob = auth.user("alice"), auth.user("bob")
    client = auth.client
    first = client.post(POSTS[version], json={"title": "t", "content": "c"}, headers=alice)
    assert first.status_code == 201
    post = f"{POSTS[version]}/{first.json['id']}"
    assert client.put(post, json={"title": "t2", "content": "c2"}, headers=alice).status_code == 200
    assert (
        client.post(POSTS[version], json={"title": "t", "content": "c"}, headers=alice).status_code
        == 201
    )

    assert_429(client.post(POSTS[version], json={"title": "t", "content": "c"}, headers=alice))
    assert_429(client.delete(post, headers=alice))
    # Bob, from the same address, has his own budget; reading is not limited.
    assert (
        client.post(POSTS[version], json={"title": "b", "content": "c"}, headers=bob).status_code
        == 201
    )
    assert client.get(POSTS[version]).status_code == 200


# --- current_password ---------------------------------------------------------------------


def wrong_current_password(client, headers, address="203.0.113.5"):
    return client.patch(
        "/api/v2/me",
        json={"email": "new@example.com", "current_password": "not the password"},
        headers=headers,
        environ_base=at(address),
    )


def test_current_password_checks_spend_the_login_budget(app_factory):
    app, auth = limited(app_factory, LOGIN_RATE_LIMIT="3 per minute")
    headers = auth.user("alice")  # one login from 127.0.0.1
    for _ in range(3):
        assert wrong_current_password(auth.client, headers).status_code == 422

    assert_429(wrong_current_password(auth.client, headers), LOGIN_LIMITED)
    delete = auth.client.delete(
        "/api/v2/me",
        json={"current_password": PASSWORD},
        headers=headers,
        environ_base=at("203.0.113.5"),
    )
    assert_429(delete, LOGIN_LIMITED)
    login = auth.client.post(
        LOGIN["v2"],
        json={"username": "alice", "password": PASSWORD},
        environ_base=at("203.0.113.5"),
    )
    assert_429(login, LOGIN_LIMITED)
    # Requests that check no password are not counted.
    rename = auth.client.patch(
        "/api/v2/me", json={"username": "alicia"}, headers=headers, environ_base=at("203.0.113.5")
    )
    assert rename.status_code == 200


def test_repeated_wrong_current_passwords_lock_the_account_from_any_address(app_factory):
    app, auth = limited(app_factory, ACCOUNT_FAILURE_LIMIT="3 per 15 minutes")
    headers = auth.user("alice")
    for i in range(3):
        assert wrong_current_password(auth.client, headers, f"203.0.113.{i}").status_code == 422

    right = auth.client.patch(
        "/api/v2/me",
        json={"email": "new@example.com", "current_password": PASSWORD},
        headers=headers,
        environ_base=at("198.51.100.9"),
    )
    assert_429(right, LOGIN_LIMITED)


# --- per-account login failures -----------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_failed_logins_lock_the_account_whatever_the_address(app_factory, version):
    app, auth = limited(app_factory, ACCOUNT_FAILURE_LIMIT="3 per 15 minutes")
    auth.create_user("alice")
    auth.create_user("bob")
    for i in range(3):
        wrong = auth.client.post(
            LOGIN[version],
            json={"username": "alice", "password": "wrong password"},
            environ_base=at(f"203.0.113.{i}"),
        )
        assert wrong.status_code == 401

    right = auth.client.post(
        LOGIN[version],
        json={"username": "alice", "password": PASSWORD},
        environ_base=at("198.51.100.9"),
    )
    assert_429(right, LOGIN_LIMITED)
    other = auth.client.post(
        LOGIN[version],
        json={"username": "bob", "password": PASSWORD},
        environ_base=at("198.51.100.9"),
    )
    assert other.status_code == 200


def test_unknown_accounts_lock_the_same_way(app_factory):
    """No enumeration through the lock: an unknown name is locked after as many failures."""
    app, auth = limited(app_factory, ACCOUNT_FAILURE_LIMIT="2 per 15 minutes")
    for i in range(2):
        body = {"username": "nobody", "password": "wrong password"}
        assert (
            auth.client.post(LOGIN["v2"], json=body, environ_base=at(f"203.0.113.{i}")).status_code
            == 401
        )
    body = {"username": "nobody", "password": "wrong password"}
    assert_429(
        auth.client.post(LOGIN["v2"], json=body, environ_base=at("198.51.100.9")), LOGIN_LIMITED
    )


# --- IPv6 ---------------------------------------------------------------------------------


def test_ipv6_clients_are_counted_per_64(app_factory):
    app, auth = limited(app_factory, LOGIN_RATE_LIMIT="3 per minute", PROXY_FIX_X_FOR=1)
    auth.create_user("alice")

    def attempt(address, password="wrong password"):
        return auth.client.post(
            LOGIN["v2"],
            json={"username": "alice", "password": password},
            headers={"X-Forwarded-For": address},
        )

    for i in range(1, 4):
        assert attempt(f"2001:db8:1:2::{i:x}").status_code == 401
    assert_429(attempt("2001:db8:1:2:ffff:ffff:ffff:ffff"), LOGIN_LIMITED)
    # Another /64 has its own budget.
    assert attempt("2001:db8:1:3::1", PASSWORD).status_code == 200
