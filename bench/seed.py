"""Seed the benchmark databases: an "empty" one and a "full" one (1M revocations, 100k posts).

Rows are generated inside the database (a recursive CTE on SQLite, ``generate_series`` on
PostgreSQL), so seeding a million rows takes seconds, not minutes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import User

BENCH_USER = "bench"
BENCH_PASSWORD = "bench password 0123456789"
AUTHORS = 100
POSTS = 100_000
REVOKED = 1_000_000
SEED_VERSION = "1"


@dataclass
class Database:
    backend: str  # "sqlite" or "postgresql"
    variant: str  # "empty" or "full"
    url: str


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def databases(data_dir: str, pg_url: str | None) -> list[Database]:
    found = [
        Database("sqlite", variant, f"sqlite:///{os.path.join(data_dir, f'{variant}.db')}")
        for variant in ("empty", "full")
    ]
    if pg_url:
        found += [
            Database("postgresql", variant, with_search_path(pg_url, f"bench_{variant}"))
            for variant in ("empty", "full")
        ]
    return found


def _app(url: str, secret: str):
    return create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})


def is_seeded(database: Database, secret: str) -> bool:
    app = _app(database.url, secret)
    with app.app_context():
        try:
            users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
            posts = db.session.scalar(sa.text("SELECT count(*) FROM posts"))
            revoked = db.session.scalar(sa.text("SELECT count(*) FROM revoked_tokens"))
        except sa.exc.DBAPIError:
            return False
        finally:
            db.session.remove()
            db.engine.dispose()
    expected = (AUTHORS, POSTS, REVOKED) if database.variant == "full" else (AUTHORS, 0, 0)
    return (users, posts, revoked) == expected


def seed(database: Database, secret: str, pg_url: str | None) -> None:
    """(Re)create the schema and fill it; the bench user has id 1 in every database."""
    if database.backend == "postgresql":
        schema = f"bench_{database.variant}"
        admin = sa.create_engine(pg_url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    else:
        path = database.url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    app = _app(database.url, secret)
    with app.app_context():
        db.create_all()
        first = User()
        first.set_username(BENCH_USER)
        first.set_password(BENCH_PASSWORD)
        db.session.add(first)
        db.session.flush()
        for n in range(2, AUTHORS + 1):
            author = User(password_hash=first.password_hash)
            author.set_username(f"author{n}")
            db.session.add(author)
        db.session.commit()
        if database.variant == "full":
            statements = _PG_FILL if database.backend == "postgresql" else _SQLITE_FILL
            with db.engine.begin() as conn:
                for statement in statements:
                    conn.execute(sa.text(statement), {"posts": POSTS, "revoked": REVOKED})
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            analyze = "VACUUM ANALYZE" if database.backend == "postgresql" else "ANALYZE"
            conn.execute(sa.text(analyze))
        db.session.remove()
        db.engine.dispose()


_SQLITE_FILL = [
    f"""
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :posts)
    INSERT INTO posts (title, slug, content, content_html, published, user_id, created_at,
                       updated_at)
    SELECT 'Post number ' || i, 'post-number-' || i,
           'The body of post ' || i || '. ' || printf('%.200c', 'x'),
           '<p>The body of post ' || i || '. ' || printf('%.200c', 'x') || '</p>', 1,
           1 + i % {AUTHORS},
           strftime('%Y-%m-%d %H:%M:%S', 1735689600 + i * 60, 'unixepoch') || '.000000',
           strftime('%Y-%m-%d %H:%M:%S', 1735689600 + i * 60, 'unixepoch') || '.000000'
    FROM n
    """,
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :revoked)
    INSERT INTO revoked_tokens (jti, token_type, user_id, expires_at, revoked_at)
    SELECT lower(hex(randomblob(16))), 'access', 1 + i % 100,
           '2099-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
    FROM n
    """,
]

_PG_FILL = [
    f"""
    INSERT INTO posts (title, slug, content, content_html, published, user_id, created_at,
                       updated_at)
    SELECT 'Post number ' || i, 'post-number-' || i,
           'The body of post ' || i || '. ' || repeat('x', 200),
           '<p>The body of post ' || i || '. ' || repeat('x', 200) || '</p>', true,
           1 + i % {AUTHORS},
           timestamp '2025-01-01' + i * interval '1 minute',
           timestamp '2025-01-01' + i * interval '1 minute'
    FROM generate_series(1, :posts) AS i
    """,
    """
    INSERT INTO revoked_tokens (jti, token_type, user_id, expires_at, revoked_at)
    SELECT md5(i::text || random()::text), 'access', 1 + i % 100,
           timestamp '2099-01-01', timestamp '2026-01-01'
    FROM generate_series(1, :revoked) AS i
    """,
]
