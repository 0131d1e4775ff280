"""Post rules every face shares: slugs (with their history), tags, writing posts, likes.

Races are settled by the database, not by reading first: slugs and tag names are unique
indexes, a like is a primary key, and inserts that may collide either retry with the next
slug or use ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL both have it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .errors import Conflict
from .extensions import db
from .models import SLUG_MAX, Like, Post, PostSlug, Tag, User, insert_for, post_tags
from .models.posts import search_tags_for

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Room for "-<n>" after a generated slug, within SLUG_MAX.
SLUG_BASE_MAX = SLUG_MAX - 12
SLUG_ATTEMPTS = 8


def slugify(title: str) -> str:
    """``Café déjà vu`` -> ``cafe-deja-vu``: ASCII words joined by ``-``, ``post`` if none."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > SLUG_BASE_MAX:
            break
        slug = candidate
    return slug or (words[0][:SLUG_BASE_MAX] if words else "post")


def free_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``, … : the first one no post has ever had.

    Candidates are looked up by equality (``IN``), batch after growing batch: each is an
    index probe on any collation, where ``LIKE 'base-%'`` would scan the whole table on a
    PostgreSQL database whose collation is not "C".
    """
    start, size = 1, 16
    while True:
        numbers = range(start, start + size)
        candidates = [base if n == 1 else f"{base}-{n}" for n in numbers]
        taken = set(
            db.session.scalars(sa.select(PostSlug.slug).where(PostSlug.slug.in_(candidates)))
        )
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        start, size = start + size, size * 2


def _insert_ignoring_duplicates(table: Any, rows: list[dict[str, Any]], key: list[str]) -> None:
    insert = insert_for(db.session.get_bind().dialect.name)
    db.session.execute(insert(table).on_conflict_do_nothing(index_elements=key), rows)


def _apply(post: Post, data: dict[str, Any]) -> None:
    """``data``'s columns onto ``post``; its tags are written by ``_write_tags``."""
    post.update(data)
    if "tags" in data:
        post.search_tags = search_tags_for(data["tags"])


@cache
def _tag_statements(dialect: str) -> tuple[Any, Any, Any]:
    """The statements that write a post's tags, by tag name (``names``, expanding), built
    once per process: building them cost more than running them (issue #15)."""
    tags = Tag.__table__
    names = sa.bindparam("names", expanding=True)
    post_id = sa.bindparam("post_id", type_=sa.Integer)
    link = (
        insert_for(dialect)(post_tags)
        .from_select(
            ["post_id", "tag_id"],
            # By id: concurrent writers lock shared tags' rows (their count triggers) in one
            # order, whatever plan each statement gets.
            sa.select(post_id, tags.c.id).where(tags.c.name.in_(names)).order_by(tags.c.id),
        )
        .on_conflict_do_nothing(index_elements=["post_id", "tag_id"])
        .execution_options(preserve_rowcount=True)  # an INSERT's: psycopg's -1 otherwise
    )
    unlink = sa.delete(post_tags).where(
        post_tags.c.post_id == post_id,
        post_tags.c.tag_id.not_in(sa.select(tags.c.id).where(tags.c.name.in_(names))),
    )
    known = sa.select(tags.c.name).where(tags.c.name.in_(names))
    return link, unlink, known


def _write_tags(post: Post, names: list[str], *, new: bool) -> str:
    """Make the tags named ``names`` (normalized) those of the flushed ``post``: its
    ``post_tags`` rows added and, unless it is ``new``, dropped; tags no post had before
    are created. Answers its ``tag_names``, as a read of the post would have them.

    Core on the session's connection, by name, with no ``Tag`` loaded: a new post whose tags
    all exist costs one statement.
    """
    names = sorted(set(names))
    connection = db.session.connection()
    link, unlink, known = _tag_statements(connection.dialect.name)
    params = {"post_id": post.id, "names": names}
    if not new:
        connection.execute(unlink, params)
    if names and connection.execute(link, params).rowcount < len(names):
        # Some are new tags, or (an edit) already the post's. A concurrent writer may
        # create the same tag between the read and the insert: both keep the one row.
        have = set(connection.execute(known, params).scalars())
        missing = [{"name": name} for name in names if name not in have]
        if missing:
            _insert_ignoring_duplicates(Tag.__table__, missing, ["name"])
            connection.execute(link, params)
    tag_names = ",".join(names)
    set_committed_value(post, "tag_names", tag_names)
    if "tag_rows" in post.__dict__:
        db.session.expire(post, ["tag_rows"])  # read again if ever asked for
    return tag_names


def create_post(author: User, data: dict[str, Any]) -> Post:
    """Create and commit a post with a fresh slug from its title.

    Two posts with the same title created at the same instant may both find ``base-2``
    free; the unique index refuses the second, which rolls back and takes the next one.
    """
    for _attempt in range(SLUG_ATTEMPTS):
        post = Post(user_id=author.id, published=data.get("published", True))
        _apply(post, data)
        post.slug = free_slug(slugify(data["title"]))
        post.slug_history.append(PostSlug(slug=post.slug))
        # Set last: the author's ``posts`` backref would put the post in the session (and
        # autoflush it) before its slug exists. Loaded now, it answers with no read later.
        post.author = author
        db.session.add(post)
        try:
            db.session.flush()
            _write_tags(post, data.get("tags", []), new=True)
            db.session.commit()
            return post
        except IntegrityError:
            db.session.rollback()
    raise Conflict("Could not find a free slug; try again", "slug_taken")


def update_post(post: Post, data: dict[str, Any]) -> None:
    """Apply a v2 edit and commit; the slug changes only when ``data`` carries one.

    A slug the post had before becomes current again; one that any other post has or had
    is 409, whether found here or by the unique index when a concurrent edit takes it.
    """
    # What the SELECT that loaded the post computed (counts, ``liked``, tag names): an edit
    # changes none of it, but the flush expires these expressions, and the answer is made
    # after the commit without reading the database again (a connection lost after the
    # commit must not turn a saved edit into an error).
    computed = {key: post.__dict__.get(key) for key in _COMPUTED}
    _apply(post, data)
    new_slug = data.get("slug")
    if new_slug is not None and new_slug != post.slug:
        owner = db.session.scalar(sa.select(PostSlug.post_id).where(PostSlug.slug == new_slug))
        if owner is not None and owner != post.id:
            db.session.rollback()
            raise Conflict("Slug already taken", "slug_taken")
        if owner is None:
            db.session.add(PostSlug(slug=new_slug, post_id=post.id))
        post.slug = new_slug
    try:
        db.session.flush()
        if "tags" in data:
            computed["tag_names"] = _write_tags(post, data["tags"], new=False)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("Slug already taken", "slug_taken") from None
    for key, value in computed.items():
        if value is not None:
            set_committed_value(post, key, value)


_COMPUTED = ("likes_count", "comments_count", "liked", "tag_names")


def _well_formed(slug: str) -> bool:
    return len(slug) <= SLUG_MAX and SLUG_RE.match(slug) is not None


def post_id_for_slug(slug: str) -> int | None:
    """The id of the post that has or had ``slug``."""
    if not _well_formed(slug):
        return None
    return db.session.scalar(sa.select(PostSlug.post_id).where(PostSlug.slug == slug))


def post_seen_at_slug(slug: str) -> sa.Row[tuple[int, bool, int]] | None:
    """``(id, published, user_id)`` of the post that has or had ``slug``, in one statement:
    what a route that does not answer with the post needs to decide who may reach it."""
    if not _well_formed(slug):
        return None
    stmt = (
        sa.select(Post.id, Post.published, Post.user_id)
        .join(PostSlug, PostSlug.post_id == Post.id)
        .where(PostSlug.slug == slug)
    )
    return db.session.execute(stmt).first()


def like(user: User, post_id: int) -> None:
    """Like the post once, however many times (and however concurrently) it is asked."""
    row = {"user_id": user.id, "post_id": post_id}
    _insert_ignoring_duplicates(Like.__table__, [row], ["user_id", "post_id"])
    db.session.commit()


def unlike(user: User, post_id: int) -> None:
    """Take the like back; no like is fine."""
    db.session.execute(sa.delete(Like).where(Like.user_id == user.id, Like.post_id == post_id))
    db.session.commit()
