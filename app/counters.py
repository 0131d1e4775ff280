"""Counts of published posts kept by the database: per author and per tag.

``users.published_posts`` and ``tags.published_posts`` are kept in step by triggers on
``posts`` and ``post_tags``, whatever writes the rows: the API's write paths, ``flask fake``,
an ``ON DELETE CASCADE`` from a deleted user or post. They let a list answer its ``total``
without counting its matches (``app.queries``): the post list sums the authors' counts, a
tag page reads its tag's, the feed sums the followed authors', ``GET /tags`` reads the tags'
rows; each plus the viewer's own drafts where the list shows them. So those totals cost the
same at a thousand posts and at a million. Lists with other filters (``q``, ``liked_by``,
several at once) still count their matches.

What changes a count, and where it is counted:

- a post inserted published: +1 its author (after insert on ``posts``);
- a post deleted while published: -1 its author and each of its tags (*before* delete, while
  its ``post_tags`` rows still exist: the cascade removes them after the post, and their
  trigger then finds no published post and changes nothing);
- ``published`` or ``user_id`` changed: the authors' counts move; a change of ``published``
  moves each of its tags' counts;
- a tag added to or removed from a published post: +1 / -1 that tag.

SQLite fires triggers for rows that foreign-key actions delete, like PostgreSQL. The objects
are created by migration 0007 (which also counts existing rows) and, for ``db.create_all()``,
by a DDL event on ``post_tags``. ``recount`` recomputes both counts from the rows: the
migration and ``flask fake`` (which loads with the triggers off) use it, and the tests compare
the triggers' counts with it after every kind of write.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

SQLITE_TRIGGERS = {
    "counters_posts_ai": """AFTER INSERT ON posts WHEN NEW.published BEGIN
        UPDATE users SET published_posts = published_posts + 1 WHERE id = NEW.user_id;
    END""",
    "counters_posts_bd": """BEFORE DELETE ON posts WHEN OLD.published BEGIN
        UPDATE users SET published_posts = published_posts - 1 WHERE id = OLD.user_id;
        UPDATE tags SET published_posts = published_posts - 1
            WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = OLD.id);
    END""",
    "counters_posts_au": """AFTER UPDATE OF published, user_id ON posts
        WHEN OLD.published IS NOT NEW.published OR OLD.user_id IS NOT NEW.user_id BEGIN
        UPDATE users SET published_posts = published_posts - 1
            WHERE id = OLD.user_id AND OLD.published;
        UPDATE users SET published_posts = published_posts + 1
            WHERE id = NEW.user_id AND NEW.published;
        UPDATE tags SET published_posts = published_posts
                + CASE WHEN NEW.published THEN 1 ELSE -1 END
            WHERE OLD.published IS NOT NEW.published
              AND id IN (SELECT tag_id FROM post_tags WHERE post_id = NEW.id);
    END""",
    "counters_post_tags_ai": """AFTER INSERT ON post_tags
        WHEN (SELECT published FROM posts WHERE id = NEW.post_id) BEGIN
        UPDATE tags SET published_posts = published_posts + 1 WHERE id = NEW.tag_id;
    END""",
    "counters_post_tags_ad": """AFTER DELETE ON post_tags
        WHEN (SELECT published FROM posts WHERE id = OLD.post_id) BEGIN
        UPDATE tags SET published_posts = published_posts - 1 WHERE id = OLD.tag_id;
    END""",
}

PG_CREATE = [
    """CREATE OR REPLACE FUNCTION counters_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.published THEN
                UPDATE users SET published_posts = published_posts + 1 WHERE id = NEW.user_id;
            END IF;
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.published THEN
                UPDATE users SET published_posts = published_posts - 1 WHERE id = OLD.user_id;
                UPDATE tags SET published_posts = published_posts - 1
                    WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = OLD.id);
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.published IS DISTINCT FROM NEW.published
                OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
            IF OLD.published THEN
                UPDATE users SET published_posts = published_posts - 1 WHERE id = OLD.user_id;
            END IF;
            IF NEW.published THEN
                UPDATE users SET published_posts = published_posts + 1 WHERE id = NEW.user_id;
            END IF;
        END IF;
        IF OLD.published IS DISTINCT FROM NEW.published THEN
            UPDATE tags SET published_posts = published_posts
                    + CASE WHEN NEW.published THEN 1 ELSE -1 END
                WHERE id IN (SELECT tag_id FROM post_tags WHERE post_id = NEW.id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION counters_post_tags() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE tags SET published_posts = published_posts + 1 WHERE id = NEW.tag_id
                AND EXISTS (SELECT 1 FROM posts WHERE id = NEW.post_id AND published);
        ELSE
            UPDATE tags SET published_posts = published_posts - 1 WHERE id = OLD.tag_id
                AND EXISTS (SELECT 1 FROM posts WHERE id = OLD.post_id AND published);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER counters_posts_aiu AFTER INSERT OR UPDATE OF published, user_id ON posts
        FOR EACH ROW EXECUTE FUNCTION counters_posts()""",
    """CREATE TRIGGER counters_posts_bd BEFORE DELETE ON posts
        FOR EACH ROW EXECUTE FUNCTION counters_posts()""",
    """CREATE TRIGGER counters_post_tags AFTER INSERT OR DELETE ON post_tags
        FOR EACH ROW EXECUTE FUNCTION counters_post_tags()""",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS counters_post_tags ON post_tags",
    "DROP TRIGGER IF EXISTS counters_posts_bd ON posts",
    "DROP TRIGGER IF EXISTS counters_posts_aiu ON posts",
    "DROP FUNCTION IF EXISTS counters_post_tags()",
    "DROP FUNCTION IF EXISTS counters_posts()",
]

RECOUNT = [
    """UPDATE users SET published_posts = (
        SELECT count(*) FROM posts WHERE posts.user_id = users.id AND posts.published)""",
    """UPDATE tags SET published_posts = (
        SELECT count(*) FROM post_tags JOIN posts ON posts.id = post_tags.post_id
        WHERE post_tags.tag_id = tags.id AND posts.published)""",
]


def create_triggers(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    elif connection.dialect.name == "postgresql":
        for statement in PG_CREATE:
            connection.exec_driver_sql(statement)


def drop_triggers(connection: sa.Connection) -> None:
    if connection.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    elif connection.dialect.name == "postgresql":
        for statement in PG_DROP:
            connection.exec_driver_sql(statement)


def recount(connection: sa.Connection) -> None:
    """Set every count from the rows (after a bulk load without triggers, a migration)."""
    for statement in RECOUNT:
        connection.exec_driver_sql(statement)


def register(post_tags: sa.Table) -> None:
    """Create the triggers with ``post_tags``, the last of the tables they touch."""

    def after_create(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
        create_triggers(connection)

    def before_drop(target: sa.Table, connection: sa.Connection, **_kw: Any) -> None:
        drop_triggers(connection)

    sa.event.listen(post_tags, "after_create", after_create)
    sa.event.listen(post_tags, "before_drop", before_drop)
