"""Migrations: empty -> head -> base -> head on SQLite and on PostgreSQL, matching the models.

Runs ``flask --app app db ...`` exactly as docs/deploying.md says, in a fresh database
(SQLite file) or a fresh PostgreSQL schema dropped afterwards.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app import create_app
from app.config import TestingConfig
from app.extensions import db

from .conftest import TEST_DATABASE_URL, with_search_path

ROOT = Path(__file__).resolve().parent.parent
TABLES = {"users", "posts", "todos", "revoked_tokens", "idempotency_keys", "heartbeat"}

pytestmark = pytest.mark.slow


def flask_db(database_url, *args):
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": "migration-test-secret-key-0123456789abcdef",
        "DATABASE_URL": database_url,
    }
    result = run_flask_db(env, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def run_flask_db(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
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


def tables(url):
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def model_differences(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def test_migrations_upgrade_to_the_models_and_downgrade_to_nothing(empty_database):
    assert tables(empty_database) == set()

    flask_db(empty_database, "upgrade")
    assert tables(empty_database) == TABLES
    assert model_differences(empty_database) == []

    flask_db(empty_database, "downgrade", "base", "-x", "confirm=yes")
    assert tables(empty_database) == set()

    flask_db(empty_database, "upgrade")  # and back up again, from a downgraded database
    assert tables(empty_database) == TABLES
    assert_username_key_is_unique(empty_database)


def assert_username_key_is_unique(url):
    """The migrated schema itself refuses a second "alice" in another case (races included)."""
    engine = sa.create_engine(url)
    insert = sa.text(
        "INSERT INTO users (username, username_key, password_hash, is_admin, token_version, "
        "created_at) VALUES (:name, :key, 'x', false, 0, CURRENT_TIMESTAMP)"
    )
    try:
        with engine.begin() as conn:
            conn.execute(insert, {"name": "Alice", "key": "alice"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(insert, {"name": "ALICE", "key": "alice"})
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM users")) == 1
    finally:
        engine.dispose()


def test_migrated_schema_serves_the_api(empty_database):
    flask_db(empty_database, "upgrade")
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database})
    client = app.test_client()

    created = client.post("/api/v1/users", json={"username": "alice", "password": "password1"})
    token = client.post("/api/v1/login", json={"username": "alice", "password": "password1"})
    post = client.post(
        "/api/v1/posts",
        json={"title": "T", "content": "C"},
        headers={"Authorization": f"Bearer {token.json['token']}"},
    )

    assert (created.status_code, token.status_code, post.status_code) == (201, 200, 201)
    assert client.get("/api/v1/posts").json["posts"][0]["title"] == "T"
    with app.app_context():
        db.engine.dispose()


def test_a_downgrade_that_drops_every_table_refuses_without_confirmation(empty_database):
    flask_db(empty_database, "upgrade")
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": "migration-test-secret-key-0123456789abcdef",
        "DATABASE_URL": empty_database,
    }
    env.pop("ALLOW_DESTRUCTIVE_DOWNGRADE", None)

    harmless = run_flask_db(env, "downgrade")  # 0004 -> 0001: replay records only
    refused = run_flask_db(env, "downgrade")  # 0001 -> nothing: every table

    assert harmless.returncode == 0, harmless.stderr
    assert refused.returncode != 0
    assert "-x confirm=yes" in refused.stdout + refused.stderr
    assert tables(empty_database) == {"users", "posts", "todos", "revoked_tokens"}
