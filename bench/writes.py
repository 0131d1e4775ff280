"""The write scenarios' bodies, and the clean-up that keeps repeated runs alike.

``post_plain`` is the least a v2 post can be: a title and one sentence. ``post_rich`` is a
post as the blog's authors write them: about 2 KB of Markdown (headings, a list, a link, a
code block, emphasis), five tags and a summary, so that Markdown rendering, sanitizing, the
tag rows and the search index all do their work. Each title carries ``@RUN@`` (a mark for
the wrk run) and ``@N@`` (bench/requests.lua's per-request counter): every slug is new, none
needs a ``-2``.

The posts are written by the bench reader (user 1) into the empty database (bench.soak: the
full one), and deleted again (``clear``) before the first round and after every write run,
so that neither a run nor the next one writes into a table its predecessors have grown;
``clear`` also vacuums what the deletion left (PostgreSQL) or checkpoints the WAL (SQLite).
"""

from __future__ import annotations

import json
import secrets

import sqlalchemy as sa

READER = 1  # the user whose token the scenarios send, in every bench database
TITLE_MARK = "Bench-written"  # the start of every title written here, and of nothing else

RICH_MARKDOWN = """\
## Why the cache came first

We measured before we changed anything. The *first* request of each worker paid for
imports, the pool and the prepared statements; every later one paid for **the work only**.
Read [the notes on the run](https://example.org/notes/run-2026) before the numbers.

### What we changed

- the token check reads one row, not three;
- the list's total comes from a kept count, not from `count(*)`;
- tags are read in the page's own statement;
- drafts stay out of every public list.

```python
def total(authors):
    # one row per author, whatever the number of posts
    return sum(author.published_posts for author in authors)
```

### What it cost

Nothing the reader sees: the answers are the same, byte for byte, and the *slowest* page is
now within a few milliseconds of the fastest. Writing a post got a little dearer (two
counters move with it), which is the trade we wanted: a blog is read far more often than it
is written.

> Measure, change one thing, measure again.

The rest of this post walks through each step with its numbers, so that anyone can repeat
it on their own machine. Start with the seeding, which takes a few minutes at a million
posts, then run each scenario alone before running them together, and keep the machine
as quiet as you can while it runs: other jobs move the absolute figures, never the ratios
of one alternating run. Where a figure looked odd we ran it again and said so.

### What is left

Search still ranks every match, so a word found in most posts costs what it did. The fix
is either a bound on the ranked candidates or a search engine, and both change what the
`total` of an answer promises; that is a decision for the _product_, not for this post.
Until then the common words are the slow ones, and the rare ones are fast.

1. Seed the database.
2. Run the scenarios.
3. Compare the ratios, not the rates.
"""

TAGS = ["python", "performance", "databases", "flask", "benchmarks"]


def plain_body() -> str:
    """``post_plain``: a title and one plain sentence."""
    return json.dumps({"title": f"{TITLE_MARK} plain @RUN@ @N@", "content": "One plain sentence."})


def rich_body() -> str:
    """``post_rich``: ~2 KB of Markdown, five tags and a summary."""
    return json.dumps(
        {
            "title": f"{TITLE_MARK} rich @RUN@ @N@",
            "summary": "How the lists got their speed back, step by step, with the numbers.",
            "content": RICH_MARKDOWN,
            "tags": TAGS,
        }
    )


def for_run(body: str) -> str:
    """``body`` with ``@RUN@`` made unique to one wrk run (``@N@`` is left to wrk)."""
    return body.replace("@RUN@", secrets.token_hex(4))


# What a write run touches, beside the rows it deletes: vacuumed after each clean-up.
TOUCHED = ("posts", "post_search_words", "post_tags", "post_slugs", "tags", "users")


def clear(url: str, secret: str) -> int:
    """Delete the posts written here (the reader's, titled ``TITLE_MARK …``) from the
    database at ``url``; slugs, tag links, the search index and the kept counts follow by
    cascade and triggers. The number deleted.

    Then tidy up after the deletion itself, outside the timed window: on PostgreSQL a
    ``VACUUM`` of the tables a write touches (the dead rows, the GIN index's pending list,
    the author's and the tags' row versions), on SQLite a checkpoint of the WAL. A run of a
    few hundred POSTs deleted at once is the benchmark's doing, not a blog's: left to
    autovacuum, its clean-up landed in whichever timed run came next, plain or rich.
    """
    from app.extensions import db

    from .seed import _app

    app = _app(url, secret)
    with app.app_context():
        deleted = db.session.execute(
            sa.text("DELETE FROM posts WHERE user_id = :reader AND title LIKE :mark"),
            {"reader": READER, "mark": f"{TITLE_MARK} %"},
        ).rowcount
        db.session.commit()
        db.session.remove()
        with db.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in TOUCHED:
                    conn.exec_driver_sql(f"VACUUM {table}")
            else:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return deleted
