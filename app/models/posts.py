"""Posts with their slug history, tags, comments and likes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from .. import counters
from ..extensions import db
from ..markdown import render
from ..search import register as register_search_index
from .base import (
    SLUG_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TITLE_MAX,
    UTCDateTime,
    utcnow,
)

if TYPE_CHECKING:  # annotations only: SQLAlchemy finds the classes by name
    from .users import User

post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # ?tag= reads this index from the tag's side: the posts of one tag, without a scan.
    sa.Index("ix_post_tags_tag_id_post_id", "tag_id", "post_id"),
)


def tag_list(tag_names: str | None) -> list[str]:
    """A post's tags from its ``tag_names`` (joined by ","), sorted here, by code point: a
    database collation (en_US on PostgreSQL ignores "-") would answer another order on each
    backend."""
    return sorted(tag_names.split(",")) if tag_names else []


def search_tags_for(names: Iterable[str]) -> str | None:
    """What ``posts.search_tags`` holds for a post tagged ``names``: the search index reads
    the post's own row, and tags live in another table."""
    return " ".join(sorted(set(names))) or None


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.Index("ix_posts_published_created_at", "published", "created_at"),
        # Covering indexes for lists that cannot read ix_posts_published_created_at in
        # order: the feed (a thousand authors' published posts: count and newest first from
        # the index alone) and ?tag= / search (post ids from elsewhere: their published
        # flag and time without reading the wide rows). 10x on 100k posts (bench/).
        sa.Index("ix_posts_user_id_published_created_at", "user_id", "published", "created_at"),
        sa.Index("ix_posts_id_published_created_at", "id", "published", "created_at"),
        # Never hand a deleted post's id to a new one: old links would show another post.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    # The current slug; every slug the post ever had (this one included) is a PostSlug row.
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    summary: Mapped[str | None] = mapped_column(sa.String(SUMMARY_MAX))
    content: Mapped[str] = mapped_column(sa.Text)
    # ``content`` rendered and sanitized when it is written (app.markdown), never on read.
    content_html: Mapped[str] = mapped_column(sa.Text)
    # The tag names joined by spaces (NULL: none), written with the tags (``set_tags``): the
    # search index (app.search) reads the post's own row, and tags live in another table.
    search_tags: Mapped[str | None] = mapped_column(sa.Text)
    published: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship(back_populates="posts")
    tag_rows: Mapped[list[Tag]] = relationship(
        secondary=post_tags, order_by="Tag.name", passive_deletes=True
    )
    slug_history: Mapped[list[PostSlug]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    # Filled by app.queries in the SELECT that loads the post (with_expression): counted
    # in the database, never by loading rows, and None on a post loaded any other way.
    likes_count: Mapped[int | None] = query_expression()
    comments_count: Mapped[int | None] = query_expression()
    liked: Mapped[bool | None] = query_expression()
    # The post's tag names joined by "," (names never hold one), aggregated in the same
    # SELECT: a page of posts with their tags is one statement, not one plus a SELECT IN.
    tag_names: Mapped[str | None] = query_expression()

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.title!r}>"

    @validates("content")
    def _render_content(self, _key: str, content: str) -> str:
        self.content_html = render(content)
        return content

    @property
    def tags(self) -> list[str]:
        if "tag_rows" in self.__dict__ or self.tag_names is None:
            return sorted(tag.name for tag in self.tag_rows)  # loaded, or set by a write
        return tag_list(self.tag_names)

    def set_tags(self, rows: list[Tag]) -> None:
        self.tag_rows = rows
        self.search_tags = search_tags_for(tag.name for tag in rows)

    def update(self, data: dict[str, Any]) -> None:
        for key in ("title", "content", "published", "summary"):
            if key in data:
                setattr(self, key, data[key])


register_search_index(Post.__table__)
counters.register(post_tags)


class PostSlug(db.Model):
    """A slug a post has or had: unique across all posts, so an old one keeps leading to it."""

    __tablename__ = "post_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PostSlug {self.slug!r} -> {self.post_id}>"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(TAG_MAX), unique=True)
    # Published posts with this tag, kept by the database's triggers (app.counters): read,
    # never written by the ORM.
    published_posts: Mapped[int] = mapped_column(default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<Tag {self.name!r}>"


class Comment(db.Model):
    __tablename__ = "comments"
    # A post's comments in order (the list, and its count) come from this one index.
    __table_args__ = (sa.Index("ix_comments_post_id_created_at", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    content: Mapped[str] = mapped_column(sa.Text)
    content_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship()
    post: Mapped[Post] = relationship()

    def __repr__(self) -> str:
        return f"<Comment {self.id} on {self.post_id}>"

    @validates("content")
    def _render_content(self, _key: str, content: str) -> str:
        self.content_html = render(content)
        return content


class Like(db.Model):
    """One user likes one post: the primary key makes a second like of the same pair fail."""

    __tablename__ = "likes"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Like {self.user_id} -> {self.post_id}>"
