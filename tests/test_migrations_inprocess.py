"""Migrations through Flask-Migrate's API in-process: empty -> head -> base, and the API works
on the migrated schema. (tests/test_migrations.py drives the ``flask db`` CLI itself.)"""

import uuid
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.config import TestingConfig
from app.extensions import db

from .conftest import BACKENDS, TEST_DATABASE_URL, with_search_path

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")
TABLES = {"users", "posts", "todos", "revoked_tokens"}


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    """The URL of a database (or PostgreSQL schema) with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    schema = f"migrate_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(TEST_DATABASE_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(TEST_DATABASE_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def migrated_app(empty_database):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_to_head_then_downgrade_to_base(migrated_app):
    with migrated_app.app_context():
        assert table_names() == set()

        flask_migrate.upgrade(directory=MIGRATIONS)

        assert TABLES <= table_names()
        version = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0001"
        db.session.remove()

        flask_migrate.downgrade(directory=MIGRATIONS, revision="base")

        assert table_names() - {"alembic_version"} == set()


def test_migrated_schema_serves_the_api(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
    client = migrated_app.test_client()

    created = client.post("/api/v1/users", json={"username": "alice", "password": "password1"})
    token = client.post("/api/v1/login", json={"username": "alice", "password": "password1"})
    post = client.post(
        "/api/v1/posts",
        json={"title": "T", "content": "C"},
        headers={"Authorization": f"Bearer {token.json['token']}"},
    )

    assert (created.status_code, token.status_code, post.status_code) == (201, 200, 201)
    assert client.get("/api/v1/posts").json["posts"][0]["title"] == "T"


def test_models_match_the_migrations(migrated_app):
    with migrated_app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, db.metadata)

    assert diff == []
