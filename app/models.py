"""Database models: User, Post, Todo, token revocations, idempotency keys, heartbeat."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .passwords import hash_password, needs_rehash, verify_password

USERNAME_MAX = 64
EMAIL_MAX = 254
TITLE_MAX = 200
CONTENT_MAX = 100_000
DESCRIPTION_MAX = 10_000
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

    def check_password(self, password: str) -> bool:
        """Verify ``password``; upgrade the stored hash when the parameters changed."""
        if not verify_password(self.password_hash, password):
            return False
        if needs_rehash(self.password_hash):
            self.password_hash = hash_password(password)
        return True

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


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (sa.Index("ix_posts_published_created_at", "published", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    content: Mapped[str] = mapped_column(sa.Text)
    published: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship(back_populates="posts")

    def __repr__(self) -> str:
        return f"<Post {self.id} {self.title!r}>"

    def update(self, data: dict[str, Any]) -> None:
        for key in ("title", "content", "published"):
            if key in data:
                setattr(self, key, data[key])


class Todo(db.Model):
    __tablename__ = "todos"

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
