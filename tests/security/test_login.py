"""Login: no user enumeration, and a rate limit per client address shared by both versions
(in memory and, when TEST_REDIS_URL is set, in Redis across two app instances). Argon2
parameters and rehash on login: tests/test_passwords.py."""

import uuid

import argon2
import pytest

from ..helpers import (
    PASSWORD,
    TEST_REDIS_URL,
    Auth,
    bearer,
    checked_client_for,
    require_redis,
    snapshot,
)

LOGIN = {"v1": "/api/v1/login", "v2": "/api/v2/auth/login"}


def login(checked_client, version, **body):
    return checked_client.post(LOGIN[version], json=body)


# --- no enumeration -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "wrong password"},
        {"username": "nobody", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "ALICE", "password": "wrong password"},
        {"email": "alice@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"username": "alice@example.com", "password": "wrong password"},
    ],
    ids=[
        "wrong-pw",
        "unknown",
        "unknown-right-pw",
        "case",
        "email-wrong-pw",
        "email-unknown",
        "email-as-username",
    ],
)
def test_failed_logins_answer_exactly_the_same(app, checked_client, version, alice, body):
    before = snapshot(app)
    response = login(checked_client, version, **body)
    reference = login(checked_client, version, username="nobody-at-all", password="whatever1")
    assert (response.status_code, response.json) == (reference.status_code, reference.json)
    assert response.status_code == 401
    assert response.json == {
        "error": "Unauthorized",
        "message": "Invalid credentials",
        "code": "invalid_credentials",
    }
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert set(response.headers.keys()) == set(reference.headers.keys())
    assert snapshot(app) == before


def test_unknown_user_costs_one_argon2_verification_like_a_wrong_password(
    checked_client, version, alice, monkeypatch
):
    # Timing parity without timing asserts: both paths run exactly one Argon2 verify.
    calls = []
    real_verify = argon2.PasswordHasher.verify

    def counting_verify(self, hash, password):
        calls.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    login(checked_client, version, username="alice", password="wrong password")
    assert len(calls) == 1
    login(checked_client, version, username="nobody", password="wrong password")
    assert len(calls) == 2
    assert calls[1].startswith("$argon2id$")


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "x" * 2000},
        {"username": "a" * 5000, "password": PASSWORD},
        {"username": "alice\x00", "password": PASSWORD},
        {"username": ["alice"], "password": PASSWORD},
        {"username": {"$ne": None}, "password": {"$ne": None}},
        {"username": "alice' OR '1'='1", "password": "' OR '1'='1"},
        {"username": "alice", "password": None},
        {"username": "%", "password": PASSWORD},
        {"username": "_____", "password": PASSWORD},
    ],
    ids=["long-pw", "long-user", "nul", "list", "operator", "sql", "null-pw", "like-%", "like-_"],
)
def test_hostile_login_bodies_are_4xx_and_issue_no_token(app, checked_client, version, alice, body):
    before = snapshot(app)
    response = login(checked_client, version, **body)
    assert 400 <= response.status_code < 500
    assert "access_token" not in response.json
    assert snapshot(app) == before


# --- rate limit ---------------------------------------------------------------------------


def limited_app(app_factory, **overrides):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", **overrides)
    auth = Auth(app, checked_client_for(app))
    auth.create_user("alice")
    return app, auth.client


def assert_rate_limited(response):
    assert response.status_code == 429
    assert response.json == {
        "error": "Too Many Requests",
        "message": "Too many login attempts; try again later",
        "code": "rate_limited",
    }
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "access_token" not in response.get_data(as_text=True)


def test_login_limit_is_shared_by_v1_and_v2(app_factory):
    app, checked_client = limited_app(app_factory)
    assert login(checked_client, "v1", username="alice", password="wrong1234").status_code == 401
    assert login(checked_client, "v2", username="alice", password="wrong1234").status_code == 401
    assert login(checked_client, "v1", username="alice", password=PASSWORD).status_code == 200
    # The budget is spent: even the right password is refused, on either version.
    assert_rate_limited(login(checked_client, "v2", username="alice", password=PASSWORD))
    assert_rate_limited(login(checked_client, "v1", username="alice", password=PASSWORD))


def test_login_limit_is_per_client_address(app_factory):
    app, checked_client = limited_app(app_factory)
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        checked_client.post(
            LOGIN["v2"], json={"username": "alice", "password": "x" * 8}, environ_base=attacker
        )
    blocked = checked_client.post(
        LOGIN["v2"], json={"username": "alice", "password": PASSWORD}, environ_base=attacker
    )
    assert_rate_limited(blocked)
    # Alice, from her own address, still logs in.
    ok = checked_client.post(
        LOGIN["v2"],
        json={"username": "alice", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert ok.status_code == 200


def test_spoofed_x_forwarded_for_does_not_reset_the_budget(app_factory):
    app, checked_client = limited_app(app_factory)  # PROXY_FIX_X_FOR=0: no proxy is trusted
    for i in range(3):
        checked_client.post(
            LOGIN["v1"],
            json={"username": "alice", "password": "x" * 8},
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        )
    response = checked_client.post(
        LOGIN["v1"],
        json={"username": "alice", "password": PASSWORD},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert_rate_limited(response)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(app_factory):
    app, checked_client = limited_app(app_factory, PROXY_FIX_X_FOR=1)
    for _ in range(3):
        checked_client.post(
            LOGIN["v2"],
            json={"username": "alice", "password": "x" * 8},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    assert_rate_limited(
        checked_client.post(
            LOGIN["v2"],
            json={"username": "alice", "password": "x" * 8},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
    )
    other = checked_client.post(
        LOGIN["v2"],
        json={"username": "alice", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert other.status_code == 200


def test_only_login_is_limited(app_factory):
    app, checked_client = limited_app(app_factory)
    for _ in range(4):
        login(checked_client, "v2", username="alice", password="x" * 8)
    assert login(checked_client, "v2", username="alice", password=PASSWORD).status_code == 429
    assert checked_client.get("/api/v2/posts").status_code == 200
    signup = checked_client.post(
        "/api/v2/users", json={"username": "bob", "password": "password123"}
    )
    assert signup.status_code == 201


def test_rate_limit_is_off_when_disabled(app_factory):
    app = app_factory(RATELIMIT_ENABLED=False, LOGIN_RATE_LIMIT="1 per minute")
    checked_auth = Auth(app, checked_client_for(app))
    checked_auth.create_user("alice")
    for _ in range(5):
        assert (
            login(checked_auth.client, "v2", username="alice", password=PASSWORD).status_code == 200
        )


def test_answers_under_the_limit_carry_no_retry_after(app_factory):
    """Retry-After belongs to the 429 alone: a 200 or 401 login must not tell clients to wait."""
    app, client = limited_app(app_factory)
    ok = login(client, "v2", username="alice", password=PASSWORD)
    wrong = login(client, "v1", username="alice", password="wrong1234")
    assert ok.status_code == 200 and wrong.status_code == 401
    assert "Retry-After" not in ok.headers and "Retry-After" not in wrong.headers
    assert "X-RateLimit-Remaining" not in ok.headers


def test_apps_in_one_process_keep_their_own_limits(app_factory):
    # Two apps with memory:// storage are like two workers without Redis: separate budgets.
    # (It also pins that one app's settings never leak into another's.)
    first, first_client = limited_app(app_factory, RATELIMIT_KEY_PREFIX=f"a-{uuid.uuid4().hex}")
    for _ in range(3):
        login(first_client, "v2", username="alice", password="x" * 8)
    second = app_factory(RATELIMIT_ENABLED=False)
    assert_rate_limited(login(first_client, "v2", username="alice", password=PASSWORD))
    second_client = checked_client_for(second)
    assert login(second_client, "v2", username="alice", password=PASSWORD).status_code == 200


@pytest.fixture
def redis_prefix():
    require_redis()
    import redis

    prefix = f"blogapi-test-{uuid.uuid4().hex}"
    yield prefix
    redis_client = redis.Redis.from_url(TEST_REDIS_URL)
    keys = list(redis_client.scan_iter(f"*{prefix}*"))
    if keys:
        redis_client.delete(*keys)
    redis_client.close()


def test_two_workers_share_the_login_budget_through_redis(app_factory, redis_prefix):
    config = {"RATELIMIT_STORAGE_URI": TEST_REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix}
    worker_a, client_a = limited_app(app_factory, **config)
    worker_b = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", **config)
    client_b = checked_client_for(worker_b)
    assert worker_a.extensions["limiter"].isdisjoint(worker_b.extensions["limiter"])
    assert login(client_a, "v1", username="alice", password="x" * 8).status_code == 401
    assert login(client_b, "v2", username="alice", password="x" * 8).status_code == 401
    assert login(client_a, "v2", username="alice", password=PASSWORD).status_code == 200
    assert_rate_limited(login(client_b, "v1", username="alice", password=PASSWORD))
    assert_rate_limited(login(client_a, "v2", username="alice", password=PASSWORD))
    import redis

    keys = list(redis.Redis.from_url(TEST_REDIS_URL).scan_iter(f"*{redis_prefix}*"))
    assert keys, "the counters live in Redis under the configured prefix"


# --- login by e-mail ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/login", "/api/v2/auth/login"])
def test_someone_elses_email_does_not_shadow_a_username_with_an_at_sign(
    checked_client, checked_auth, path
):
    checked_auth.create_user("alice@example.com")
    checked_auth.create_user("mallory", email="alice@example.com")

    response = checked_client.post(
        path, json={"username": "alice@example.com", "password": PASSWORD}
    )

    assert response.status_code == 200
    me = checked_client.get("/api/v2/me", headers=bearer(response.json["access_token"]))
    assert me.json["username"] == "alice@example.com"
