"""The data both RealWorld servers are measured on: ours first, then a copy in the peer's tables.

``seed_ours`` fills a PostgreSQL schema of our database (``bench_rw`` by default) through our
own models: 100 users (the first, ``bench``, follows ten authors), 10,000 published articles
with titles, descriptions, bodies and two tags each, favorites, and comments (20 on the
newest article, the one whose comments are measured). Rows are generated in the database
(``generate_series``), so seeding takes seconds.

``copy_to_peer`` reads those rows back in bulk and writes them into the tables the peer's own
alembic migration made (``users``, ``followers_to_followings``, ``articles``, ``tags``,
``articles_to_tags``, ``favorites``, ``commentaries``) with ``COPY``, keeping every id, so
both servers answer from the same users, articles, tags, favorites, follows and comments.
Nothing of the peer's code is needed here: only its table layout, read from its migration.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

USERS = 100
ARTICLES = 10_000
FOLLOWED = 10  # the bench user follows authors 2 .. FOLLOWED + 1
MEASURED_COMMENTS = 20
TAGS = [
    "python", "webdev", "databases", "tutorial", "testing",  # each on 2,000 articles
    "flask", "postgresql", "sqlite", "performance", "security", "javascript", "css",
    "devops", "docker", "linux", "git", "api", "design", "career", "opensource",
]  # fmt: skip
COMMON_TAG = TAGS[0]
# Written, with our newest migration, as a comment on our schema and on the peer's
# ``articles`` table once their data is complete; a change to what is generated bumps it, a
# new migration (our tables changed) counts as one: both are seeded again.
SEED_VERSION = "bench.realworld_data 3"
BENCH_USER = "bench"
PASSWORD = "bench password 0123456789"  # every user's, on both servers

# Rows: article i (1..ARTICLES) is by user 2 + i % 99 (never the bench user), tagged
# TAGS[i % 5] and TAGS[5 + i % 15]; user u favorites article i when (i + u) % 50 = 0
# (≈ 200 favorites a user, 2 an article); every 10th article has one comment.
_PG_FILL = [
    """
    INSERT INTO posts (id, title, slug, summary, content, content_html, published, user_id,
                       created_at, updated_at)
    SELECT i, 'Article number ' || i || ': notes on building web services',
           'article-number-' || i || '-notes-on-building-web-services',
           'What article ' || i || ' is about, in one sentence.',
           'The body of article ' || i || '. ' || repeat('Some words about the subject. ', 16),
           '<p>The body of article ' || i || '. '
               || repeat('Some words about the subject. ', 16) || '</p>',
           true, 2 + i % (:users - 1),
           timestamp '2025-01-01' + i * interval '1 minute',
           timestamp '2025-01-01' + i * interval '1 minute'
    FROM generate_series(1, :articles) AS i
    """,
    "INSERT INTO post_slugs (slug, post_id, created_at) SELECT slug, id, created_at FROM posts",
    """
    INSERT INTO post_tags (post_id, tag_id)
    SELECT i, t.id FROM generate_series(1, :articles) AS i
    JOIN tags t ON t.name IN ((CAST(:tags_head AS text[]))[1 + i % 5],
                             (CAST(:tags_tail AS text[]))[1 + i % 15])
    """,
    # What Post.set_tags writes when tags are set through the app (search reads it).
    """
    UPDATE posts SET search_tags = t.names
    FROM (SELECT pt.post_id, string_agg(tags.name, ' ' ORDER BY tags.name) AS names
          FROM post_tags pt JOIN tags ON tags.id = pt.tag_id GROUP BY pt.post_id) AS t
    WHERE t.post_id = posts.id
    """,
    """
    INSERT INTO likes (user_id, post_id, created_at)
    SELECT u, i, timestamp '2026-01-01'
    FROM generate_series(1, :users) AS u, generate_series(1, :articles) AS i
    WHERE (i + u) % 50 = 0
    """,
    """
    INSERT INTO follows (follower_id, followed_id, created_at)
    SELECT 1, f, timestamp '2026-01-01' FROM generate_series(2, :followed + 1) AS f
    UNION ALL
    SELECT u, 2 + (u + k) % (:users - 1), timestamp '2026-01-01'
    FROM generate_series(2, :users) AS u, generate_series(1, 5) AS k
    WHERE 2 + (u + k) % (:users - 1) <> u
    """,
    """
    INSERT INTO comments (post_id, user_id, content, content_html, created_at, updated_at)
    SELECT :articles, 2 + c, 'Comment ' || c || ' on the measured article: well put.',
           '<p>Comment ' || c || ' on the measured article: well put.</p>',
           timestamp '2026-01-01' + c * interval '1 minute',
           timestamp '2026-01-01' + c * interval '1 minute'
    FROM generate_series(1, :measured_comments) AS c
    UNION ALL
    SELECT i, 2 + i % (:users - 1), 'A comment on article ' || i || '.',
           '<p>A comment on article ' || i || '.</p>',
           timestamp '2026-01-01', timestamp '2026-01-01'
    FROM generate_series(10, :articles - 1, 10) AS i
    """,
]

_COUNTS = {
    "users": "SELECT count(*) FROM users",
    "articles": "SELECT count(*) FROM posts",
    "tags": "SELECT count(*) FROM post_tags",
    "favorites": "SELECT count(*) FROM likes",
    "follows": "SELECT count(*) FROM follows",
    "comments": "SELECT count(*) FROM comments",
}
_PEER_COUNTS = {
    "users": "SELECT count(*) FROM users",
    "articles": "SELECT count(*) FROM articles",
    "tags": "SELECT count(*) FROM articles_to_tags",
    "favorites": "SELECT count(*) FROM favorites",
    "follows": "SELECT count(*) FROM followers_to_followings",
    "comments": "SELECT count(*) FROM commentaries",
}


def measured_slug() -> str:
    """The newest article: the one with ``MEASURED_COMMENTS`` comments."""
    return f"article-number-{ARTICLES}-notes-on-building-web-services"


def _params() -> dict[str, Any]:
    return {
        "users": USERS,
        "articles": ARTICLES,
        "followed": FOLLOWED,
        "measured_comments": MEASURED_COMMENTS,
        "tags_head": TAGS[:5],
        "tags_tail": TAGS[5:],
    }


def counts(engine: sa.Engine, *, peer: bool = False) -> dict[str, int] | None:
    """Row counts of the tables the benchmark reads, or None when they are missing."""
    try:
        with engine.connect() as conn:
            return {
                name: conn.scalar(sa.text(sql))
                for name, sql in (_PEER_COUNTS if peer else _COUNTS).items()
            }
    except sa.exc.DBAPIError:
        return None


def seed_mark() -> str:
    """``SEED_VERSION`` and our newest migration: what complete data is marked with."""
    from alembic.script import ScriptDirectory

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    head = ScriptDirectory(os.path.join(root, "migrations")).get_current_head()
    return f"{SEED_VERSION} at {head}"


def marker(engine: sa.Engine, *, peer: bool = False) -> str | None:
    """The ``SEED_VERSION`` the data was completed with (None: never, or not completed)."""
    target = (
        "'articles'::regclass, 'pg_class'"
        if peer
        else "current_schema()::regnamespace, 'pg_namespace'"
    )
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.text(f"SELECT obj_description({target})"))
    except sa.exc.DBAPIError:
        return None


def is_seeded(engine: sa.Engine) -> bool:
    return marker(engine) == seed_mark()


def seed_ours(url: str, schema: str, admin_url: str, secret: str) -> None:
    """(Re)create ``schema`` with our tables (the URL's search_path points at it) and fill it."""
    from app import create_app
    from app.extensions import db
    from app.models import Tag, User

    admin = sa.create_engine(admin_url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        db.create_all()
        first = User(email=f"{BENCH_USER}@example.org", bio="I run the benchmark.")
        first.set_username(BENCH_USER)
        first.set_password(PASSWORD)
        db.session.add(first)
        db.session.flush()
        for n in range(2, USERS + 1):
            author = User(
                password_hash=first.password_hash,
                email=f"author{n}@example.org",
                bio=f"Author {n} writes about web services.",
            )
            author.set_username(f"author{n}")
            db.session.add(author)
        db.session.add_all(Tag(name=name) for name in TAGS)
        db.session.commit()
        with db.engine.begin() as conn:
            for statement in _PG_FILL:
                conn.execute(sa.text(statement), _params())
            # Ids were given explicitly: move the sequences past them for later inserts.
            for table in ("posts", "post_slugs", "comments"):
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
            conn.execute(sa.text(f"COMMENT ON SCHEMA \"{schema}\" IS '{seed_mark()}'"))
        db.session.remove()
        db.engine.dispose()


def _utc(value: datetime) -> datetime:
    """Our columns hold naive UTC; the peer's are ``timestamptz``."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def peer_rows(
    ours: sa.Connection, salt: str, hashed_password: str
) -> dict[str, tuple[list[str], list[tuple]]]:
    """Our rows in the peer's tables' columns, per peer table, in insertion order.

    The peer keeps a bcrypt hash of salt + password per user; every user gets the one
    given (made by the peer's own passlib from ``PASSWORD``), as every one of ours has the
    same password too.
    """
    from app.models import Comment, Follow, Like, Post, Tag, User, post_tags

    q = lambda stmt: ours.execute(stmt).all()  # noqa: E731
    published = Post.published.is_(True)
    users = [
        (r.id, r.username, r.email, salt, hashed_password, r.bio or "", r.image, _utc(r.created_at))
        for r in q(
            sa.select(User.id, User.username, User.email, User.bio, User.image, User.created_at)
            .order_by(User.id)
        )
    ]  # fmt: skip
    articles = [
        (r.id, r.slug, r.title, r.summary or "", r.content, r.user_id, _utc(r.created_at),
         _utc(r.updated_at))
        for r in q(
            sa.select(Post.id, Post.slug, Post.title, Post.summary, Post.content, Post.user_id,
                      Post.created_at, Post.updated_at)
            .where(published).order_by(Post.id)
        )
    ]  # fmt: skip
    tags = [(r.name,) for r in q(sa.select(Tag.name).order_by(Tag.name))]
    article_tags = q(
        sa.select(post_tags.c.post_id, Tag.name)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(published)
        .order_by(post_tags.c.post_id, Tag.name)
    )
    favorites = q(
        sa.select(Like.user_id, Like.post_id)
        .join(Post, Post.id == Like.post_id)
        .where(published)
        .order_by(Like.user_id, Like.post_id)
    )
    follows = q(
        sa.select(Follow.follower_id, Follow.followed_id).order_by(
            Follow.follower_id, Follow.followed_id
        )
    )
    comments = [
        (r.id, r.content, r.user_id, r.post_id, _utc(r.created_at), _utc(r.updated_at))
        for r in q(
            sa.select(Comment.id, Comment.content, Comment.user_id, Comment.post_id,
                      Comment.created_at, Comment.updated_at)
            .join(Post, Post.id == Comment.post_id).where(published).order_by(Comment.id)
        )
    ]  # fmt: skip
    return {
        "users": (
            ["id", "username", "email", "salt", "hashed_password", "bio", "image",
             "created_at", "updated_at"],
            [(*u, u[-1]) for u in users],
        ),
        "followers_to_followings": (["follower_id", "following_id"], [tuple(f) for f in follows]),
        "articles": (
            ["id", "slug", "title", "description", "body", "author_id", "created_at",
             "updated_at"],
            articles,
        ),
        "tags": (["tag"], tags),
        "articles_to_tags": (["article_id", "tag"], [tuple(t) for t in article_tags]),
        "favorites": (["user_id", "article_id"], [tuple(f) for f in favorites]),
        "commentaries": (
            ["id", "body", "author_id", "article_id", "created_at", "updated_at"],
            comments,
        ),
    }  # fmt: skip


def copy_to_peer(ours_url: str, peer_dsn: str, salt: str, hashed_password: str) -> dict[str, int]:
    """Empty the peer's tables and fill them with our rows; returns rows written per table.

    ``peer_dsn`` is a libpq DSN of the peer's database, already migrated by its alembic.
    One transaction: a failure leaves the peer's tables as they were.
    """
    import psycopg

    engine = sa.create_engine(ours_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        rows = peer_rows(conn, salt, hashed_password)
    engine.dispose()
    written = {}
    with psycopg.connect(peer_dsn) as peer, peer.cursor() as cur:
        cur.execute(
            "TRUNCATE commentaries, favorites, articles_to_tags, tags, articles, "
            "followers_to_followings, users"
        )
        for table, (columns, values) in rows.items():
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            written[table] = len(values)
        for table in ("users", "articles", "commentaries"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    with psycopg.connect(peer_dsn, autocommit=True) as peer:
        peer.execute("VACUUM ANALYZE")
        peer.execute(f"COMMENT ON TABLE articles IS '{seed_mark()}'")
    return written
