"""Users and who follows whom."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from ..passwords import hash_password, needs_rehash, verify_password
from .base import (
    BIO_MAX,
    EMAIL_MAX,
    IMAGE_MAX,
    USERNAME_MAX,
    UTCDateTime,
    username_key,
    utcnow,
)
from .sessions import UserSession

if TYPE_CHECKING:  # annotations only: SQLAlchemy finds the classes by name
    from .posts import Post
    from .records import Todo


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
    # Set when a mailed verification token (or a password reset) proved the address.
    email_verified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    token_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Published posts by this user, kept by the database's triggers (app.counters).
    published_posts: Mapped[int] = mapped_column(default=0, server_default="0")
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
        """Make every token issued so far invalid and end every session (logout-all,
        password change or reset, theft).

        The increment happens in SQL (``token_version = token_version + 1``), not on the
        value read when the request authenticated: two bumps racing (a password change on
        one device, a refresh-token replay on another) must both count.
        """
        if self.id is None:
            self.token_version = (self.token_version or 0) + 1
        else:
            self.token_version = User.token_version + 1
            UserSession.end_all(self.id)


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
