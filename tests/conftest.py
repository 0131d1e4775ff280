"""Fixtures: the real factory on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set.

Every test that takes ``app`` (or anything built on it) runs once per backend. PostgreSQL
runs use a fresh schema per test session, dropped at the end, so parallel or repeated
runs against the same database never see each other's rows.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import User

TEST_DATABASE_URL = os.getenv("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
PASSWORD = "correct horse battery"


def with_search_path(url: str, schema: str) -> str:
    """Return ``url`` with libpq ``options`` that put ``schema`` first on the search path."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


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


@pytest.fixture(scope="session", autouse=True)
def no_secret_in_any_log() -> Iterator[SecretScanner]:
    """Every log record of the whole run is scanned; a token, password or hash fails it."""
    scanner = SecretScanner()
    logging.getLogger().addHandler(scanner)
    try:
        yield scanner
    finally:
        logging.getLogger().removeHandler(scanner)
    assert not scanner.leaks, f"secrets in the log: {scanner.leaks[:5]}"


@dataclass
class Backend:
    name: str
    url: str | None  # None: a fresh SQLite file per test


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", None)
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(TEST_DATABASE_URL, schema)
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    try:
        yield Backend("postgresql", url)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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


@pytest.fixture
def app_factory(backend: Backend, tmp_path) -> Iterator[Any]:
    """Build apps with config overrides on the current backend (e.g. a rate limit on)."""
    made: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        app = make_app(backend, tmp_path, **overrides)
        made.append(app)
        return app

    yield factory
    for app in reversed(made):
        reset_database(app)


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


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


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    return Auth(app, client)


def count_rows(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
