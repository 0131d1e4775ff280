"""/api/v1 login, logout, /me, and the 401 answers of every protected v1 route."""

import warnings
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, RevokedToken, User
from app.sessions import start_session
from app.tokens import ACCESS, REFRESH, encode_token

from ..helpers import PASSWORD, bearer, count_rows

V1 = "/api/v1"


def get_user(app, user_id):
    with app.app_context():
        return db.session.get(User, user_id)


def token_for(app, user_id, token_type=ACCESS, **kw):
    with app.app_context():
        user = db.session.get(User, user_id)
        sid = start_session(user.id, user.token_version).id
        return encode_token(user.id, user.token_version, token_type, sid=sid, **kw)


def forged(app, user_id, *, key=None, algorithm="HS256", **changes):
    """A token with our claims, re-signed (or not) as the test asks."""
    token = token_for(app, user_id)
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    claims = {k: v for k, v in claims.items() if v is not None}
    secret = key if key is not None else app.config["SECRET_KEY"]
    if algorithm == "none":
        return jwt.encode(claims, None, algorithm="none")
    with warnings.catch_warnings():  # our secret is "short" for HS512; that is the point
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=algorithm)


def expect_401(response, message, code, token_sent):
    assert response.status_code == 401
    assert response.json == {"error": "Unauthorized", "message": message, "code": code}
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    if token_sent:
        assert 'error="invalid_token"' in challenge
    else:
        assert challenge == "Bearer"


# --- login --------------------------------------------------------------------------------


def test_login_by_username_returns_tokens(client, auth):
    auth.create_user("alice")

    response = client.post(f"{V1}/login", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json
    assert body["token_type"] == "Bearer"
    assert body["token"] == body["access_token"]
    assert body["refresh_token"] and body["refresh_token"] != body["access_token"]
    assert body["expires_in"] == 3600
    assert response.headers["Cache-Control"] == "no-store"
    me = client.get(f"{V1}/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.json["username"] == "alice"


def test_login_username_is_case_insensitive(client, auth):
    auth.create_user("bob")
    alice = auth.create_user("Alice")

    response = client.post(f"{V1}/login", json={"username": "aLICE", "password": PASSWORD})

    assert response.status_code == 200
    me = client.get(f"{V1}/me", headers=bearer(response.json["token"]))
    assert me.status_code == 200
    assert (me.json["id"], me.json["username"]) == (alice, "Alice")


def test_login_by_email(client, auth):
    auth.create_user("alice", email="alice@example.com")

    response = client.post(f"{V1}/login", json={"email": "Alice@Example.com", "password": PASSWORD})

    assert response.status_code == 200
    me = client.get(f"{V1}/me", headers=bearer(response.json["access_token"]))
    assert me.json["email"] == "alice@example.com"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "alice"},
        {"email": "alice@example.com"},
        {"password": PASSWORD},
        {"username": "", "password": PASSWORD},
        {"username": "alice", "password": ""},
        {"username": None, "password": PASSWORD},
        {"username": "alice", "password": None},
    ],
)
def test_login_with_missing_fields_is_400(client, auth, body):
    auth.create_user("alice", email="alice@example.com")

    response = client.post(f"{V1}/login", json=body)

    assert response.status_code == 400
    assert response.json == {
        "error": "Bad Request",
        "message": "Missing username or password",
        "code": "missing_fields",
    }


def test_login_unknown_user_and_wrong_password_answer_the_same(client, auth):
    auth.create_user("alice", email="alice@example.com")

    unknown = client.post(f"{V1}/login", json={"username": "mallory", "password": PASSWORD})
    wrong = client.post(f"{V1}/login", json={"username": "alice", "password": "not-the-one"})
    unknown_email = client.post(
        f"{V1}/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )

    for response in (unknown, wrong, unknown_email):
        assert response.status_code == 401
        assert response.json == {
            "error": "Unauthorized",
            "message": "Invalid credentials",
            "code": "invalid_credentials",
        }
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "access_token" not in response.json
    assert unknown.get_data() == wrong.get_data() == unknown_email.get_data()
    # Every header the same, but the request's own id.
    assert _but_request_id(unknown.headers) == _but_request_id(wrong.headers)


def _but_request_id(headers):
    return {k: v for k, v in headers.items() if k != "X-Request-ID"}


def test_login_does_not_touch_the_database_on_failure(client, app, auth):
    auth.create_user("alice")
    before = get_user(app, 1).password_hash

    client.post(f"{V1}/login", json={"username": "alice", "password": "wrong password"})

    assert get_user(app, 1).password_hash == before
    assert count_rows(app, RevokedToken) == 0


# --- logout -------------------------------------------------------------------------------


def test_logout_revokes_the_token_used(client, app, auth):
    headers = auth.user("alice")
    other = auth.headers("alice")

    response = client.post(f"{V1}/logout", headers=headers)

    assert response.status_code == 200
    assert response.json == {"message": "Successfully logged out"}
    with app.app_context():
        rows = db.session.scalars(sa.select(RevokedToken).order_by(RevokedToken.token_type))
        # The access token, and the refresh token the same login issued with it.
        assert [(r.user_id, r.token_type) for r in rows] == [(1, "access"), (1, "refresh")]
        row = db.session.scalar(sa.select(RevokedToken).where(RevokedToken.token_type == "access"))
        assert row.expires_at > datetime.now(UTC)
    again = client.post(f"{V1}/logout", headers=headers)
    assert again.status_code == 401
    assert again.json["message"] == "Token has been revoked"
    # another session of the same user is untouched
    assert client.get(f"{V1}/me", headers=other).status_code == 200


def test_logout_without_token_is_401(client, app):
    response = client.post(f"{V1}/logout")

    assert response.status_code == 401
    assert response.json["message"] == "Missing token"
    assert count_rows(app, RevokedToken) == 0


# --- /me ----------------------------------------------------------------------------------


def test_me_shows_email_and_admin_flag(client, auth):
    headers = auth.user("root", email="root@example.com", admin=True)

    response = client.get(f"{V1}/me", headers=headers)

    assert response.status_code == 200
    assert response.json["username"] == "root"
    assert response.json["email"] == "root@example.com"
    assert response.json["is_admin"] is True
    assert {"id", "created_at"} <= set(response.json)
    assert "password_hash" not in response.json


# --- the 401 table ------------------------------------------------------------------------

PROTECTED = [
    ("post", "/logout"),
    ("get", "/me"),
    ("post", "/posts"),
    ("put", "/posts/1"),
    ("delete", "/posts/1"),
    ("get", "/todos"),
    ("post", "/todos"),
    ("get", "/todos/1"),
    ("put", "/todos/1"),
    ("delete", "/todos/1"),
]


@pytest.mark.parametrize("method,path", PROTECTED)
@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic YWxpY2U6cGFzc3dvcmQ=", "Token abc.def.ghi", "abc"],
    ids=["no-header", "empty", "bearer-only", "bearer-space", "basic", "token-scheme", "bare"],
)
def test_protected_route_without_bearer_token_is_missing_token(client, app, method, path, header):
    headers = {} if header is None else {"Authorization": header}

    response = getattr(client, method)(f"{V1}{path}", headers=headers, json={"title": "x"})

    expect_401(response, "Missing token", "token_missing", token_sent=False)
    assert count_rows(app, RevokedToken) == 0


INVALID_TOKENS = {
    "garbage": lambda app: "not-a-jwt",
    "two-parts": lambda app: "abc.def",
    "bad-base64": lambda app: "eyJ!.eyJ!.sig",
    "bad-signature": lambda app: forged(app, 1, key="another-secret-that-is-long-enough-000"),
    "truncated-signature": lambda app: token_for(app, 1)[:-4],
    "alg-none": lambda app: forged(app, 1, algorithm="none"),
    "alg-hs512": lambda app: forged(app, 1, algorithm="HS512"),
    "alg-hs384": lambda app: forged(app, 1, algorithm="HS384"),
    "missing-exp": lambda app: forged(app, 1, exp=None),
    "missing-jti": lambda app: forged(app, 1, jti=None),
    "missing-type": lambda app: forged(app, 1, type=None),
    "missing-ver": lambda app: forged(app, 1, ver=None),
    "missing-nbf": lambda app: forged(app, 1, nbf=None),
    "non-numeric-sub": lambda app: forged(app, 1, sub="alice"),
    "unknown-user": lambda app: forged(app, 1, sub="999"),
    "huge-sub": lambda app: forged(app, 1, sub="99999999999999999999"),
    "stale-ver": lambda app: forged(app, 1, ver=7),
    "refresh-token": lambda app: token_for(app, 1, REFRESH),
    "aud-not-configured": lambda app: forged(app, 1, aud="someone-else"),
    "nbf-in-future": lambda app: forged(app, 1, nbf=int(datetime.now(UTC).timestamp()) + 600),
    "wrong-type": lambda app: forged(app, 1, type="admin"),
}


@pytest.mark.parametrize("kind", INVALID_TOKENS)
def test_bad_token_is_invalid_token(client, app, auth, kind):
    auth.create_user("alice")
    token = INVALID_TOKENS[kind](app)

    response = client.get(f"{V1}/me", headers=bearer(token))

    expect_401(response, "Invalid token", "token_invalid", token_sent=True)


@pytest.mark.parametrize("method,path", PROTECTED)
def test_every_protected_route_refuses_a_bad_signature(client, app, auth, method, path):
    auth.create_user("alice")
    token = forged(app, 1, key="another-secret-that-is-long-enough-000")

    response = getattr(client, method)(f"{V1}{path}", headers=bearer(token), json={"title": "x"})

    expect_401(response, "Invalid token", "token_invalid", token_sent=True)


def test_token_of_deleted_user_is_invalid(client, app, auth):
    headers = auth.user("alice")
    with app.app_context():
        db.session.delete(db.session.get(User, 1))
        db.session.commit()

    response = client.get(f"{V1}/me", headers=headers)

    expect_401(response, "Invalid token", "token_invalid", token_sent=True)


@pytest.mark.parametrize("method,path", PROTECTED)
def test_expired_token_is_token_has_expired(client, app, auth, method, path):
    auth.create_user("alice")
    token = token_for(app, 1, now=datetime.now(UTC) - timedelta(hours=2))

    response = getattr(client, method)(f"{V1}{path}", headers=bearer(token), json={"title": "x"})

    expect_401(response, "Token has expired", "token_expired", token_sent=True)


@pytest.mark.parametrize("method,path", PROTECTED)
def test_revoked_token_is_token_has_been_revoked(client, app, auth, method, path):
    headers = auth.user("alice")
    assert client.post(f"{V1}/logout", headers=headers).status_code == 200

    response = getattr(client, method)(f"{V1}{path}", headers=headers, json={"title": "x"})

    expect_401(response, "Token has been revoked", "token_revoked", token_sent=True)
    assert count_rows(app, RevokedToken) == 2  # the access token and its refresh token


def test_bearer_scheme_is_case_insensitive(client, auth):
    auth.create_user("alice")
    access = auth.login("alice")["access_token"]

    for scheme in ("bearer", "BEARER", "Bearer"):
        response = client.get(f"{V1}/me", headers={"Authorization": f"{scheme} {access}"})
        assert response.status_code == 200, scheme


def test_token_in_query_string_is_not_accepted(client, auth):
    auth.create_user("alice")
    access = auth.login("alice")["access_token"]

    response = client.get(f"{V1}/me?token={access}&access_token={access}")

    expect_401(response, "Missing token", "token_missing", token_sent=False)


def test_login_is_rate_limited_with_a_json_429(app_factory, auth):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    auth.app, auth.client = app, client
    auth.create_user("alice")
    body = {"username": "alice", "password": "wrong password"}

    answers = [client.post(f"{V1}/login", json=body) for _ in range(3)]
    limited = client.post(f"{V1}/login", json={"username": "alice", "password": PASSWORD})

    assert [r.status_code for r in answers] == [401, 401, 401]
    assert limited.status_code == 429
    assert limited.json["error"] == "Too Many Requests"
    assert limited.json["code"] == "rate_limited"
    assert limited.json["message"] == "Too many login attempts; try again later"
    assert int(limited.headers["Retry-After"]) > 0
    assert "access_token" not in limited.json


def test_login_by_email_ignores_surrounding_spaces(client, auth):
    auth.create_user("bob", email="bob@example.com")
    alice = auth.create_user("alice", email="alice@example.com")

    response = client.post(
        f"{V1}/login", json={"email": "  alice@example.com ", "password": PASSWORD}
    )

    assert response.status_code == 200
    me = client.get(f"{V1}/me", headers=bearer(response.json["token"]))
    assert me.status_code == 200
    assert (me.json["id"], me.json["email"]) == (alice, "alice@example.com")


def test_public_post_reading_refuses_a_bad_token(client, app, auth):
    auth.create_user("alice")
    with app.app_context():
        db.session.add(Post(title="T", slug="t", content="C", user_id=1))
        db.session.commit()

    anonymous = client.get(f"{V1}/posts/1")
    bad = client.get(f"{V1}/posts/1", headers=bearer("not-a-jwt"))

    assert anonymous.status_code == 200
    expect_401(bad, "Invalid token", "token_invalid", token_sent=True)
