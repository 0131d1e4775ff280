"""Seed the benchmark databases: an "empty" one and a "full" one per size.

The full database is filled by ``flask fake``'s bulk code (app.fake): users, posts with slug
history, tags and the search index, exactly what the API would have written; then the bench
reader (user 1) follows ``FOLLOWED`` authors, for the feed, and 1,000,000 revoked tokens
go in, generated inside the database (a recursive CTE on SQLite, ``generate_series`` on
PostgreSQL). The empty database holds only the users.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from urllib.parse import quote

import sqlalchemy as sa

from app import create_app, search
from app.extensions import db
from app.fake import fill
from app.models import Follow, User

USERS = 2_000
FOLLOWED = 1_000  # the feed's reader (user 1) follows users 2..1001
POSTS = 100_000  # the default size; --posts picks another
REVOKED = 1_000_000
SEED = 2026  # the same data at every size and on both backends


@dataclass
class Database:
    backend: str  # "sqlite" or "postgresql"
    variant: str  # "empty" or "full"
    url: str
    posts: int = 0


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


def backends(spec: str) -> tuple[list[str], str | None]:
    """The backends of ``--backends`` that can run, and the PostgreSQL URL
    (``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL``; without one PostgreSQL is skipped)."""
    pg_url = os.getenv("BENCH_DATABASE_URL") or os.getenv("TEST_DATABASE_URL")
    wanted = [b.strip() for b in spec.split(",") if b.strip()]
    if "postgresql" in wanted and not pg_url:
        print("no BENCH_DATABASE_URL/TEST_DATABASE_URL: PostgreSQL skipped", file=sys.stderr)
        wanted.remove("postgresql")
    return wanted, pg_url


def databases(data_dir: str, pg_url: str | None, posts: int = POSTS) -> list[Database]:
    """The empty database, and a full one per size (``full_<posts>``)."""
    names = {"empty": ("empty", 0), "full": (f"full_{posts}", posts)}
    found = [
        Database("sqlite", variant, f"sqlite:///{os.path.join(data_dir, f'{name}.db')}", n)
        for variant, (name, n) in names.items()
    ]
    if pg_url:
        found += [
            Database("postgresql", variant, with_search_path(pg_url, f"bench_{name}"), n)
            for variant, (name, n) in names.items()
        ]
    return found


def _app(url: str, secret: str):
    return create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})


def expected_counts(database: Database) -> tuple[int, int, int, int]:
    if database.variant == "full":
        return (USERS, database.posts, REVOKED, FOLLOWED)
    return (USERS, 0, 0, 0)


def is_seeded(database: Database, secret: str) -> bool:
    app = _app(database.url, secret)
    with app.app_context():
        try:
            users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
            posts = db.session.scalar(sa.text("SELECT count(*) FROM posts"))
            revoked = db.session.scalar(sa.text("SELECT count(*) FROM revoked_tokens"))
            follows = db.session.scalar(sa.select(sa.func.count()).select_from(Follow))
            if database.backend == "postgresql":
                # Seeded before migration 0009 (no word table, app.search) or before its
                # per-column words (no such column: an error), so seed again.
                columns = ", ".join(words for _, words in search.WORD_COLUMNS)
                words = db.session.scalar(
                    sa.text(f"SELECT count(({columns})) FROM {search.WORDS_TABLE}")
                )
                if words != posts:
                    return False
        except sa.exc.DBAPIError:
            return False
        finally:
            db.session.remove()
            db.engine.dispose()
    return (users, posts, revoked, follows) == expected_counts(database)


def seed(database: Database, secret: str, pg_url: str | None) -> None:
    """(Re)create the schema and fill it; the bench reader has id 1 in every database."""
    if database.backend == "postgresql":
        schema = database.url.rsplit("search_path%3D", 1)[1]
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

        def progress(message: str) -> None:
            print(f"  {message}", end="\r", flush=True)

        fill(users=USERS, posts=database.posts, seed=SEED, progress=progress)
        print()
        if database.variant == "full":
            with db.engine.begin() as conn:
                conn.execute(
                    sa.insert(Follow),
                    [{"follower_id": 1, "followed_id": n} for n in range(2, FOLLOWED + 2)],
                )
                statements = _PG_FILL if database.backend == "postgresql" else _SQLITE_FILL
                for statement in statements:
                    conn.execute(sa.text(statement), {"revoked": REVOKED})
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            analyze = "VACUUM ANALYZE" if database.backend == "postgresql" else "ANALYZE"
            conn.execute(sa.text(analyze))
        db.session.remove()
        db.engine.dispose()


_SQLITE_FILL = [
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :revoked)
    INSERT INTO revoked_tokens (jti, token_type, user_id, expires_at, revoked_at)
    SELECT lower(hex(randomblob(16))), 'access', 1 + i % 100,
           '2099-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
    FROM n
    """,
]

_PG_FILL = [
    """
    INSERT INTO revoked_tokens (jti, token_type, user_id, expires_at, revoked_at)
    SELECT md5(i::text || random()::text), 'access', 1 + i % 100,
           timestamp '2099-01-01', timestamp '2026-01-01'
    FROM generate_series(1, :revoked) AS i
    """,
]
