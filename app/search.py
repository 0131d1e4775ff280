"""Full-text search over posts: SQLite FTS5 or PostgreSQL ``tsvector``, behind one interface.

What is indexed: title, summary, content and tags (``posts.search_tags``, the post's tag names
joined by spaces, written with the tags: ``app.posts``, ``Post.set_tags``). The index lives in the
database and is kept in step by the database itself, whatever writes the row (the API's
write path, ``flask fake``, a cascade from a deleted user):

- SQLite: ``posts_fts``, an FTS5 *external-content* table over ``posts`` (porter stemming,
  accents folded), with triggers on ``posts`` for insert, delete and an update of any
  indexed column. Ranked by a score per column (below), the title weighted most.
- PostgreSQL: ``posts.search_vector``, a stored generated ``tsvector`` column (``english``
  configuration; weights A title, B tags and summary, D content) with a GIN index.
  Beside it ``post_search_words`` (``WORDS_TABLE``, migration 0009): each post's vector
  stripped of positions and weights, ``published``, and the stripped ``to_tsvector`` of its
  title, tags and summary each (``WORD_COLUMNS``), kept in step by triggers on ``posts``; a
  search of common words walks it newest first instead of the posts, whose rows are wide
  and vectors large (docs/performance.md), and the relevance score reads its per-column
  words. Ranked by the same score per column as SQLite (below).

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

Bounded work (a product decision, docs/api-v2.md "Search"): a search in relevance order
ranks only its ``SEARCH_CANDIDATES`` newest matches (by post id, the order of both indexes)
and its total counts no further, so its cost does not grow with the number of posts that
match. On both databases the rank among those candidates is one score by column
(``COLUMN_SCORES``: every word in the title 10, in the tags 5, in the summary 4, added up;
a column counts only when it holds every word; in the body only 0), ties newest first.
SQLite reads it from the index with column filters limited to the candidates' id range:
``bm25`` would first count every document that holds each word, the whole corpus's worth
of index. PostgreSQL tests the query that matched (same stemming, the same last word as a
prefix or not) against each candidate's stripped per-column vectors in ``WORDS_TABLE``, a
few dozen bytes each: ``ts_rank`` over the full vector read (and detoasted) 1,000 large
vectors from ``posts``. A search with ``sort`` is exact (every match, in that order) and
counts at most ``SEARCH_CANDIDATES`` matches past the page it answers (app.queries).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.dialects import postgresql

SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 20
PREFIX_MIN = 3

FTS_TABLE = "posts_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_posts_search_vector"
PG_CONFIG = "english"
#: A relevance search ranks its newest SEARCH_CANDIDATES matches, and a sorted search
#: counts at most this many matches past its page (the answer's ``total``).
SEARCH_CANDIDATES = 1000
#: SQLite's relevance score: every word in this FTS5 column adds this much.
COLUMN_SCORES = (("title", 10), ("search_tags", 5), ("summary", 4))
#: PostgreSQL: the narrow table of each post's words (its vector ``strip``ped of positions
#: and weights) and ``published``, which a search walks newest first to find its matches
#: (``walking``, ``walked_ids``).
WORDS_TABLE = "post_search_words"
#: PostgreSQL: a search walks ``WORDS_TABLE`` when its words are estimated (the column's
#: statistics) to be held together by at least this share of the posts: about
#: ``SEARCH_CANDIDATES / share`` rows walked, 100,000 at most; rarer words are read from GIN.
WALK_MIN_SHARE = 0.01

FTS = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))
#: PostgreSQL: the columns of ``WORDS_TABLE`` that hold one post column's words each (its
#: ``to_tsvector``, stripped), for the relevance score: ``COLUMN_SCORES``' columns, in order.
WORD_COLUMNS = (
    ("title", "title_words"),
    ("search_tags", "tags_words"),
    ("summary", "summary_words"),
)
WORDS = sa.table(
    WORDS_TABLE,
    sa.column("id", sa.Integer),
    sa.column("published"),
    sa.column("words"),
    *(sa.column(words_column) for _, words_column in WORD_COLUMNS),
)
_WORD = re.compile(r"[^\W_]+")


def words(q: str) -> list[str]:
    """The search words of ``q``: lower-cased runs of letters and digits, after NFKC."""
    return _WORD.findall(unicodedata.normalize("NFKC", q).lower())


def check_words(q: str) -> None:
    """Marshmallow validator: at most ``SEARCH_MAX_WORDS`` words."""
    if len(words(q)) > SEARCH_MAX_WORDS:
        raise ValidationError(f"Must be at most {SEARCH_MAX_WORDS} words.")


def fts5_query(terms: list[str], *, prefix: bool = True, column: str | None = None) -> str:
    """An FTS5 MATCH string in which every term is a quoted string (implicit AND); the last
    one a prefix if ``prefix`` and long enough; each limited to ``column`` if given."""
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if prefix and len(terms[-1]) >= PREFIX_MIN:
        quoted[-1] += "*"
    if column is not None:
        quoted = [f"{column} : {phrase}" for phrase in quoted]
    return " ".join(quoted)


def tsquery(terms: list[str], *, prefix: bool = True) -> str:
    """A ``to_tsquery`` string: every term quoted, joined by ``&``; the last one a prefix if
    ``prefix`` and long enough."""
    quoted = ["'" + term.replace("'", "''").replace("\\", "\\\\") + "'" for term in terms]
    if prefix and len(terms[-1]) >= PREFIX_MIN:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _param(name: str, value: str) -> Any:
    return sa.bindparam(name, value, unique=True)


def _pg_tsquery(text: Any) -> Any:
    return sa.func.to_tsquery(sa.literal_column(f"'{PG_CONFIG}'::regconfig"), text)


def _vector() -> Any:
    return sa.literal_column(f"posts.{VECTOR_COLUMN}")


def _fts_match(alias: str, query: Any) -> Any:
    """``<alias> MATCH query`` (FTS5 names the match column after the table, not the alias)."""
    column = FTS_TABLE if alias == FTS_TABLE else f"{alias}.{FTS_TABLE}"
    return sa.literal_column(column).op("MATCH")(query)


def _known(word: str, dialect: str) -> Any:
    """Whether some post holds ``word`` as a whole (stemmed) word: one index lookup."""
    if dialect == "sqlite":
        known = FTS.alias("known")
        exact = _param("fts_known", fts5_query([word], prefix=False))
        return sa.exists(sa.select(known.c.rowid).where(_fts_match("known", exact)))
    return _pg_known(word)


def _pg_known(word: str) -> Any:
    """PostgreSQL: ``_known``, in two steps, because the planner cannot be trusted with
    ``EXISTS (… @@ word)``: it expects an early hit and scans the table, every row of it
    for a word no post holds (1.7 s at 1M). First its own statistics: a word among the
    column's most common elements is looked for with that plain ``EXISTS`` (a common word
    is met early). Else GIN is asked for any one post, in an order no index serves
    (``id + 0``), so it reads the word's (short) posting list."""
    post = _posts()
    config = sa.literal_column(f"'{PG_CONFIG}'::regconfig")
    lexemes = sa.func.tsvector_to_array(sa.func.to_tsvector(config, _param("ts_word", word)))
    common = (
        sa.select(sa.literal_column("most_common_elems::text::text[]"))
        .select_from(sa.text("pg_stats"))
        .where(
            sa.literal_column("schemaname") == sa.func.current_schema(),
            sa.literal_column("tablename") == "posts",
            sa.literal_column("attname") == VECTOR_COLUMN,
        )
        .scalar_subquery()
    )
    exact = _pg_tsquery(_param("ts_known", tsquery([word], prefix=False)))
    # Never correlated to the statement's own posts: the lookup is over all of them.
    one = (
        sa.select(post.id)
        .where(_vector().op("@@")(exact))
        .order_by(post.id + 0)
        .limit(1)
        .correlate(None)
        .scalar_subquery()
    )
    # Statistics only choose how to look, never answer: they lag behind deletes and edits
    # (a word once common may be held by no post now). A common word is confirmed by a
    # plain EXISTS, which stops at the first post holding it (early, for a common word).
    held = sa.exists(sa.select(post.id).where(_vector().op("@@")(exact))).correlate(None)
    return sa.case((lexemes.op("<@")(common), held), else_=one.is_not(None))


def query_text(
    terms: list[str], dialect: str, column: str | None = None, known: bool | None = None
) -> Any:
    """The MATCH string (SQLite) or ``to_tsquery`` text (PostgreSQL) of ``terms``, as SQL.

    The last word is a prefix (search-as-you-type) only when no post holds it as a whole
    word: a prefix is read as the merge of every indexed word it begins (FTS5 builds that
    whole list before it can stop at a LIMIT), a whole word straight from its own list.
    ``known``: whether a post holds it, when the caller knows (``last_word_known``);
    otherwise the statement looks it up itself (once, an uncorrelated subquery).
    """
    if dialect == "sqlite":
        exact, prefixed = (fts5_query(terms, prefix=p, column=column) for p in (False, True))
    else:
        exact, prefixed = tsquery(terms, prefix=False), tsquery(terms)
    if exact == prefixed or known is not None:
        return _param("search_q", exact if known in (None, True) else prefixed)
    found = _known(terms[-1], dialect)
    return sa.case((found, _param("search_q", exact)), else_=_param("search_q", prefixed))


def last_word_known(q: str, dialect: str) -> Any:
    """SQL: true when ``q``'s last word is matched as a whole word (not a prefix)."""
    terms = words(q)
    if not terms or len(terms[-1]) < PREFIX_MIN:
        return sa.true()
    return _known(terms[-1], dialect)


def pg_share(q: str) -> Any:
    """PostgreSQL, SQL: the estimated share of posts holding every word of ``q`` as a whole
    word — the product of the words' frequencies among the column's most common elements
    (``pg_stats``) — or 0 when a word is not among them (a rare word) or the query is a
    phrase (a word the parser splits in two: a stripped vector has no positions to test).
    It only chooses how the matches are read (``walking`` or GIN), never which match."""
    terms = words(q)
    if not terms:
        return sa.literal(0.0)
    sql = sa.text(
        f"""
        SELECT CASE WHEN strpos(to_tsquery('{PG_CONFIG}'::regconfig, :share_query)::text,
                                '<') > 0 THEN 0
        ELSE (SELECT CASE WHEN count(*) > 0 AND count(*) = cardinality(w.lexemes)
                          THEN exp(sum(ln(e.freq))) ELSE 0 END
              FROM pg_stats AS s,
                   unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs)
                       AS e(lexeme, freq)
              WHERE s.schemaname = current_schema() AND s.tablename = 'posts'
                AND s.attname = '{VECTOR_COLUMN}' AND e.lexeme = ANY (w.lexemes))
        END
        FROM (SELECT tsvector_to_array(to_tsvector('{PG_CONFIG}'::regconfig, :share_words))
                  AS lexemes) AS w
        """
    ).bindparams(share_query=tsquery(terms, prefix=False), share_words=" ".join(terms))
    return sql.columns(sa.column("share", sa.Float)).scalar_subquery()


def walking(stmt: sa.Select, q: str) -> sa.Select:
    """PostgreSQL: ``stmt`` narrowed to the posts that hold every word of ``q`` (the last
    one whole), tested on ``WORDS_TABLE``: walked newest first (``index_order(walked=True)``)
    it reads about 500 bytes a post, where ``posts.search_vector`` (``matching``) is
    decompressed or read from TOAST at every post. The same matches: the words of a
    stripped vector are its post's, and a query without a phrase needs no positions."""
    joined = stmt.join(WORDS, WORDS.c.id == _posts().id)
    return joined.where(_words_match(q))


def walked_ids(q: str) -> sa.Select:
    """PostgreSQL: the ids of the published posts holding every word of ``q``, from
    ``WORDS_TABLE`` alone (``walking`` without ``posts``), for a search with no other
    filter: ``posts`` is then not read at all to find them, where a join to it read its
    id index along the walk (a merge join: 16,000 index entries for 1,000 matches of
    ``garden`` at 1M, about as long as the walk itself)."""
    match = sa.and_(WORDS.c.published.is_(True), _words_match(q))
    return sa.select(WORDS.c.id.label("id")).where(match)


def _words_match(q: str) -> Any:
    terms = words(q)
    if not terms:
        return sa.false()
    query = _pg_tsquery(query_text(terms, "postgresql", known=True))
    return WORDS.c.words.op("@@")(query)


def probing(stmt: sa.Select, q: str, known: bool) -> sa.Select:
    """SQLite: ``stmt`` narrowed to the posts matching ``q`` by one index probe per post (a
    correlated ``EXISTS`` on the post's rowid), for reading posts in an order of their own
    (the time index) and stopping at the page, where ``matching`` reads every match first.
    Only for a whole last word (``known``): a prefix would be merged again at every probe."""
    terms = words(q)
    if not terms:
        return stmt.where(sa.false())
    probe = FTS.alias("probe")
    match = _fts_match("probe", query_text(terms, "sqlite", known=known))
    same_post = probe.c.rowid == _posts().id
    return stmt.where(sa.exists(sa.select(probe.c.rowid).where(same_post, match)))


def _posts() -> Any:
    from .models import Post

    return Post


def matching(stmt: sa.Select, q: str, dialect: str, known: bool | None = None) -> sa.Select:
    """``stmt`` (a SELECT of posts) narrowed to the posts that match every word of ``q``
    (``known``: see ``query_text``)."""
    terms = words(q)
    post = _posts()
    if dialect == "sqlite":
        # Joined even when nothing can match: ``index_order`` names the index's rowid.
        joined = stmt.join(FTS, FTS.c.rowid == post.id)
        if not terms:
            return joined.where(sa.false())
        return joined.where(_fts_match(FTS_TABLE, query_text(terms, dialect, known=known)))
    if not terms:
        return stmt.where(sa.false())
    return stmt.where(_vector().op("@@")(_pg_tsquery(query_text(terms, dialect, known=known))))


def index_order(
    dialect: str, *, newest: bool = True, known: bool | None = None, walked: bool = False
) -> Any:
    """ORDER BY for a ``matching`` statement in the index's own order: post id (FTS5's rowid
    on SQLite, where only that spelling lets the index stop at a LIMIT; ``WORDS_TABLE``'s
    id for a ``walking`` statement, whose primary key the planner then walks).

    PostgreSQL with a prefix (``known`` false): ``id + 0``, which no index serves, so the
    planner reads the matches from GIN and sorts them. It cannot estimate how many posts a
    prefix matches, and would otherwise walk the primary key backwards testing every post
    (1M posts, a prefix of no word: 1.4 s)."""
    post = _posts()
    if dialect == "sqlite":
        column: Any = FTS.c.rowid
    elif walked:
        column = WORDS.c.id
    else:
        column = post.id + 0 if known is False else post.id
    return column.desc() if newest else column.asc()


def candidates(
    stmt: sa.Select, dialect: str, known: bool | None = None, *, walked: bool = False
) -> sa.CTE:
    """The ids of the ``SEARCH_CANDIDATES`` newest posts of ``stmt`` (a ``matching`` or
    ``walking`` SELECT of posts, or ``walked_ids``), read from the index newest first: the
    posts a relevance search ranks."""
    ids = stmt
    if not any(found is WORDS for found in stmt.get_final_froms()):  # not walked_ids
        ids = stmt.with_only_columns(_posts().id.label("id"), maintain_column_froms=True)
    order = index_order(dialect, known=known, walked=walked)
    return ids.order_by(order).limit(SEARCH_CANDIDATES).cte("candidates")


def listed(ids: list[int]) -> sa.CTE:
    """PostgreSQL: candidates already read (``candidates``), as the same CTE of ids."""
    array = sa.bindparam("candidate_ids", list(ids), type_=postgresql.ARRAY(sa.Integer))
    return sa.select(sa.func.unnest(array).label("id")).cte("candidates")


def every_match(
    stmt: sa.Select,
    dialect: str,
    known: bool | None,
    bound: int,
    *,
    newest: bool = True,
    walked: bool = False,
) -> sa.Select:
    """``stmt``'s matches (the first ``bound`` in index order: all of them, when the caller
    counted fewer) as a SELECT of posts joined to their ids: read from the search index
    first, then sorted in any order, instead of walking an order's index testing each post."""
    post = _posts()
    ids = stmt.with_only_columns(post.id.label("id"), maintain_column_froms=True)
    order = index_order(dialect, newest=newest, known=known, walked=walked)
    found = ids.order_by(order).limit(bound).subquery("found")
    return sa.select(post).join(found, found.c.id == post.id)


def _column_hits(column: str, terms: list[str], lowest: Any) -> sa.Select:
    """Rowids from ``lowest`` on whose ``column`` holds every word of ``terms``."""
    hits = FTS.alias(f"in_{column}")
    match = _fts_match(f"in_{column}", query_text(terms, "sqlite", column))
    return sa.select(hits.c.rowid).where(match, hits.c.rowid >= lowest)


def ranked(
    q: str, dialect: str, found: sa.CTE, known: bool | None = None
) -> tuple[sa.Select, list[Any]]:
    """The candidates ``found`` as a SELECT of posts, and its ORDER BY: best match first,
    newest first among equals (title > tags and summary > body; see the module's notes)."""
    post = _posts()
    stmt = sa.select(post).join(found, found.c.id == post.id)
    tie = [post.created_at.desc(), post.id.desc()]
    terms = words(q)
    if not terms:
        return stmt, tie
    if dialect == "sqlite":
        lowest = sa.select(sa.func.min(found.c.id)).scalar_subquery()
        score: Any = sa.literal(0)
        for column, points in COLUMN_SCORES:
            hit = post.id.in_(_column_hits(column, terms, lowest))
            score = score + sa.case((hit, points), else_=0)
        return stmt, [score.desc(), *tie]
    # PostgreSQL: the same score, from the stripped per-column vectors of the word table
    # (a few dozen bytes a post), tested with the query that matched the candidates, made
    # once per column (InitPlans), not per candidate. A stripped vector has no positions,
    # so a phrase (a word the parser splits, ``'foo-bar' <-> 'foo' <-> 'bar'``) is asked
    # as its words joined by &.
    phrase_free = sa.func.regexp_replace(
        sa.cast(_pg_tsquery(query_text(terms, dialect, known=known)), sa.Text),
        "<[0-9]+>|<->",
        "&",
        "g",
    )
    query = sa.select(sa.cast(phrase_free, postgresql.TSQUERY)).scalar_subquery()
    in_words = dict(WORD_COLUMNS)
    score = sa.literal(0)
    for column, points in COLUMN_SCORES:
        hit = WORDS.c[in_words[column]].op("@@")(query)
        score = score + sa.case((hit, points), else_=0)
    return stmt.join(WORDS, WORDS.c.id == post.id), [score.desc(), *tie]


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


# Merge the index's segments into one: a bulk load leaves a dozen at a million posts, and a
# lookup of one post by rowid (``probing``) seeks in each (32 → 0.8 ms for a page at 1M).
SQLITE_OPTIMIZE = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"


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


# The word table (migration 0009): filled from the posts it is created with, then kept in
# step by the database, whatever writes the posts: a statement-level trigger for inserts
# (one INSERT … SELECT for a bulk load), a row trigger for an update of an indexed column
# or of ``published``,
# and the foreign key's cascade for deletes (a TRUNCATE … CASCADE of posts empties it too).
# Beside all of a post's words, those of its title, tags and summary, each column's
# ``to_tsvector`` stripped (the same lexemes as in ``search_vector``): the relevance score.
def _words_of(row: str) -> str:
    """The word table's values for ``row`` (a posts row or ``inserted``'s column prefix)."""
    columns = [f"strip({row}{VECTOR_COLUMN})"] + [
        f"strip(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({row}{column}, '')))"
        for column, _ in WORD_COLUMNS
    ]
    return ", ".join(columns)


_WORDS_COLUMNS = ", ".join(["words"] + [words for _, words in WORD_COLUMNS])
_UPSERT = "ON CONFLICT (id) DO UPDATE SET published = excluded.published, " + ", ".join(
    f"{column} = excluded.{column}" for column in _WORDS_COLUMNS.split(", ")
)
PG_WORDS_CREATE = [
    f"CREATE TABLE {WORDS_TABLE} (id integer NOT NULL, published boolean NOT NULL, "
    "words tsvector NOT NULL, "
    + "".join(f"{words} tsvector NOT NULL, " for _, words in WORD_COLUMNS)
    + f"CONSTRAINT pk_{WORDS_TABLE} PRIMARY KEY (id), "
    f"CONSTRAINT fk_{WORDS_TABLE}_id_posts FOREIGN KEY (id) REFERENCES posts (id) "
    "ON DELETE CASCADE)",
    f"INSERT INTO {WORDS_TABLE} (id, published, {_WORDS_COLUMNS}) "
    f"SELECT id, published, {_words_of('')} FROM posts",
    f"CREATE FUNCTION {WORDS_TABLE}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO {WORDS_TABLE} (id, published, {_WORDS_COLUMNS}) "
    f"SELECT id, published, {_words_of('')} FROM inserted {_UPSERT}; RETURN NULL; END $$",
    f"CREATE TRIGGER {WORDS_TABLE}_ai AFTER INSERT ON posts REFERENCING NEW TABLE AS inserted "
    f"FOR EACH STATEMENT EXECUTE FUNCTION {WORDS_TABLE}_inserted()",
    f"CREATE FUNCTION {WORDS_TABLE}_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO {WORDS_TABLE} (id, published, {_WORDS_COLUMNS}) "
    f"VALUES (new.id, new.published, {_words_of('new.')}) {_UPSERT}; "
    "RETURN NULL; END $$",
    f"CREATE TRIGGER {WORDS_TABLE}_au AFTER UPDATE OF {_FTS_COLUMNS}, published ON posts "
    f"FOR EACH ROW EXECUTE FUNCTION {WORDS_TABLE}_updated()",
]
PG_WORDS_DROP = [
    f"DROP TRIGGER IF EXISTS {WORDS_TABLE}_au ON posts",
    f"DROP TRIGGER IF EXISTS {WORDS_TABLE}_ai ON posts",
    f"DROP FUNCTION IF EXISTS {WORDS_TABLE}_updated()",
    f"DROP FUNCTION IF EXISTS {WORDS_TABLE}_inserted()",
    f"DROP TABLE IF EXISTS {WORDS_TABLE}",
]


def create_words(connection: sa.Connection) -> None:
    """PostgreSQL: create ``WORDS_TABLE`` with its triggers, filled from the posts there are."""
    if connection.dialect.name == "postgresql":
        for statement in PG_WORDS_CREATE:
            connection.exec_driver_sql(statement)


def drop_words(connection: sa.Connection) -> None:
    """PostgreSQL: drop ``WORDS_TABLE`` and its triggers (the posts stay)."""
    if connection.dialect.name == "postgresql":
        for statement in PG_WORDS_DROP:
            connection.exec_driver_sql(statement)


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
        if name == WORDS_TABLE:
            return False
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
        create_words(connection)

    def before_drop(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
        drop_words(connection)
        drop_index(connection)

    sa.event.listen(posts_table, "after_create", after_create)
    sa.event.listen(posts_table, "before_drop", before_drop)
