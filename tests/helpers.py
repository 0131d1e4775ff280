"""Every shared test helper, in one place (fixtures live in the conftest.py files).

Import from here: ``from tests.helpers import PASSWORD, bearer`` (or ``from ..helpers``).
Sections: services the suite needs (and the CI rule for them), the app and its users, rows
in the database, the v2 wire format, the attack tests' checked client and token forging,
and the browser tests' live API client.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import jwt
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Post, RevokedToken, Todo, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"

# --- services: PostgreSQL, Redis, chromium --------------------------------------------------


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the CI environment variable says so (``CI=true``, as every CI service sets)."""
    return environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def require_service(
    available: bool, what: str, how: str, environ: Mapping[str, str] = os.environ
) -> None:
    """Skip the test when ``what`` is missing on a developer's machine; fail it under CI.

    Every test that needs PostgreSQL, Redis or a browser calls this: in CI a missing service
    is a broken set-up, and a silent skip would hide that the tests never ran.
    """
    if available:
        return
    message = f"{what} is not available: {how}"
    if in_ci(environ):
        pytest.fail(f"{message} (CI is set: a missing service fails the run)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


TEST_DATABASE_URL = os.getenv("TEST_DATABASE_URL", "").strip()
TEST_REDIS_URL = os.getenv("TEST_REDIS_URL", "").strip()
CHROMIUM = os.getenv("E2E_CHROMIUM", "/usr/bin/chromium")


def backends(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The database backends every ``app`` test runs on: SQLite, plus PostgreSQL when
    TEST_DATABASE_URL is set, or under CI (where a missing URL then fails those runs)."""
    if environ.get("TEST_DATABASE_URL", "").strip() or in_ci(environ):
        return ["sqlite", "postgresql"]
    return ["sqlite"]


BACKENDS = backends()


def require_postgres() -> str:
    """Return TEST_DATABASE_URL; skip (fail under CI) when it is not set."""
    require_service(
        bool(TEST_DATABASE_URL),
        "PostgreSQL",
        "set TEST_DATABASE_URL=postgresql+psycopg://user@host:5432/dbname",
    )
    return TEST_DATABASE_URL


def require_redis() -> str:
    """Return TEST_REDIS_URL; skip (fail under CI) when it is not set."""
    require_service(bool(TEST_REDIS_URL), "Redis", "set TEST_REDIS_URL=redis://127.0.0.1:6379/<db>")
    return TEST_REDIS_URL


def require_browser() -> None:
    """Playwright and a chromium binary; skip (fail under CI) when either is missing."""
    try:
        import playwright.sync_api  # noqa: F401

        has_playwright = True
    except ImportError:
        has_playwright = False
    require_service(has_playwright, "playwright", "pip install -e '.[dev]'")
    require_service(
        bool(os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)),
        f"chromium at {CHROMIUM}",
        "apt-get install -y chromium (or set E2E_CHROMIUM)",
    )


# --- the app on a backend, and its users ----------------------------------------------------


def with_search_path(url: str, schema: str) -> str:
    """Return ``url`` with libpq ``options`` that put ``schema`` first on the search path."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@dataclass
class Backend:
    name: str
    url: str | None  # None: a fresh SQLite file per test


def make_app(backend: Backend, tmp_path, **overrides: Any) -> Flask:
    url = backend.url or f"sqlite:///{tmp_path / 'test.db'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url, **overrides})
    with app.app_context():
        if backend.url is None:
            db.create_all()
    return app


def reset_database(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


class Auth:
    """Create users and get ``Authorization`` headers for them, through the real API."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def create_user(
        self,
        username: str = "alice",
        password: str = PASSWORD,
        email: str | None = None,
        *,
        admin: bool = False,
    ) -> int:
        with self.app.app_context():
            user = User(email=email, is_admin=admin)
            user.set_username(username)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    def login(self, username: str = "alice", password: str = PASSWORD) -> dict[str, Any]:
        response = self.client.post(
            "/api/v2/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.json
        return response.json

    def headers(self, username: str = "alice", password: str = PASSWORD) -> dict[str, str]:
        return bearer(self.login(username, password)["access_token"])

    def user(self, username: str = "alice", *, admin: bool = False, **kw: Any) -> dict[str, str]:
        """Create ``username`` and return their headers."""
        self.create_user(username, admin=admin, **kw)
        return self.headers(username)


def titles(response: Any) -> list[str]:
    """The titles of a v2 list answer's items (which must be a 200)."""
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["items"]]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def count_rows(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


# --- rows in the database -------------------------------------------------------------

BASE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def tags_named(names: list[str]) -> list[Any]:
    """The ``Tag`` rows named ``names``, the missing ones added to the session: for fixtures
    that build posts through the ORM (``Post.set_tags``); the API writes tags by name."""
    from app.models import Tag

    found = {t.name: t for t in db.session.scalars(sa.select(Tag).where(Tag.name.in_(names)))}
    for name in names:
        if name not in found:
            found[name] = Tag(name=name)
            db.session.add(found[name])
    return [found[name] for name in sorted(set(names))]


def unique_slug() -> str:
    """A slug for a post inserted straight into the database (no history row: not by-slug)."""
    return f"seed-{uuid.uuid4().hex[:16]}"


class Seed:
    """Insert rows straight into the database (fast, with chosen timestamps)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def post(
        self,
        user_id: int,
        title: str = "a title",
        content: str = "some content",
        *,
        published: bool = True,
        minute: int = 0,
    ) -> int:
        when = BASE_TIME + timedelta(minutes=minute)
        with self.app.app_context():
            post = Post(
                title=title,
                slug=unique_slug(),
                content=content,
                published=published,
                user_id=user_id,
                created_at=when,
                updated_at=when,
            )
            db.session.add(post)
            db.session.commit()
            return post.id

    def posts(self, user_ids: list[int], count: int) -> list[int]:
        """Insert ``count`` published posts spread round-robin over ``user_ids``."""
        with self.app.app_context():
            rows = [
                Post(
                    title=f"post {n:03d}",
                    slug=unique_slug(),
                    content=f"content {n:03d}",
                    user_id=user_ids[n % len(user_ids)],
                    created_at=BASE_TIME + timedelta(minutes=n),
                    updated_at=BASE_TIME + timedelta(minutes=n),
                )
                for n in range(count)
            ]
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]

    def todo(
        self,
        user_id: int,
        title: str = "a todo",
        *,
        completed: bool = False,
        due: date | None = None,
        minute: int = 0,
    ) -> int:
        when = BASE_TIME + timedelta(minutes=minute)
        with self.app.app_context():
            todo = Todo(
                title=title,
                completed=completed,
                due_date=due,
                user_id=user_id,
                created_at=when,
                updated_at=when,
            )
            db.session.add(todo)
            db.session.commit()
            return todo.id


def row(app: Flask, model: type, ident: int) -> dict[str, Any] | None:
    """Return a row's columns as a dict (None when it is gone), read fresh from the database."""
    with app.app_context():
        obj = db.session.get(model, ident)
        if obj is None:
            return None
        return {c.key: getattr(obj, c.key) for c in sa.inspect(model).columns}


def user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


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


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


# --- the v2 wire format ------------------------------------------------------------------

V2 = "/api/v2"
V2_PUBLIC_USER_KEYS = {
    "id",
    "username",
    "created_at",
    "bio",
    "image",
    "followers_count",
    "following_count",
    "following",
}
V2_PRIVATE_USER_KEYS = V2_PUBLIC_USER_KEYS | {"email", "is_admin", "email_verified"}
_LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]+)"')


def parse_links(header: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Parse an RFC 8288 ``Link`` value into ``{rel: (path, {query param: value})}``."""
    links = {}
    for url, rel in _LINK_RE.findall(header):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        links[rel] = (parts.path, query)
    return links


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """Check the one JSON error shape and return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert set(body) <= {"error", "message", "code", "errors"}
    assert {"error", "message", "code"} <= set(body)
    assert all(isinstance(body[key], str) and body[key] for key in ("error", "message", "code"))
    if code is not None:
        assert body["code"] == code
    return body


def assert_timestamp(value: str) -> None:
    """An ISO 8601 UTC timestamp with an explicit offset."""
    assert value.endswith(("Z", "+00:00")), value
    datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- the attack tests: a client that checks every answer, forged tokens --------------------

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


def checked_client_for(app: Flask) -> CheckedClient:
    """A ``CheckedClient`` for ``app`` (the app's own ``test_client()`` stays unchecked)."""
    return CheckedClient(app, app.response_class, use_cookies=True)


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


#: ``sid`` of ``valid_claims``: ``forge`` replaces it with a new session of the user.
NEW_SESSION = -1


def valid_claims(user_id: int, token_type: str = "access", **changes: Any) -> dict[str, Any]:
    """Claims exactly like the app's own, then ``changes`` applied (``None`` deletes one).

    ``sid`` is ``NEW_SESSION`` unless changed: ``forge`` starts a real session for it.
    """
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "type": token_type,
        "ver": 0,
        "sid": NEW_SESSION,
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
    if claims.get("sid") == NEW_SESSION and type(claims.get("sid")) is int:
        claims = {**claims, "sid": new_session(app, claims.get("sub"), claims.get("ver"))}
    payload = json.dumps(claims, separators=(",", ":")).encode()
    return jwt.api_jws.encode(payload, key or secret_of(app), algorithm=algorithm, headers=headers)


def new_session(app: Flask, user_id: Any, version: Any = 0) -> int:
    """Start a session (a row, as a login would) for ``user_id``; the id of a session that
    does not exist when there is no such user."""
    from app.sessions import start_session

    with app.app_context():
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError, OverflowError, sa.exc.DBAPIError):
            user = None
        if user is None:
            return 2**31 - 1
        version = version if type(version) is int and -(2**31) < version < 2**31 else 0
        return start_session(user.id, version).id


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: str = "") -> str:
    """Build a token by hand: any header, any claims, any signature text."""
    return f"{b64json(header)}.{b64json(claims)}.{signature}"


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


# --- the browser tests: a live API and the pages of a browser -------------------------------

ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of failed browser tests


@dataclass
class Api:
    """A live API server and a tiny urllib client to check what the browser did."""

    base: str
    expires: int

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            err.close()
            return err.code, json.loads(raw) if raw else None

    def create_user(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        status, body = self.call(
            "POST", "/api/v2/users", {"username": username, "password": password}
        )
        assert status == 201, body
        return body

    def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        status, body = self.call(
            "POST", "/api/v2/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        return body

    def create_post(
        self, token: str, title: str, content: str, published: bool = True, **extra: Any
    ) -> dict:
        status, body = self.call(
            "POST",
            "/api/v2/posts",
            {"title": title, "content": content, "published": published, **extra},
            token,
        )
        assert status == 201, body
        return body


def signed_in(page, api: Api, username: str) -> str:
    """Open the app signed in as ``username`` (its own cookie-mode login, without the form);
    return an access token of another session of theirs, for API calls."""
    from playwright.sync_api import expect

    page.goto(f"{api.base}/#/")
    page.evaluate(
        "async ([name, password]) => (await import('/js/api.js')).login(name, password)",
        [username, PASSWORD],
    )
    page.reload()
    expect(page.locator("#nav")).to_contain_text(username)
    return api.login(username)["access_token"]


class Pages:
    """New browser contexts (each one a separate tab with its own sessionStorage)."""

    def __init__(self, browser, request: pytest.FixtureRequest) -> None:
        self.browser = browser
        self.request = request
        self.opened: list[tuple[str, Any]] = []

    def new(self, label: str = "page"):
        context = self.browser.new_context(viewport={"width": 1100, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        self.opened.append((label, page))
        return page

    def close(self) -> None:
        failed = any(
            getattr(getattr(self.request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        for label, page in self.opened:
            if failed:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.request.node.name)
                page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
            page.context.close()


NEW_ROWS = {
    "posts": {"title": "a post", "content": "some content"},
    "todos": {"title": "a todo"},
}


def assert_deleted_ids_are_not_reused(client, headers: dict[str, str]) -> None:
    """Delete the newest post and todo, create another: it gets a new, larger id.

    SQLite hands out the highest id + 1 unless the table is AUTOINCREMENT, so without it the
    new row would take the deleted one's id and an old link would show it instead.
    """
    for resource, body in NEW_ROWS.items():
        url = f"/api/v2/{resource}"
        ids = []
        for _ in range(2):
            created = client.post(url, json=body, headers=headers)
            assert created.status_code == 201, created.json
            ids.append(created.json["id"])
        newest = max(ids)
        assert client.delete(f"{url}/{newest}", headers=headers).status_code == 204

        again = client.post(url, json=body, headers=headers)

        assert again.status_code == 201, again.json
        assert again.json["id"] > newest, resource
        assert client.get(f"{url}/{newest}", headers=headers).status_code == 404


#: What must never reach a log: the suite's password, a JWT, an Argon2 hash.
SECRET_PATTERNS = [
    re.compile(re.escape(PASSWORD)),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    re.compile(r"\$argon2id?\$"),
]


class SecretScanner(logging.Handler):
    """Keep every log record of the run that holds a secret (formatted with its extras)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        from app.requestlog import JsonFormatter

        self.setFormatter(JsonFormatter())
        self.records = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted still has its message
            text = str(record.msg)
        if any(p.search(text) for p in SECRET_PATTERNS):
            self.leaks.append(text[:300])


# --- mail: a real SMTP server in-process ----------------------------------------------------


class MailCatcher:
    """An aiosmtpd server on 127.0.0.1 that keeps every mail it receives (``messages``)."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        from .servers import free_port

        self.messages: list[Any] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def config(self) -> dict[str, Any]:
        """App settings that send mail here."""
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": self.port,
            "MAIL_TIMEOUT": 5,
        }

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


def sent_mail(app: Flask) -> None:
    """Wait until the app's outbox has run every job (sent or given up on every mail)."""
    from app.mail import outbox

    outbox(app).join()


def token_in(message: Any) -> str:
    """The ``token=…`` of a reset or verification mail."""
    match = re.search(r"token=([A-Za-z0-9_-]+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def search_titles(client, q, **params):
    """The titles ``GET /api/v2/posts?q=…`` answers, in order."""
    return titles(client.get(f"{V2}/posts", query_string={"q": q, **params}))


def create_post(client, headers, **fields):
    """``POST /api/v2/posts`` (a title and content unless given); the created post's JSON."""
    body = {"title": "untitled", "content": "nothing", **fields}
    response = client.post(f"{V2}/posts", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json
