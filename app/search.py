"""Full-text search over posts: SQLite FTS5 or PostgreSQL ``tsvector``, behind one interface.

What is indexed: title, summary, content and tags (``posts.search_tags``, the post's tag names
joined by spaces, written with the tags by ``Post.set_tags``). The index lives in the
database and is kept in step by the database itself, whatever writes the row (the API's
write path, ``flask fake``, a cascade from a deleted user):

- SQLite: ``posts_fts``, an FTS5 *external-content* table over ``posts`` (porter stemming,
  accents folded), with triggers on ``posts`` for insert, delete and an update of any
  indexed column. Ranked by ``bm25`` with the title weighted most.
- PostgreSQL: ``posts.search_vector``, a stored generated ``tsvector`` column (``english``
  configuration; weights A title, B tags and summary, D content) with a GIN index.
  Ranked by ``ts_rank``.

The objects are created by migration 0006 (which indexes existing rows) and, for
``db.create_all()`` (tests, the benchmark), by DDL events on the ``posts`` table; they are
not in the model metadata, so ``include_name`` below keeps Alembic's compare from calling
them strays.

User input never reaches either query language as syntax: the query is cut into words
(runs of letters and digits, after NFKC folding) and each word is quoted — ``"word"`` in
FTS5, ``'word'`` in ``to_tsquery`` — so ``"``, ``*``, ``NEAR``, ``OR``, ``-``, ``:`` and
friends are only ever separators or plain words. Every word must match; the last one also
matches as a prefix when it has at least ``PREFIX_MIN`` characters (typing "flas" finds
"flask"). A query with no word at all matches nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError

SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 20
PREFIX_MIN = 3

FTS_TABLE = "posts_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_posts_search_vector"
# bm25 weights per FTS5 column (title, summary, content, search_tags): a word in the title
# counts ten times one in the body.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 5.0)
PG_CONFIG = "english"

_WORD = re.compile(r"[^\W_]+")


def words(q: str) -> list[str]:
    """The search words of ``q``: lower-cased runs of letters and digits, after NFKC."""
    return _WORD.findall(unicodedata.normalize("NFKC", q).lower())


def check_words(q: str) -> None:
    """Marshmallow validator: at most ``SEARCH_MAX_WORDS`` words."""
    if len(words(q)) > SEARCH_MAX_WORDS:
        raise ValidationError(f"Must be at most {SEARCH_MAX_WORDS} words.")


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH string in which every term is a quoted string (implicit AND)."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if len(terms[-1]) >= PREFIX_MIN:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(terms: list[str]) -> str:
    """A ``to_tsquery`` string: every term quoted, joined by ``&``; the last one a prefix."""
    quoted = ["'" + term.replace("'", "''").replace("\\", "\\\\") + "'" for term in terms]
    if len(terms[-1]) >= PREFIX_MIN:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _tsquery(terms: list[str]) -> Any:
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    return sa.func.to_tsquery(config, sa.bindparam("ts_q", tsquery(terms), unique=True))


def _posts() -> Any:
    from .models import Post

    return Post


def matching(stmt: sa.Select, q: str, dialect: str) -> sa.Select:
    """``stmt`` (a SELECT of posts) narrowed to the posts that match every word of ``q``."""
    terms = words(q)
    if not terms:
        return stmt.where(sa.false())
    post = _posts()
    if dialect == "sqlite":
        fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
        terms_param = sa.bindparam("fts_q", fts5_query(terms), unique=True)
        match = sa.literal_column(FTS_TABLE).op("MATCH")(terms_param)
        return stmt.join(fts, fts.c.rowid == post.id).where(match)
    query = _tsquery(terms)
    return stmt.where(sa.literal_column(f"posts.{VECTOR_COLUMN}").op("@@")(query))


def by_relevance(q: str, dialect: str) -> list[Any]:
    """ORDER BY for a ``matching`` statement: best match first, newest first among equals."""
    post = _posts()
    terms = words(q)
    tie = [post.created_at.desc(), post.id.desc()]
    if not terms:
        return tie
    if dialect == "sqlite":
        rank = sa.func.bm25(sa.literal_column(FTS_TABLE), *BM25_WEIGHTS)
        return [rank.asc(), *tie]  # bm25 is lower for better matches
    query = _tsquery(terms)
    rank = sa.func.ts_rank(sa.literal_column(f"posts.{VECTOR_COLUMN}"), query)
    return [rank.desc(), *tie]


# --- the index objects ----------------------------------------------------------------------

_FTS_COLUMNS = "title, summary, content, search_tags"
_OLD = "old.id, old.title, old.summary, old.content, old.search_tags"
_NEW = "new.id, new.title, new.summary, new.content, new.search_tags"

SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5({_FTS_COLUMNS}, content='posts', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
)
_DELETE_OLD = (
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_FTS_COLUMNS}) VALUES ('delete', {_OLD});"
)
_INSERT_NEW = f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) VALUES ({_NEW});"
SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_ai": f"AFTER INSERT ON posts BEGIN {_INSERT_NEW} END",
    f"{FTS_TABLE}_ad": f"AFTER DELETE ON posts BEGIN {_DELETE_OLD} END",
    f"{FTS_TABLE}_au": f"AFTER UPDATE OF {_FTS_COLUMNS} ON posts "
    f"BEGIN {_DELETE_OLD} {_INSERT_NEW} END",
}
SQLITE_CREATE = [SQLITE_TABLE] + [
    f"CREATE TRIGGER {name} {body}" for name, body in SQLITE_TRIGGERS.items()
]
SQLITE_BACKFILL = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"


def sqlite_index_from(first_id: int) -> str:
    """Index the posts from ``first_id`` on in one statement (bulk loads, app.fake)."""
    return (
        f"INSERT INTO {FTS_TABLE}(rowid, {_FTS_COLUMNS}) "
        f"SELECT id, {_FTS_COLUMNS} FROM posts WHERE id >= {int(first_id)}"
    )


SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS] + [
    f"DROP TABLE IF EXISTS {FTS_TABLE}"
]


def _weighted(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({column}, '')), '{weight}')"


PG_VECTOR = " || ".join(
    [
        _weighted("title", "A"),
        _weighted("search_tags", "B"),
        _weighted("summary", "B"),
        _weighted("content", "D"),
    ]
)
PG_CREATE = [
    # Adding a stored generated column computes it for every existing row: the backfill.
    f"ALTER TABLE posts ADD COLUMN {VECTOR_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON posts USING gin ({VECTOR_COLUMN})",
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {VECTOR_INDEX}",
    f"ALTER TABLE posts DROP COLUMN IF EXISTS {VECTOR_COLUMN}",
]


def create_index(connection: sa.Connection, *, backfill: bool) -> None:
    """Create the search objects on ``connection``'s database; index existing rows if asked."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_CREATE:
            connection.exec_driver_sql(statement)
        if backfill:
            connection.exec_driver_sql(SQLITE_BACKFILL)
    elif connection.dialect.name == "postgresql":
        for statement in PG_CREATE:
            connection.exec_driver_sql(statement)


def drop_index(connection: sa.Connection) -> None:
    """Drop the search objects (the posts and their ``search_tags`` stay)."""
    statements = SQLITE_DROP if connection.dialect.name == "sqlite" else PG_DROP
    for statement in statements:
        connection.exec_driver_sql(statement)


def include_name(name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
    """Alembic ``include_name``: leave the search objects out of model comparisons."""
    if type_ == "table":
        return name is None or not (name == FTS_TABLE or name.startswith(FTS_TABLE + "_"))
    if type_ == "column":
        return not (parent_names.get("table_name") == "posts" and name == VECTOR_COLUMN)
    if type_ == "index":
        return name != VECTOR_INDEX
    return True


def register(posts_table: sa.Table) -> None:
    """Create the search objects with ``posts`` in ``create_all`` (the migration does it too)."""

    def after_create(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
        create_index(connection, backfill=False)

    def before_drop(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
        drop_index(connection)

    sa.event.listen(posts_table, "after_create", after_create)
    sa.event.listen(posts_table, "before_drop", before_drop)
