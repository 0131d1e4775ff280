"""Todos, revoked tokens, idempotency keys and the readiness heartbeat."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import (
    TITLE_MAX,
    UTCDateTime,
    utcnow,
)

if TYPE_CHECKING:  # annotations only: SQLAlchemy finds the classes by name
    from .users import User


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
