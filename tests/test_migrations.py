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

from app import create_app, search
from app.config import TestingConfig
from app.extensions import db

from .helpers import (
    TEST_DATABASE_URL,
    assert_deleted_ids_are_not_reused,
    require_postgres,
    with_search_path,
)

ROOT = Path(__file__).resolve().parent.parent
TABLES = set(db.metadata.tables)  # every table the models declare

pytestmark = pytest.mark.slow


def migration_env(database_url):
    return {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": "migration-test-secret-key-0123456789abcdef",
        "DATABASE_URL": database_url,
    }


def flask_db(database_url, *args):
    """``flask db *args``, which must succeed; downgrades are confirmed (``-x confirm=yes``)."""
    if args and args[0] == "downgrade":
        args = (*args, "-x", "confirm=yes")
    result = run_flask_db(migration_env(database_url), *args)
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
    require_postgres()
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
    """The tables of the schema, without the search index's (SQLite's FTS5 table and its
    shadow tables: not in the model metadata, see search_objects)."""
    engine = sa.create_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        return {name for name in names if search.include_name(name, "table", {})}
    finally:
        engine.dispose()


def search_objects(url):
    """The search index's objects present: FTS5 table and triggers, or tsvector column and
    its GIN index."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = conn.execute(
                    sa.text("SELECT name FROM sqlite_master WHERE name LIKE 'posts_fts%'")
                )
                return {name for (name,) in rows}
            inspector = sa.inspect(conn)
            if not inspector.has_table("posts"):
                return set()
            columns = {c["name"] for c in inspector.get_columns("posts")}
            indexes = {i["name"] for i in inspector.get_indexes("posts")}
            return (columns | indexes) & {search.VECTOR_COLUMN, search.VECTOR_INDEX}
    finally:
        engine.dispose()


def model_differences(url):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    # as migrations/env.py, through Flask-Migrate (app.register_extensions)
                    "include_name": search.include_name,
                },
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def autoincrement_tables(url):
    """SQLite tables whose CREATE TABLE says AUTOINCREMENT (ids never reused); None elsewhere.

    Alembic's compare does not look at this table option, so it is compared here.
    """
    engine = sa.create_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            return None
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
            return {name for name, sql in rows if "AUTOINCREMENT" in sql.upper()}
    finally:
        engine.dispose()


def models_autoincrement_tables(url):
    if not url.startswith("sqlite"):
        return None
    return {
        t.name for t in db.metadata.sorted_tables if t.dialect_options["sqlite"]["autoincrement"]
    }


def test_migrations_upgrade_to_the_models_and_downgrade_to_nothing(empty_database):
    assert tables(empty_database) == set()

    flask_db(empty_database, "upgrade")
    assert tables(empty_database) == TABLES
    assert model_differences(empty_database) == []
    assert autoincrement_tables(empty_database) == models_autoincrement_tables(empty_database)

    assert search_objects(empty_database)

    flask_db(empty_database, "downgrade", "base")
    assert tables(empty_database) == set()
    assert search_objects(empty_database) == set()

    flask_db(empty_database, "upgrade")  # and back up again, from a downgraded database
    assert tables(empty_database) == TABLES
    assert model_differences(empty_database) == []
    assert autoincrement_tables(empty_database) == models_autoincrement_tables(empty_database)
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
    v2_token = client.post(
        "/api/v2/auth/login", json={"username": "alice", "password": "password1"}
    )
    assert_deleted_ids_are_not_reused(
        client, {"Authorization": f"Bearer {v2_token.json['access_token']}"}
    )
    with app.app_context():
        db.engine.dispose()


def test_0002_rebuilds_posts_and_todos_keeping_their_rows_and_back(empty_database):
    """0001 -> head with rows in place -> 0001: every row, id and link survives both ways."""
    flask_db(empty_database, "upgrade", "0001")
    engine = sa.create_engine(empty_database)
    now = "CURRENT_TIMESTAMP"
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (username, username_key, password_hash, is_admin, "
                    f"token_version, created_at) VALUES ('alice', 'alice', 'x', false, 0, {now})"
                )
            )
            user_id = conn.scalar(sa.text("SELECT id FROM users"))
            for n in range(3):
                conn.execute(
                    sa.text(
                        "INSERT INTO posts (title, content, published, user_id, created_at, "
                        f"updated_at) VALUES (:t, 'c', true, :u, {now}, {now})"
                    ),
                    {"t": f"post {n}", "u": user_id},
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO todos (title, completed, user_id, created_at, updated_at) "
                        f"VALUES (:t, false, :u, {now}, {now})"
                    ),
                    {"t": f"todo {n}", "u": user_id},
                )

        def contents():
            with engine.connect() as conn:
                return {
                    table: conn.execute(sa.text(f"SELECT id, title FROM {table} ORDER BY id")).all()
                    for table in ("posts", "todos")
                }

        before = contents()
        assert [len(rows) for rows in before.values()] == [3, 3]

        flask_db(empty_database, "upgrade")
        assert contents() == before
        assert model_differences(empty_database) == []
        assert autoincrement_tables(empty_database) == models_autoincrement_tables(empty_database)
        with engine.connect() as conn:  # the foreign keys still cascade from users
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")  # as the app's connections
                conn.commit()
            conn.execute(sa.text("DELETE FROM users WHERE id = :u"), {"u": user_id})
            assert conn.scalar(sa.text("SELECT count(*) FROM posts")) == 0
            assert conn.scalar(sa.text("SELECT count(*) FROM todos")) == 0
            conn.rollback()
        assert contents() == before

        flask_db(empty_database, "downgrade", "0001")
        assert contents() == before
        if autoincrement_tables(empty_database) is not None:
            assert autoincrement_tables(empty_database) == {"users"}
    finally:
        engine.dispose()


def test_upgrade_gives_existing_posts_slugs_and_rendered_html(empty_database):
    flask_db(empty_database, "upgrade", "0001")
    engine = sa.create_engine(empty_database)
    insert_post = sa.text(
        "INSERT INTO posts (title, content, published, user_id, created_at, updated_at) "
        "VALUES (:title, :content, true, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (username, username_key, password_hash, is_admin, "
                    "token_version, created_at) VALUES ('a', 'a', 'x', false, 0, CURRENT_TIMESTAMP)"
                )
            )
            for title, content in [
                ("Café déjà vu", "*one*"),
                ("Café déjà vu", "<script>alert(1)</script>two"),
                ("???", "three"),
            ]:
                conn.execute(insert_post, {"title": title, "content": content})

        flask_db(empty_database, "upgrade")
        with engine.connect() as conn:
            posts = conn.execute(sa.text("SELECT slug, content_html FROM posts ORDER BY id")).all()
            history = conn.execute(
                sa.text("SELECT slug, post_id FROM post_slugs ORDER BY post_id")
            ).all()
        assert [tuple(p) for p in posts] == [
            ("cafe-deja-vu", "<p><em>one</em></p>\n"),
            ("cafe-deja-vu-2", "two"),  # a script block ends at its line; text stays
            ("post", "<p>three</p>\n"),
        ]
        assert [tuple(h) for h in history] == [
            ("cafe-deja-vu", 1),
            ("cafe-deja-vu-2", 2),
            ("post", 3),
        ]

        app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database})
        client = app.test_client()
        assert client.get("/api/v2/posts/by-slug/cafe-deja-vu-2").json["id"] == 2
        with app.app_context():
            db.engine.dispose()

        flask_db(empty_database, "downgrade", "0001")
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM posts")) == 3
    finally:
        engine.dispose()


def test_a_downgrade_that_drops_data_refuses_without_confirmation(empty_database):
    flask_db(empty_database, "upgrade")
    env = migration_env(empty_database)
    env.pop("ALLOW_DESTRUCTIVE_DOWNGRADE", None)

    harmless = run_flask_db(env, "downgrade", "0004")  # 0005 -> 0004: replay records only
    refused = run_flask_db(env, "downgrade", "0003")  # 0004 -> 0003: comments, likes, tags
    to_nothing = run_flask_db(env, "downgrade", "base")

    assert harmless.returncode == 0, harmless.stderr
    assert refused.returncode != 0 and to_nothing.returncode != 0
    assert "-x confirm=yes" in refused.stdout + refused.stderr
    assert {"comments", "likes", "users", "posts"} <= tables(empty_database)
    assert "idempotency_keys" not in tables(empty_database)


def test_0006_indexes_existing_posts_for_search_and_downgrades_cleanly(empty_database):
    """Posts (one tagged, one draft) written at 0005 are found by search after the upgrade;
    the downgrade removes the index objects and keeps every post and tag."""
    flask_db(empty_database, "upgrade", "0005")
    engine = sa.create_engine(empty_database)
    now = "CURRENT_TIMESTAMP"
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (username, username_key, password_hash, is_admin, "
                    f"token_version, created_at) VALUES ('a', 'a', 'x', false, 0, {now})"
                )
            )
            for n, (title, published) in enumerate(
                [("Beekeeping basics", True), ("Beekeeping draft", False), ("Other", True)], 1
            ):
                conn.execute(
                    sa.text(
                        "INSERT INTO posts (title, slug, content, content_html, published, "
                        f"user_id, created_at, updated_at) VALUES (:t, :s, 'honey and wax', "
                        f"'<p>honey and wax</p>', :p, 1, {now}, {now})"
                    ),
                    {"t": title, "s": f"post-{n}", "p": published},
                )
            conn.execute(sa.text("INSERT INTO tags (name) VALUES ('apiary'), ('spring')"))
            conn.execute(
                sa.text("INSERT INTO post_tags (post_id, tag_id) VALUES (1, 1), (1, 2), (3, 2)")
            )
        flask_db(empty_database, "upgrade")
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT search_tags FROM posts ORDER BY id")).scalars()
            assert [set((n or "").split()) for n in names] == [
                {"apiary", "spring"},
                set(),
                {"spring"},
            ]

        app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": empty_database})
        client = app.test_client()

        def found(q):
            response = client.get("/api/v2/posts", query_string={"q": q})
            assert response.status_code == 200, response.json
            return [p["title"] for p in response.json["items"]]

        assert found("beekeeping") == ["Beekeeping basics"]
        assert sorted(found("honey wax")) == ["Beekeeping basics", "Other"]
        assert found("apiary") == ["Beekeeping basics"]
        assert sorted(found("spring")) == ["Beekeeping basics", "Other"]
        with app.app_context():
            db.engine.dispose()

        flask_db(empty_database, "downgrade", "0005")
        assert search_objects(empty_database) == set()
        with engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT count(*) FROM posts")) == 3
            assert conn.scalar(sa.text("SELECT count(*) FROM post_tags")) == 3
            columns = {c["name"] for c in sa.inspect(conn).get_columns("posts")}
            assert "search_tags" not in columns
    finally:
        engine.dispose()


def test_dropping_the_verified_flags_asks_for_confirmation(empty_database):
    """0008 -> 0007 drops sessions freely, but not which addresses were verified."""
    flask_db(empty_database, "upgrade")
    engine = sa.create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (username, username_key, password_hash, is_admin, "
                "token_version, created_at, email, email_verified) VALUES "
                "('ann', 'ann', 'x', false, 0, CURRENT_TIMESTAMP, 'ann@example.com', true)"
            )
        )
    engine.dispose()
    env = migration_env(empty_database)
    env.pop("ALLOW_DESTRUCTIVE_DOWNGRADE", None)

    refused = run_flask_db(env, "downgrade", "0007")

    assert refused.returncode != 0
    assert "-x confirm=yes" in refused.stdout + refused.stderr
    assert "sessions" in tables(empty_database)
    flask_db(empty_database, "downgrade", "0007")  # confirmed
    assert "sessions" not in tables(empty_database)


def test_0009_fills_the_word_table_from_existing_posts_and_downgrades_cleanly(empty_database):
    """PostgreSQL: posts written at 0008 are in the word table after the upgrade, and a
    post written after it too (the triggers); the downgrade drops the table and its
    triggers and keeps the posts. SQLite: nothing to do, both ways."""
    flask_db(empty_database, "upgrade", "0008")
    engine = sa.create_engine(empty_database)
    postgresql = engine.dialect.name == "postgresql"
    insert = sa.text(
        "INSERT INTO posts (title, slug, content, content_html, published, user_id, "
        "created_at, updated_at) VALUES (:t, :s, 'honey and wax', '<p>honey and wax</p>', "
        "true, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    words = f"SELECT id FROM {search.WORDS_TABLE} WHERE words @@ to_tsquery('english', :q)"
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (username, username_key, password_hash, is_admin, "
                    "token_version, created_at) VALUES ('a', 'a', 'x', false, 0, "
                    "CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(insert, {"t": "Beekeeping", "s": "post-1"})
        flask_db(empty_database, "upgrade")
        with engine.begin() as conn:
            conn.execute(insert, {"t": "Wasps", "s": "post-2"})
        with engine.connect() as conn:
            if postgresql:
                assert conn.execute(sa.text(words), {"q": "honey"}).scalars().all() == [1, 2]
                assert conn.execute(sa.text(words), {"q": "beekeeping"}).scalars().all() == [1]
                # Each post's title, tags and summary words, for the relevance score: filled
                # by the upgrade for the post before it, by the trigger for the one after.
                columns = sa.text(
                    f"SELECT id, title_words::text, tags_words::text, summary_words::text "
                    f"FROM {search.WORDS_TABLE} ORDER BY id"
                )
                assert [tuple(row) for row in conn.execute(columns)] == [
                    (1, "'beekeep'", "", ""),
                    (2, "'wasp'", "", ""),
                ]
            else:
                assert search.WORDS_TABLE not in sa.inspect(conn).get_table_names()
        flask_db(empty_database, "downgrade", "0008")
        with engine.connect() as conn:
            assert search.WORDS_TABLE not in sa.inspect(conn).get_table_names()
            assert conn.scalar(sa.text("SELECT count(*) FROM posts")) == 2
        with engine.begin() as conn:  # no trigger left behind to write to a missing table
            conn.execute(insert, {"t": "Ants", "s": "post-3"})
    finally:
        engine.dispose()
