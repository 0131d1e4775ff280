"""Signed-in devices (sessions) and the single-use tokens that reset mails and verification
mails carry."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import EMAIL_MAX, UTCDateTime, utcnow

if TYPE_CHECKING:  # annotations only: SQLAlchemy finds the classes by name
    from .users import User

USER_AGENT_MAX = 255
JTI_LENGTH = 32


class UserSession(db.Model):
    """One login on one device: every token it issues carries its id (claim ``sid``).

    Deleting the row ends the session: the per-request check (``app.auth``) finds no row
    and refuses its tokens. ``refresh_jti`` is the refresh token that is current now;
    ``previous_refresh_jti`` the one it replaced at ``rotated_at``, honoured again for
    ``JWT_REFRESH_REUSE_GRACE`` seconds (two tabs refreshing at once). ``token_version``:
    the user's version the session was started under (a logout-all that raced the login
    leaves a row whose version is stale: it is neither listed nor accepted).
    """

    __tablename__ = "sessions"
    # ids are never reused: a reused id would bring an ended session's tokens back.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str | None] = mapped_column(sa.String(USER_AGENT_MAX))
    refresh_jti: Mapped[str | None] = mapped_column(sa.String(JTI_LENGTH))
    refresh_issued_at: Mapped[int | None] = mapped_column(sa.BigInteger)
    previous_refresh_jti: Mapped[str | None] = mapped_column(sa.String(JTI_LENGTH))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"

    @staticmethod
    def end_all(user_id: int) -> None:
        """Delete every session of ``user_id`` (not committed): logout-all, password
        change or reset, refresh-token theft. The caller bumps the token version too."""
        db.session.execute(
            sa.delete(UserSession)
            .where(UserSession.user_id == user_id)
            .execution_options(synchronize_session=False)
        )


class AccountToken(db.Model):
    """A single-use token mailed to ``email``: a password reset or an e-mail verification.

    Only its SHA-256 is stored; it works once (``used_at``), until ``expires_at``, and only
    while the account's address is still ``email``.
    """

    __tablename__ = "account_tokens"

    RESET = "reset"
    VERIFY = "verify"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AccountToken {self.purpose} of user {self.user_id}>"
