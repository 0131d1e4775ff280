"""Database models: users and follows, posts (slugs, tags, comments, likes), todos, token
revocations, idempotency keys, heartbeat."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from .extensions import db
from .markdown import render
from .passwords import hash_password, needs_rehash, verify_password

USERNAME_MAX = 64
EMAIL_MAX = 254
TITLE_MAX = 200
CONTENT_MAX = 100_000
DESCRIPTION_MAX = 10_000
BIO_MAX = 500
IMAGE_MAX = 500
SLUG_MAX = 100
SUMMARY_MAX = 300
TAG_MAX = 32
TAGS_MAX = 10
COMMENT_MAX = 10_000
ID_MAX = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def username_key(username: str) -> str:
    """Return the form of a username that uniqueness is checked on (case-insensitive)."""
    return unicodedata.normalize("NFKC", username).casefold()


class UTCDateTime(sa.TypeDecorator):
    """Store UTC as a naive timestamp on every backend; always hand back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class User(db.Model):
    __tablename__ = "users"
    # Tokens name their user by id: SQLite must never hand a deleted user's id to a new
    # account (plain INTEGER PRIMARY KEY reuses the highest id), or old tokens would log in.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(USERNAME_MAX))
    # NFKC + casefold of username, unique: "Alice" and "alice" are the same account.
    username_key: Mapped[str] = mapped_column(sa.String(4 * USERNAME_MAX), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    bio: Mapped[str | None] = mapped_column(sa.String(BIO_MAX))
    image: Mapped[str | None] = mapped_column(sa.String(IMAGE_MAX))

    # Loaded per query, in the same statement, by ``queries.profiles`` (None elsewhere).
    followers_count: Mapped[int | None] = query_expression()
    following_count: Mapped[int | None] = query_expression()
    following: Mapped[bool | None] = query_expression()

    posts: Mapped[list[Post]] = relationship(
        back_populates="author", cascade="all, delete-orphan", passive_deletes=True
    )
    todos: Mapped[list[Todo]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"

    def set_username(self, username: str) -> None:
        self.username = username
        self.username_key = username_key(username)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str, *, rehash: bool = True) -> bool:
        """Verify ``password``; upgrade the stored hash when the parameters changed.

        The upgrade replaces only the hash that was verified (a conditional UPDATE, left
        for the caller to commit): a password change committed meanwhile wins.
        """
        verified = self.password_hash
        if not verify_password(verified, password):
            return False
        if rehash and self.id is not None and needs_rehash(verified):
            self.replace_verified_hash(verified, password_hash=hash_password(password))
        return True

    def replace_verified_hash(self, verified_hash: str, **values: Any) -> bool:
        """Write ``values`` to this user's row only while its hash is still ``verified_hash``.

        A compare-and-set in one statement: of two requests that verified the same password
        (two password changes, a change and a login's rehash), only the first to write
        succeeds; the other gets False. Not committed; the object is expired.
        """
        result = db.session.execute(
            sa.update(User)
            .where(User.id == self.id, User.password_hash == verified_hash)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(self)
        return result.rowcount == 1

    def revoke_all_tokens(self) -> None:
        """Make every token issued so far invalid (logout-all, password change, theft).

        The increment happens in SQL (``token_version = token_version + 1``), not on the
        value read when the request authenticated: two bumps racing (a password change on
        one device, a refresh-token replay on another) must both count.
        """
        if self.id is None:
            self.token_version = (self.token_version or 0) + 1
        else:
            self.token_version = User.token_version + 1


post_tags = sa.Table(
    "post_tags",
    db.metadata,
    sa.Column("post_id", sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    # ?tag= reads this index from the tag's side: the posts of one tag, without a scan.
    sa.Index("ix_post_tags_tag_id_post_id", "tag_id", "post_id"),
)


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        sa.Index("ix_posts_published_created_at", "published", "created_at"),
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

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.title!r}>"

    @validates("content")
    def _render_content(self, _key: str, content: str) -> str:
        self.content_html = render(content)
        return content

    @property
    def tags(self) -> list[str]:
        # Sorted here, by code point: a database collation (en_US on PostgreSQL ignores "-")
        # would answer another order on each backend.
        return sorted(tag.name for tag in self.tag_rows)

    def update(self, data: dict[str, Any]) -> None:
        for key in ("title", "content", "published", "summary"):
            if key in data:
                setattr(self, key, data[key])


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


class Todo(db.Model):
    __tablename__ = "todos"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused (see Post)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str | None] = mapped_column(sa.Text)
    completed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(back_populates="todos")

    def __repr__(self) -> str:
        return f"<Todo {self.id} {self.title!r}>"

    def update(self, data: dict[str, Any]) -> None:
        for key in ("title", "description", "completed", "due_date"):
            if key in data:
                setattr(self, key, data[key])


class Follow(db.Model):
    """``follower`` follows ``followed``: one row per pair (following twice changes nothing)."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.CheckConstraint("follower_id <> followed_id", name="not_self"),
        sa.Index("ix_follows_followed_id_created_at", "followed_id", "created_at"),
    )

    follower_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    followed_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Follow {self.follower_id} -> {self.followed_id}>"


class RevokedToken(db.Model):
    """A logged-out or rotated token, keyed on its ``jti``; prunable once it has expired."""

    __tablename__ = "revoked_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    jti: Mapped[str] = mapped_column(sa.String(36), unique=True)
    token_type: Mapped[str] = mapped_column(sa.String(10))
    user_id: Mapped[int | None] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<RevokedToken {self.jti}>"


class IdempotencyKey(db.Model):
    """A client's ``Idempotency-Key`` and the answer its first request got (app.idempotency).

    Written in the same transaction as the work itself, so a key is stored exactly when the
    work was done. ``scope`` is ``user:<id>`` or, for anonymous requests, ``client:<addr>``;
    ``fingerprint`` an HMAC of method, path and body (the body may hold a password).
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(255))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[int | None] = mapped_column()
    body: Mapped[str | None] = mapped_column(sa.Text)
    location: Mapped[str | None] = mapped_column(sa.String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.scope} {self.key!r}>"


class Heartbeat(db.Model):
    """One row the readiness check (``GET /health/ready``) writes to prove writes work."""

    __tablename__ = "heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Heartbeat {self.beat_at}>"
