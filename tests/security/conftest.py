"""Helpers for the attack tests: a client that checks every answer, token forging, snapshots.

Every response these tests receive goes through ``check_response``: an error body has the
one JSON shape, a 401 carries ``WWW-Authenticate: Bearer``, and no body ever contains a
traceback, SQL, a password hash or the signing key.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Post, RevokedToken, Todo, User

from ..conftest import Auth

VERSIONS = ["v1", "v2"]

# Things an error body must never contain, whatever went wrong.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "$argon2",
    "sqlalchemy",
    "psycopg",
    "sqlite3",
    "SELECT ",
    "INSERT INTO",
    "UPDATE users",
    "DELETE FROM",
    "IntegrityError",
)


def check_response(app: Flask, response: Any) -> None:
    """Assert that ``response`` leaks nothing and, when an error, has the contract's shape."""
    text = response.get_data(as_text=True)
    for secret in {app.config["SECRET_KEY"], app.config.get("JWT_SECRET_KEY")} - {None, ""}:
        assert secret not in text, "the signing key leaked"
    for marker in LEAK_MARKERS:
        assert marker not in text, f"{marker!r} leaked in {response.status_code}: {text[:300]}"
    if response.status_code >= 400:
        assert response.is_json, text[:300]
        body = response.json
        assert {"error", "message", "code"} <= set(body), body
        assert all(isinstance(body[key], str) and body[key] for key in ("error", "message"))
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), response.headers
    if response.status_code == 500:
        pytest.fail(f"500 from {text[:300]}")


class CheckedClient(FlaskClient):
    """A test client that runs ``check_response`` on every answer it gets."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        check_response(self.application, response)
        return response


def checked_client(app: Flask) -> FlaskClient:
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return checked_client(app)


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


# --- tokens -------------------------------------------------------------------------------


def b64url(raw: bytes, *, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(raw).decode()
    return text if pad else text.rstrip("=")


def b64json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def header_of(token: str) -> dict[str, Any]:
    return jwt.get_unverified_header(token)


def secret_of(app: Flask) -> str:
    return app.config.get("JWT_SECRET_KEY") or app.config["SECRET_KEY"]


def valid_claims(user_id: int, token_type: str = "access", **changes: Any) -> dict[str, Any]:
    """Claims exactly like the app's own, then ``changes`` applied (``None`` deletes one)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "type": token_type,
        "ver": 0,
    }
    for key, value in changes.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return claims


def forge(
    app: Flask,
    claims: dict[str, Any],
    *,
    key: str | None = None,
    algorithm: str = "HS256",
    headers: dict[str, Any] | None = None,
) -> str:
    """Sign ``claims`` with the app's key (or ``key``), as an attacker who knows it would.

    Signed through PyJWS so that PyJWT's own claim checks on encoding (``iss`` must be a
    string, ...) never stop us from building the bad token we want to send.
    """
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jwt.api_jws.encode(payload, key or secret_of(app), algorithm=algorithm, headers=headers)


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    """Build a token by hand: any header, any claims, any signature text."""
    return f"{b64json(header)}.{b64json(claims)}.{signature}"


# --- state of the database ----------------------------------------------------------------


def snapshot(app: Flask) -> dict[str, Any]:
    """Everything an attack could change: users (with admin flag and token version), posts,
    todos and the revocation table."""
    with app.app_context():
        db.session.remove()

        def rows(stmt: Any) -> list[tuple[Any, ...]]:
            return [tuple(row) for row in db.session.execute(stmt)]

        state = {
            "users": rows(
                sa.select(
                    User.id,
                    User.username,
                    User.email,
                    User.is_admin,
                    User.token_version,
                    User.password_hash,
                ).order_by(User.id)
            ),
            "posts": rows(
                sa.select(Post.id, Post.title, Post.content, Post.user_id, Post.published).order_by(
                    Post.id
                )
            ),
            "todos": rows(
                sa.select(Todo.id, Todo.title, Todo.completed, Todo.user_id).order_by(Todo.id)
            ),
            "revoked": rows(sa.select(RevokedToken.jti).order_by(RevokedToken.jti)),
        }
        db.session.remove()
        return state


def user_row(app: Flask, user_id: int) -> User | None:
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is not None:
            db.session.expunge(user)
        return user


def protected_requests(version: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """A read and a write that need an access token, in ``version``."""
    return [
        ("GET", f"/api/{version}/me", None),
        ("POST", f"/api/{version}/posts", {"title": "pwned", "content": "by a forged token"}),
    ]


def assert_refused(
    app: Flask,
    client: FlaskClient,
    version: str,
    headers: dict[str, str],
    message: str = "Invalid token",
) -> None:
    """Every protected request with ``headers`` is a 401 ``message`` and changes nothing."""
    before = snapshot(app)
    codes = {
        "Invalid token": "token_invalid",
        "Token has expired": "token_expired",
        "Token has been revoked": "token_revoked",
        "Missing token": "token_missing",
    }
    for method, path, body in protected_requests(version):
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == 401, (path, response.json)
        assert response.json["message"] == message, (path, response.json)
        assert response.json["code"] == codes[message]
        challenge = response.headers["WWW-Authenticate"]
        if message == "Missing token":
            assert challenge == "Bearer"
        else:
            assert challenge.startswith('Bearer error="invalid_token"')
    assert snapshot(app) == before


def assert_accepted(client: FlaskClient, version: str, headers: dict[str, str], user_id: int):
    response = client.get(f"/api/{version}/me", headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["id"] == user_id


@pytest.fixture
def alice(auth: Auth) -> int:
    """A user named alice (password ``PASSWORD``) who owns a post and a todo."""
    user_id = auth.create_user("alice", email="alice@example.com")
    headers = auth.headers("alice")
    assert (
        auth.client.post(
            "/api/v2/posts", json={"title": "alice's", "content": "post"}, headers=headers
        ).status_code
        == 201
    )
    assert (
        auth.client.post(
            "/api/v2/todos", json={"title": "alice's todo"}, headers=headers
        ).status_code
        == 201
    )
    return user_id
