"""Demo data in bulk: users, posts (slugs with history, tags, search index), comments, likes
and follows — what ``flask fake`` writes and what ``bench/`` seeds with.

Rows go in with one multi-row INSERT per batch (``COPY`` on PostgreSQL), never one ORM
object at a time, so a million posts take minutes. Every row is what the API itself would
have written:

- ``content`` is plain paragraphs (letters, spaces, full stops) plus, now and then, one of a
  few Markdown templates at the end; each template is rendered once by ``app.markdown`` and
  reused, and a plain paragraph renders to ``<p>…</p>``, so ``content_html`` is exactly what
  the app renders for that content (``tests/test_fake.py`` checks it).
- every post has a unique slug (its title's slug plus its id) and that slug's ``post_slugs``
  row; tags come from a fixed vocabulary with a skewed (Zipf) distribution, in ``post_tags``
  and in ``posts.search_tags``; the search index follows by itself (app.search).
- ids continue after the rows already there: ``flask fake`` may run on a database with
  data, and again.

Words come from a small English vocabulary plus invented words for a long tail, drawn with
Zipf weights, so searches find anything from most posts to a handful.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate, islice
from typing import Any

import sqlalchemy as sa

from . import counters, search
from .extensions import db
from .markdown import render
from .models import (
    Comment,
    Follow,
    Like,
    Post,
    PostSlug,
    Tag,
    User,
    insert_for,
    post_tags,
    username_key,
)
from .passwords import hash_password
from .posts import slugify

FAKE_PASSWORD = "fake password 2026"
BATCH = 5_000
DRAFT_SHARE = 0.03
SQLITE_CACHE_KIB = 256 * 1024  # the fill's own connection: FTS5 merges want a big cache
SENTENCE_POOL = 50_000
SPAN = timedelta(days=3 * 365)  # created_at spread over the three years before now

COMMON = """
the code data app user post blog team work time project system test build deploy server
database query index cache api request response error page list search feed tag comment
like follow python flask sql model schema route view form login token session password
design review release version update change fix bug issue feature plan idea note guide
tutorial example pattern practice performance memory thread process file image video
network cloud container cluster service client browser frontend backend mobile web
security privacy backup restore migration upgrade config setting option default value
rule policy limit rate queue job task worker event message mail notification report
metric log trace debug profile benchmark latency throughput scale load traffic storage
disk table column row key lock transaction commit branch merge pull push story garden
coffee travel music book film recipe kitchen bread soup running cycling mountain river
city family weekend holiday winter summer spring autumn morning evening night light
simple small fast slow better quick easy hard new old first last great good open free
learning writing reading teaching building testing shipping hiring growing cooking
""".split()

TAG_NAMES = """
python flask web sql postgresql sqlite api tutorial devops testing security performance
javascript css html design career writing productivity opensource linux docker cloud
kubernetes data machine-learning ai rust go java mobile frontend backend database cache
search markdown git review architecture microservices monitoring logging networking
privacy startup management remote travel food cooking music books film photography
gardening running cycling hiking coffee family health science math history art
""".split()

FIRST_NAMES = """
ada alan grace linus guido barbara ken dennis margaret edsger donald john tim vint radia
frances hedy katherine annie mary joan sophie leo mia noah emma liam olivia lucas ava
""".split()

_SYLLABLES = "ka lo mi ra ten vo zu pi sel dor an ri mo tas bel qui fen ul ox ya".split()

MARKDOWN_TEMPLATES = [
    "## Notes\n\n- first point\n- second point\n- third point",
    "Some `inline code` and a [link](https://example.org/docs).",
    "```python\nprint('hello, world')\n```",
    "> A quotation worth keeping.\n\n*emphasis* and **strong** words.",
    "1. install\n2. configure\n3. run",
]


def _invented(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words - set(COMMON))


@dataclass
class Vocabulary:
    words: list[str]
    word_weights: list[float]
    tag_weights: list[float]
    templates: list[tuple[str, str]]  # (markdown, its rendered html)
    sentences: list[str]  # a pool drawn from for bodies: a fresh sentence each time is slow

    @classmethod
    def build(cls, rng: random.Random, texts: int) -> Vocabulary:
        """The vocabulary, with a sentence pool sized for ``texts`` bodies and comments."""
        words = COMMON + _invented(4_000, random.Random(12))
        vocabulary = cls(
            words=words,
            word_weights=list(accumulate(1 / (rank + 1) ** 1.05 for rank in range(len(words)))),
            tag_weights=list(accumulate(1 / (rank + 1) ** 1.2 for rank in range(len(TAG_NAMES)))),
            templates=[(md, render(md)) for md in MARKDOWN_TEMPLATES],
            sentences=[],
        )
        pool = min(SENTENCE_POOL, 100 + 5 * texts)
        vocabulary.sentences = [vocabulary.sentence(rng) for _ in range(pool)]
        return vocabulary

    def sentence(self, rng: random.Random, low: int = 6, high: int = 12) -> str:
        words = rng.choices(self.words, cum_weights=self.word_weights, k=rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(rng.choices(self.sentences, k=rng.randint(2, 4)))

    def title(self, rng: random.Random) -> str:
        words = rng.choices(self.words, cum_weights=self.word_weights, k=rng.randint(3, 7))
        return " ".join(words).capitalize()

    def body(self, rng: random.Random) -> tuple[str, str]:
        """Markdown content and its HTML: plain paragraphs, sometimes a template at the end."""
        paragraphs = [self.paragraph(rng) for _ in range(rng.randint(1, 3))]
        markdown = "\n\n".join(paragraphs)
        html = "".join(f"<p>{p}</p>\n" for p in paragraphs)
        if rng.random() < 0.3:
            template, template_html = rng.choice(self.templates)
            markdown += "\n\n" + template
            html += template_html
        return markdown, html

    def tags(self, rng: random.Random) -> list[str]:
        count = rng.choices((0, 1, 2, 3, 4, 5), weights=(10, 25, 30, 20, 10, 5))[0]
        return sorted(set(rng.choices(TAG_NAMES, cum_weights=self.tag_weights, k=count)))


@dataclass
class Filled:
    users: int = 0
    posts: int = 0
    comments: int = 0
    likes: int = 0
    follows: int = 0


def _batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class _Writer:
    """Bulk inserts on one connection: ``COPY`` on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            columns = list(rows[0])
            cursor = self.connection.connection.dbapi_connection.cursor()
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_naive(row[c]) for c in columns])
        else:
            self.connection.execute(table.insert(), rows)

    def insert_new(self, table: sa.Table, rows: list[dict[str, Any]], key: list[str]) -> None:
        """Insert, skipping rows whose ``key`` is already there."""
        if rows:
            insert = insert_for("postgresql" if self.postgres else "sqlite")
            self.connection.execute(insert(table).on_conflict_do_nothing(index_elements=key), rows)

    def reserve_ids(self, table: sa.Table, count: int) -> int:
        """The first of ``count`` fresh ids of ``table``; never one a deleted row had."""
        if self.postgres:
            sequence = self.connection.scalar(
                sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}
            )
            last = self.connection.scalar(
                sa.text("SELECT setval(:s, nextval(:s) + :n - 1)"), {"s": sequence, "n": count}
            )
            return last - count + 1
        highest = self.connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
        if table.dialect_options["sqlite"]["autoincrement"]:
            used = self.connection.scalar(
                sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table.name}
            )
            highest = max(highest, used or 0)
        return highest + 1

    @contextmanager
    def search_index_after(self, progress: Callable[[str], None]) -> Iterator[None]:
        """SQLite: index the posts added inside in one statement at the end, not by the
        triggers row by row (8x the CPU); all in one transaction, so no other writer ever
        sees the triggers gone. PostgreSQL's generated column needs nothing."""
        if self.postgres:
            yield
            return
        self.connection.exec_driver_sql(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        first = self.reserve_ids(Post.__table__, 0)
        for name in search.SQLITE_TRIGGERS:
            self.connection.exec_driver_sql(f"DROP TRIGGER {name}")
        yield
        progress("search index")
        self.connection.exec_driver_sql(search.sqlite_index_from(first))
        self.connection.exec_driver_sql(search.SQLITE_OPTIMIZE)
        for name, body in search.SQLITE_TRIGGERS.items():
            self.connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")

    @contextmanager
    def counts_after(self, progress: Callable[[str], None]) -> Iterator[None]:
        """Keep the published-post counts (app.counters) by one recount at the end instead of
        the triggers row by row; in the load's transaction, like the search index."""
        counters.drop_triggers(self.connection)
        yield
        progress("published-post counts")
        counters.recount(self.connection)
        counters.create_triggers(self.connection)

    def count(self, table: sa.Table) -> int:
        return self.connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _when(rng: random.Random, now: datetime, position: float) -> datetime:
    """A time in the SPAN before ``now``: ``position`` 0..1 from oldest to newest, jittered."""
    jitter = rng.uniform(-0.001, 0.001)
    share = min(max(position + jitter, 0.0), 1.0)
    return now - SPAN * (1 - share)


def fill(
    users: int = 0,
    posts: int = 0,
    comments: int = 0,
    likes: int = 0,
    follows: int = 0,
    *,
    seed: int | None = None,
    progress: Callable[[str], None] = lambda _message: None,
) -> Filled:
    """Add that many rows of each kind (posts by any user, old or new) and commit each kind."""
    rng = random.Random(seed)
    vocabulary = Vocabulary.build(rng, posts + comments)
    now = datetime.now(UTC)
    filled = Filled()
    with db.engine.connect() as connection:
        writer = _Writer(connection)
        if users:
            filled.users = _users(writer, users, rng, now, progress)
            connection.commit()
        user_ids = list(connection.scalars(sa.select(User.id).order_by(User.id)))
        if (posts or comments or likes or follows) and not user_ids:
            raise ValueError("No users to write as: add some with --users.")
        if posts:
            with writer.search_index_after(progress), writer.counts_after(progress):
                filled.posts = _posts(writer, posts, user_ids, vocabulary, rng, now, progress)
            connection.commit()
        post_ids: Sequence[int] = []
        if comments or likes:
            post_ids = list(connection.scalars(sa.select(Post.id).order_by(Post.id)))
            if not post_ids:
                raise ValueError("No posts to comment on or like: add some with --posts.")
        if comments:
            filled.comments = _comments(writer, comments, user_ids, post_ids, vocabulary, rng)
            connection.commit()
        if likes:
            filled.likes = _pairs(writer, Like.__table__, likes, user_ids, post_ids, rng, now)
            connection.commit()
        if follows:
            filled.follows = _pairs(writer, Follow.__table__, follows, user_ids, user_ids, rng, now)
            connection.commit()
        progress("analyzing")
        connection.exec_driver_sql("ANALYZE")  # fresh planner statistics for the new rows
        connection.commit()
    return filled


def _users(
    writer: _Writer, count: int, rng: random.Random, now: datetime, progress: Callable
) -> int:
    password_hash = hash_password(FAKE_PASSWORD)  # one Argon2 hash, shared by every fake user
    table = User.__table__
    first = writer.reserve_ids(table, count)
    for batch in _batches(range(first, first + count)):
        rows = []
        for user_id in batch:
            name = f"{rng.choice(FIRST_NAMES)}{user_id}"
            rows.append(
                {
                    "id": user_id,
                    "username": name,
                    "username_key": username_key(name),
                    "email": f"{name}@example.com",
                    "password_hash": password_hash,
                    "is_admin": False,
                    "token_version": 0,
                    "created_at": _when(rng, now, (user_id - first) / count * 0.5),
                    "bio": rng.choice((None, "Writes about " + rng.choice(TAG_NAMES) + ".")),
                }
            )
        writer.insert(table, rows)
        progress(f"users: {batch[-1] - first + 1}/{count}")
    return count


def _posts(
    writer: _Writer,
    count: int,
    user_ids: list[int],
    vocabulary: Vocabulary,
    rng: random.Random,
    now: datetime,
    progress: Callable,
) -> int:
    connection = writer.connection
    tag_table = Tag.__table__
    writer.insert_new(tag_table, [{"name": name} for name in TAG_NAMES], ["name"])
    tag_ids = dict(
        connection.execute(sa.select(Tag.name, Tag.id).where(Tag.name.in_(TAG_NAMES))).all()
    )
    # Prolific authors and quiet ones: a Zipf-like weight per author.
    author_weights = list(accumulate(1 / (n + 1) ** 0.8 for n in range(len(user_ids))))
    authors = user_ids[:]
    rng.shuffle(authors)
    first = writer.reserve_ids(Post.__table__, count)
    done = 0
    for batch in _batches(range(first, first + count)):
        posts, slugs, links = [], [], []
        for post_id in batch:
            title = vocabulary.title(rng)
            content, content_html = vocabulary.body(rng)
            tags = vocabulary.tags(rng)
            created = _when(rng, now, (post_id - first + 1) / count)
            posts.append(
                {
                    "id": post_id,
                    "title": title,
                    "slug": f"{slugify(title)}-{post_id}",
                    "summary": vocabulary.sentence(rng) if rng.random() < 0.5 else None,
                    "content": content,
                    "content_html": content_html,
                    "search_tags": " ".join(tags) or None,
                    "published": rng.random() >= DRAFT_SHARE,
                    "user_id": rng.choices(authors, cum_weights=author_weights)[0],
                    "created_at": created,
                    "updated_at": created,
                }
            )
            links += [{"post_id": post_id, "tag_id": tag_ids[tag]} for tag in tags]
        _free_slugs(connection, posts)
        slugs = [
            {"slug": p["slug"], "post_id": p["id"], "created_at": p["created_at"]} for p in posts
        ]
        writer.insert(Post.__table__, posts)
        writer.insert(PostSlug.__table__, slugs)
        writer.insert(post_tags, links)
        done += len(batch)
        progress(f"posts: {done}/{count}")
    return count


def _free_slugs(connection: sa.Connection, posts: list[dict[str, Any]]) -> None:
    """Give another suffix to a slug some post has or had (one made by the API, say)."""
    wanted = [p["slug"] for p in posts]
    taken = set(connection.scalars(sa.select(PostSlug.slug).where(PostSlug.slug.in_(wanted))))
    for post in posts:
        n = 2
        base = post["slug"]
        while post["slug"] in taken:
            post["slug"] = f"{base}-{n}"
            n += 1
        taken.add(post["slug"])


def _comments(
    writer: _Writer,
    count: int,
    user_ids: list[int],
    post_ids: Sequence[int],
    vocabulary: Vocabulary,
    rng: random.Random,
) -> int:
    table = Comment.__table__
    now = datetime.now(UTC)
    for batch in _batches(range(count)):
        rows = []
        for _ in batch:
            text = " ".join(rng.choices(vocabulary.sentences, k=rng.randint(1, 3)))
            created = now - timedelta(seconds=rng.randint(0, int(SPAN.total_seconds())))
            rows.append(
                {
                    "post_id": rng.choice(post_ids),
                    "user_id": rng.choice(user_ids),
                    "content": text,
                    "content_html": f"<p>{text}</p>\n",
                    "created_at": created,
                    "updated_at": created,
                }
            )
        writer.insert(table, rows)
    return count


def _pairs(
    writer: _Writer,
    table: sa.Table,
    count: int,
    left: Sequence[int],
    right: Sequence[int],
    rng: random.Random,
    now: datetime,
) -> int:
    """Add ``count`` new (left, right) rows of a pair table (likes, follows); pairs that are
    there already, and a user following themselves, are drawn again."""
    first, second = [c.name for c in table.primary_key.columns]
    self_pairs = table is Follow.__table__
    possible = len(left) * len(right) - (len(left) if self_pairs else 0)
    before = writer.count(table)
    if before + count > possible:
        raise ValueError(f"Only {possible - before} more {table.name} are possible.")
    added = 0
    while added < count:
        pairs: set[tuple[int, int]] = set()
        wanted = min(count - added, BATCH)
        while len(pairs) < wanted:
            a, b = rng.choice(left), rng.choice(right)
            if not (self_pairs and a == b):
                pairs.add((a, b))
        rows = [{first: a, second: b, "created_at": now} for a, b in pairs]
        writer.insert_new(table, rows, [first, second])
        added = writer.count(table) - before
    return added


def describe(filled: Filled, seconds: float) -> str:
    return (
        f"Added {filled.users} users, {filled.posts} posts, {filled.comments} comments, "
        f"{filled.likes} likes and {filled.follows} follows in {seconds:.1f}s."
    )


def timed_fill(**kwargs: Any) -> tuple[Filled, float]:
    began = time.monotonic()
    filled = fill(**kwargs)
    return filled, time.monotonic() - began
