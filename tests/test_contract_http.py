"""The API contract (README, docs/api-v2.md, docs/v1.md) over real HTTP, as an outside suite would.

One gunicorn, started as documented (``flask --app app db upgrade`` from the repository root,
then ``gunicorn -c gunicorn.conf.py "app:create_app()"``) in production mode, with the
.env.example defaults (rate limit ``10 per minute``, ``memory://``, 1 MiB bodies). Only what
can break between the Flask test client and a real server is checked here: headers, body
limits, oversized headers and URLs, HEAD/OPTIONS, routing errors, the login rate limit.
"""

import http.client
import json
import os
import socket
import sqlite3
from datetime import datetime, timedelta

import pytest
import requests

from .servers import ROOT, free_port, migrate, serve

pytestmark = pytest.mark.slow

SECRET = "contract-http-secret-key-0123456789abcdefghij"
ORIGIN = "https://app.example.com"
PASSWORD = "correct horse battery"
MIB = 1024 * 1024


def error_body(response, status, code=None, message=None):
    """The one error shape: JSON with error = reason phrase, message, code."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == http.client.responses[status]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn from a scratch directory, configured by the repository's gunicorn.conf.py."""
    tmp = tmp_path_factory.mktemp("contract")
    port = free_port()
    db_file = tmp / "blog.db"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASK_", "JWT_", "RATELIMIT_", "ARGON2_", "CORS_", "DATABASE_"))
    }
    env.update(
        FLASK_ENV="production",
        SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{db_file}",
        LOGIN_RATE_LIMIT="10 per minute",
        # This module signs up more than the default 10 users an hour from one address;
        # the sign-up limit itself is pinned by tests/security/test_rate_limits.py.
        REGISTER_RATE_LIMIT="1000 per hour",
        RATELIMIT_ENABLED="true",
        RATELIMIT_STORAGE_URI="memory://",
        MAX_CONTENT_LENGTH=str(MIB),
        CORS_ORIGINS=ORIGIN,
        PYTHONPATH=str(ROOT),
        WEB_CONCURRENCY="1",
    )
    migrate(env)
    args = ["-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}", "app:create_app()"]
    with serve(args, cwd=tmp, env=env, log_path=tmp / "gunicorn.log", port=port) as url:
        yield url, db_file


@pytest.fixture(scope="module")
def base(server):
    return server[0]


def count(server, table):
    with sqlite3.connect(server[1]) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def register(base, username, email=None):
    body = {"username": username, "password": PASSWORD}
    if email:
        body["email"] = email
    response = requests.post(base + "/api/v2/users", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def alice(base):
    """One v2 login for the whole module: the login budget is 10 a minute per address."""
    user = register(base, "alice")
    response = requests.post(
        base + "/api/v2/auth/login", json={"username": "alice", "password": PASSWORD}, timeout=10
    )
    assert response.status_code == 200
    return user, response.json()


def test_the_app_runs_in_production_mode_with_the_repository_gunicorn_conf(base):
    response = requests.get(base + "/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Production serves no frontend at / (SERVE_FRONTEND is off outside development).
    error_body(requests.get(base + "/", timeout=10), 404, "not_found")


@pytest.mark.parametrize("path", ["/nope", "/api/v2/nope", "/api/v1/users/abc"])
def test_unknown_paths_are_json_404(base, path):
    response = requests.get(base + path, timeout=10)
    error_body(response, 404, "not_found")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_paths_under_the_realworld_prefix_answer_in_its_shape(base):
    response = requests.get(base + "/api/v3/posts", timeout=10)
    assert response.status_code == 404
    assert response.json() == {"errors": {"body": ["The requested resource was not found"]}}
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("resource", ["users", "posts"])
@pytest.mark.parametrize("raw_id", ["0", "-1", str(2**31), str(2**63)])
def test_path_ids_outside_the_int32_range_are_404(base, version, resource, raw_id):
    response = requests.get(f"{base}/api/{version}/{resource}/{raw_id}", timeout=10)
    error_body(response, 404, "not_found")


def test_wrong_method_is_json_405_with_allow(base):
    response = requests.delete(base + "/api/v2/posts", timeout=10)
    error_body(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert "DELETE" not in response.headers["Allow"]


def test_head_and_options_answer_without_a_body(base):
    head = requests.head(base + "/api/v2/posts", timeout=10)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == "application/json"
    assert "Link" in head.headers

    options = requests.options(base + "/api/v2/posts", timeout=10)
    assert options.status_code == 200
    assert options.content == b""
    assert set(options.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert options.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v2/users", "/api/v1/login"])
def test_a_body_over_one_mib_is_json_413_and_writes_nothing(server, base, path):
    users_before = count(server, "users")
    body = json.dumps({"username": "big", "password": "x" * MIB}).encode()
    response = requests.post(
        base + path, data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    error_body(response, 413, "payload_too_large")
    assert count(server, "users") == users_before


def test_a_body_just_under_the_limit_is_read(base):
    # 1 MiB exactly is allowed; the answer is about the content (password too long), not size.
    filler = "x" * (MIB - 100)
    body = json.dumps({"username": "big", "password": filler}).encode()
    assert len(body) <= MIB
    response = requests.post(
        base + "/api/v2/users", data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert error_body(response, 422)["errors"] == {
        "password": ["Must be at most 1024 characters long."]
    }


def test_a_100kb_bearer_token_is_a_json_431(base):
    response = requests.get(
        base + "/api/v2/me", headers={"Authorization": "Bearer " + "a" * 100_000}, timeout=10
    )
    error_body(response, 431)


def test_a_url_longer_than_8_kb_gets_a_json_414(base):
    response = requests.get(base + "/api/v2/posts", params={"q": "a" * 20_000}, timeout=10)
    error_body(response, 414)


def test_a_url_under_8_kb_reaches_the_app(base):
    response = requests.get(base + "/api/v2/posts", params={"q": "a" * 5_000}, timeout=10)
    body = error_body(response, 422, "validation_error")
    assert list(body["errors"]) == ["q"]


@pytest.mark.parametrize(
    ("headers", "message", "challenge"),
    [
        ({}, "Missing token", "Bearer"),
        ({"Authorization": "Basic YWxpY2U6cHc="}, "Missing token", "Bearer"),
        ({"Authorization": "Bearer not.a.jwt"}, "Invalid token", 'Bearer error="invalid_token"'),
    ],
)
def test_401_answers_carry_a_bearer_challenge(base, headers, message, challenge):
    response = requests.get(base + "/api/v1/me", headers=headers, timeout=10)
    error_body(response, 401, message=message)
    assert response.headers["WWW-Authenticate"].startswith(challenge)
    if not headers.get("Authorization", "").startswith("Bearer"):
        assert "error=" not in response.headers["WWW-Authenticate"]


def assert_utc_timestamp(value):
    assert value.endswith(("Z", "+00:00")), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == timedelta(0)


def test_seed_001_postman_walkthrough(server, base):
    # The seed's literal password "1234" is below PASSWORD_MIN_LENGTH (8): a specific 400.
    short = requests.post(
        base + "/api/v1/users", json={"username": "seedalice", "password": "1234"}, timeout=10
    )
    assert error_body(short, 400, "validation_error")["errors"] == {
        "password": ["Must be at least 8 characters long."]
    }
    users = count(server, "users")
    created = requests.post(
        base + "/api/v1/users", json={"username": "seedalice", "password": PASSWORD}, timeout=10
    )
    assert created.status_code == 201
    assert created.json()["username"] == "seedalice"
    assert count(server, "users") == users + 1
    assert_utc_timestamp(created.json()["created_at"])
    register(base, "seedbob")

    login = requests.post(
        base + "/api/v1/login", json={"username": "seedalice", "password": PASSWORD}, timeout=10
    )
    assert login.status_code == 200
    assert login.headers["Cache-Control"] == "no-store"
    tokens = login.json()
    assert tokens["token"] == tokens["access_token"]
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_token"]

    post = {"title": "My Post", "content": "Hello"}
    error_body(requests.post(base + "/api/v1/posts", json=post, timeout=10), 401)
    made = requests.post(
        base + "/api/v1/posts", json=post, headers=bearer(tokens["token"]), timeout=10
    )
    assert made.status_code == 201
    assert made.json()["user_id"] == created.json()["id"]
    for field in ("created_at", "updated_at"):
        assert_utc_timestamp(made.json()[field])

    bob = requests.post(
        base + "/api/v2/auth/login", json={"username": "seedbob", "password": PASSWORD}, timeout=10
    ).json()
    forbidden = requests.put(
        f"{base}/api/v1/posts/{made.json()['id']}",
        json={"title": "Hijacked"},
        headers=bearer(bob["access_token"]),
        timeout=10,
    )
    error_body(forbidden, 403, message="You can only edit your own posts")
    assert requests.get(f"{base}/api/v1/posts/{made.json()['id']}", timeout=10).json()["title"] == (
        "My Post"
    )


def test_seed_000_flow_email_login_protected_logout_revoked(base):
    created = requests.post(
        base + "/api/v1/users",
        json={"username": "Test user", "email": "Test@Example.com", "password": PASSWORD},
        timeout=10,
    )
    assert created.status_code == 201
    login = requests.post(
        base + "/api/v1/login",
        json={"email": "test@example.com", "password": PASSWORD},
        timeout=10,
    )
    assert login.status_code == 200
    headers = bearer(login.json()["access_token"])

    me = requests.get(base + "/api/v1/me", headers=headers, timeout=10)
    assert me.status_code == 200
    assert me.json()["email"] == "test@example.com"
    assert me.json()["is_admin"] is False

    logout = requests.post(base + "/api/v1/logout", headers=headers, timeout=10)
    assert logout.status_code == 200
    assert logout.json() == {"message": "Successfully logged out"}

    again = requests.get(base + "/api/v1/me", headers=headers, timeout=10)
    error_body(again, 401, "token_revoked", "Token has been revoked")
    assert again.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_v2_create_has_an_absolute_location_and_delete_is_an_empty_204(server, base, alice):
    _, tokens = alice
    headers = bearer(tokens["access_token"])
    created = requests.post(
        base + "/api/v2/posts", json={"title": "t", "content": "c"}, headers=headers, timeout=10
    )
    assert created.status_code == 201
    location = created.headers["Location"]
    assert location == f"{base}/api/v2/posts/{created.json()['id']}"
    assert requests.get(location, timeout=10).json() == created.json()
    assert created.json()["author"] == {"id": alice[0]["id"], "username": "alice"}

    posts = count(server, "posts")
    deleted = requests.delete(location, headers=headers, timeout=10)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "Content-Type" not in deleted.headers
    assert deleted.headers["X-Content-Type-Options"] == "nosniff"
    assert count(server, "posts") == posts - 1
    error_body(requests.get(location, timeout=10), 404, message="Post not found")


def test_v2_lists_link_next_and_prev_and_the_next_link_works(base):
    for name in ("link1", "link2", "link3"):
        register(base, name)
    first = requests.get(base + "/api/v2/users", params={"limit": 1}, timeout=10)
    assert first.status_code == 200
    assert "next" in first.links and "prev" not in first.links
    body = first.json()
    assert set(body) >= {"items", "total", "count", "offset", "limit"}
    assert (body["count"], body["offset"], body["limit"]) == (1, 0, 1)

    second = requests.get(first.links["next"]["url"], timeout=10)
    assert second.status_code == 200
    assert second.json()["offset"] == 1
    assert second.json()["items"][0]["id"] != body["items"][0]["id"]
    assert "prev" in second.links
    error_body(
        requests.get(base + "/api/v2/users", params={"limit": 101}, timeout=10),
        422,
        "validation_error",
    )


def test_refresh_rotation_over_http_and_reuse_kills_every_token(base):
    register(base, "rotator")
    tokens = requests.post(
        base + "/api/v2/auth/login",
        json={"username": "rotator", "password": PASSWORD},
        timeout=10,
    ).json()
    fresh = requests.post(
        base + "/api/v2/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    assert fresh.status_code == 200
    assert fresh.headers["Cache-Control"] == "no-store"
    assert set(fresh.json()) >= {"access_token", "refresh_token", "token_type", "expires_in"}

    # Within the reuse grace (a second tab) the spent token answers the same session's pair.
    again = requests.post(
        base + "/api/v2/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    assert again.status_code == 200
    assert again.json()["refresh_token"] == fresh.json()["refresh_token"]
    newest = requests.post(
        base + "/api/v2/auth/refresh",
        json={"refresh_token": fresh.json()["refresh_token"]},
        timeout=10,
    )
    assert newest.status_code == 200

    # A token two rotations old is no longer the one the grace covers: theft.
    reuse = requests.post(
        base + "/api/v2/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=10
    )
    error_body(reuse, 401)
    me = requests.get(
        base + "/api/v2/me", headers=bearer(newest.json()["access_token"]), timeout=10
    )
    error_body(me, 401, "token_invalid", "Invalid token")


def test_delete_me_needs_the_current_password_then_is_204(server, base):
    register(base, "leaver")
    tokens = requests.post(
        base + "/api/v2/auth/login", json={"username": "leaver", "password": PASSWORD}, timeout=10
    ).json()
    users = count(server, "users")
    refused = requests.delete(
        base + "/api/v2/me", headers=bearer(tokens["access_token"]), timeout=10
    )
    assert list(error_body(refused, 422, "validation_error")["errors"]) == ["current_password"]
    assert count(server, "users") == users
    response = requests.delete(
        base + "/api/v2/me",
        headers=bearer(tokens["access_token"]),
        json={"current_password": PASSWORD},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.content == b""
    assert count(server, "users") == users - 1
    error_body(
        requests.get(base + "/api/v2/me", headers=bearer(tokens["access_token"]), timeout=10),
        401,
        "token_invalid",
    )


@pytest.mark.parametrize(
    ("path", "content_type", "raw", "status", "message"),
    [
        ("/api/v1/users", "application/json", "{bad", 400, "Request must be JSON"),
        ("/api/v1/users", "text/plain", "{}", 400, "Request must be JSON"),
        ("/api/v1/users", "application/json", "[1, 2]", 400, None),
        ("/api/v2/users", "text/plain", "{}", 415, None),
        ("/api/v2/users", "application/json", "{bad", 400, None),
        ("/api/v2/users", "application/json", '"text"', 400, None),
    ],
)
def test_bodies_that_are_not_json_objects_get_4xx_json(
    server, base, path, content_type, raw, status, message
):
    users = count(server, "users")
    response = requests.post(
        base + path, data=raw, headers={"Content-Type": content_type}, timeout=10
    )
    error_body(response, status, message=message)
    assert count(server, "users") == users


def test_cors_echoes_the_configured_origin_and_exposes_location_and_link(base):
    response = requests.get(base + "/api/v2/posts", headers={"Origin": ORIGIN}, timeout=10)
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    exposed = {
        h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert exposed >= {"location", "link"}

    preflight = requests.options(
        base + "/api/v2/posts",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
        timeout=10,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    allowed = {
        h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert allowed >= {"authorization", "content-type"}

    other = requests.get(
        base + "/api/v2/posts", headers={"Origin": "https://evil.example"}, timeout=10
    )
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other.headers


def post_from(address, port, path, body):
    """POST from another loopback address: a client of its own for the rate limiter."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(address, 0))
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def loopback_alias_available():
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.2", 0))
        return True
    except OSError:
        return False


def test_the_11th_login_in_a_minute_is_429_with_retry_after_across_v1_and_v2(base):
    if not loopback_alias_available():
        pytest.skip("needs 127.0.0.2 as a second client address")
    port = int(base.rsplit(":", 1)[1])
    wrong = {"username": "nobody-here", "password": "wrong password"}
    for n in range(10):
        path = "/api/v1/login" if n % 2 else "/api/v2/auth/login"
        status, _, _ = post_from("127.0.0.2", port, path, wrong)
        assert status == 401, (n, status)

    for path in ("/api/v1/login", "/api/v2/auth/login"):
        status, headers, raw = post_from("127.0.0.2", port, path, wrong)
        assert status == 429
        assert headers["Content-Type"] == "application/json"
        assert 0 < int(headers["Retry-After"]) <= 60
        body = json.loads(raw)
        assert body["error"] == "Too Many Requests"
        assert body["code"] == "rate_limited"

    # Another client address still has its own budget (for another name: "nobody-here" has
    # used up its ACCOUNT_FAILURE_LIMIT of 10 failures from any address).
    other = {"username": "somebody-else", "password": "wrong password"}
    status, _, _ = post_from("127.0.0.3", port, "/api/v2/auth/login", other)
    assert status == 401
    status, _, _ = post_from("127.0.0.3", port, "/api/v2/auth/login", wrong)
    assert status == 429
