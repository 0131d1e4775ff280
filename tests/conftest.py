"""Fixtures: the real factory on SQLite always, and on PostgreSQL when TEST_DATABASE_URL is set.

Every test that takes ``app`` (or anything built on it) runs once per backend. PostgreSQL
runs use a fresh schema per test session, dropped at the end, so parallel or repeated
runs against the same database never see each other's rows. Under CI the PostgreSQL runs
always exist and fail when TEST_DATABASE_URL is missing (tests/helpers.py, require_service).

Helpers (Auth, bearer, count_rows, ...) live in tests/helpers.py; this file holds fixtures.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestingConfig
from app.extensions import db

from .helpers import (
    BACKENDS,
    Auth,
    Backend,
    MailCatcher,
    SecretScanner,
    make_app,
    require_postgres,
    reset_database,
    with_search_path,
)


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


@pytest.fixture(scope="session", autouse=True)
def compiled_dumps_checked() -> Iterator[None]:
    """Every answer dumped by a compiled plan (app/dumping.py) is compared with marshmallow's
    own dump of it, in key order: a difference fails the request's test."""
    import app.dumping

    app.dumping.VERIFY = True
    try:
        yield
    finally:
        app.dumping.VERIFY = False


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend("sqlite", None)
        return
    database_url = require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(database_url, schema)
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


@pytest.fixture
def auth(app: Flask, client: FlaskClient) -> Auth:
    """Create users and log them in through ``client`` (see ``Auth`` in tests/helpers.py)."""
    return Auth(app, client)


@pytest.fixture
def smtp() -> Iterator[MailCatcher]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 for this test; ``smtp.messages`` holds the
    mail it received, ``smtp.config()`` the app settings that send there."""
    catcher = MailCatcher()
    catcher.controller.start()
    try:
        yield catcher
    finally:
        catcher.controller.stop()


@pytest.fixture
def mail_app(app_factory, smtp: MailCatcher) -> Flask:
    """``app``, mailing through ``smtp``."""
    return app_factory(**smtp.config())
