"""Password reset and e-mail verification: single-use tokens, mailed as links.

A token is 32 random bytes (URL-safe); only its SHA-256 is stored (``AccountToken``), so a
copy of the database opens no account. It works once (a compare-and-set on ``used_at``),
until it expires, and only while the account's address is still the one it was mailed to.

A reset request answers the same, at once, whether the address is known or not: looking it
up, storing a token and sending the mail all run in the outbox (``app.mail``) after the
answer, so neither the body nor the time of the answer says whether the address exists.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from . import mail
from .errors import InvalidAccountToken
from .extensions import db
from .models import AccountToken, User, utcnow
from .passwords import hash_password

#: A second reset mail to the same account within this many seconds is not sent.
RESET_RESEND_SECONDS = 60
INVALID_MESSAGE = "Invalid or expired token"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _new_token(user: User, purpose: str, lifetime: int) -> tuple[AccountToken, str]:
    """A token row for ``user``'s current address (added, not committed) and its text."""
    raw = secrets.token_urlsafe(32)
    row = AccountToken(
        user=user,
        purpose=purpose,
        token_hash=_hash(raw),
        email=user.email,
        expires_at=utcnow() + timedelta(seconds=lifetime),
    )
    db.session.add(row)
    return row, raw


#: The mails' links without FRONTEND_URL: the development server (python run.py).
DEVELOPMENT_FRONTEND = "http://127.0.0.1:5000"


def _link(page: str, token: str) -> str:
    base = str(current_app.config["FRONTEND_URL"] or DEVELOPMENT_FRONTEND).rstrip("/")
    return f"{base}/#/{page}?token={token}"


# --- password reset -----------------------------------------------------------------------


def request_reset(email: str) -> None:
    """Queue a reset mail for ``email`` (sent only if an account has that address)."""
    mail.submit(_send_reset, email.strip().lower())


def _send_reset(email: str) -> None:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        return
    recent = utcnow() - timedelta(seconds=RESET_RESEND_SECONDS)
    pending = db.session.scalar(
        sa.select(AccountToken.id).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == AccountToken.RESET,
            AccountToken.used_at.is_(None),
            AccountToken.created_at > recent,
        )
    )
    if pending is not None:
        return  # one mail a minute per account: resubmitting the form cannot flood a mailbox
    lifetime = int(current_app.config["PASSWORD_RESET_EXPIRES"])
    _row, token = _new_token(user, AccountToken.RESET, lifetime)
    db.session.commit()
    minutes = max(1, lifetime // 60)
    mail.send(
        email,
        "Reset your password",
        f"Someone asked to reset the password of the account {user.username!r}.\n\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{_link('reset-password', token)}\n\n"
        "If it was not you, ignore this mail: your password stays as it is.\n",
    )


def _spend(token: str, purpose: str) -> tuple[AccountToken, User]:
    """Mark ``token`` used (once, whoever races) and return it with its user; 400 when it is
    unknown, used, expired or was mailed to an address the account no longer has."""
    row = db.session.scalar(
        sa.select(AccountToken).where(
            AccountToken.token_hash == _hash(token), AccountToken.purpose == purpose
        )
    )
    now = utcnow()
    user = db.session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or row.used_at is not None or row.expires_at <= now:
        raise InvalidAccountToken(INVALID_MESSAGE)
    if user.email is None or user.email != row.email:
        raise InvalidAccountToken(INVALID_MESSAGE)
    spent = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        db.session.rollback()
        raise InvalidAccountToken(INVALID_MESSAGE)
    return row, user


def reset_password(token: str, password: str) -> None:
    """Set a new password with a mailed reset token; every session of the user ends."""
    new_hash = hash_password(password)  # before the token is spent: no lock held meanwhile
    row, user = _spend(token, AccountToken.RESET)
    # Every other reset link of the account dies with this one.
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == AccountToken.RESET,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=row.used_at or utcnow())
        .execution_options(synchronize_session=False)
    )
    user.password_hash = new_hash
    user.email_verified = True  # the mail reached its owner: the address is proven
    user.revoke_all_tokens()
    db.session.commit()


# --- e-mail verification ------------------------------------------------------------------


def add_verification(user: User) -> str:
    """Add (not commit) a verification token for ``user``'s address; return its text.

    Added to the transaction that registers the user or changes the address, so the token
    exists exactly when the change does; ``send_verification`` mails it after the commit.
    """
    lifetime = int(current_app.config["EMAIL_VERIFICATION_EXPIRES"])
    return _new_token(user, AccountToken.VERIFY, lifetime)[1]


def send_verification(email: str, username: str, token: str) -> None:
    """Queue the verification mail (after the commit that stored the token)."""
    mail.submit(_send_verification, email, username, token)


def _send_verification(email: str, username: str, token: str) -> None:
    mail.send(
        email,
        "Confirm your e-mail address",
        f"Confirm that {email} is the address of the account {username!r} by opening:\n\n"
        f"{_link('verify-email', token)}\n",
    )


def verify_email(token: str) -> None:
    """Mark the address the token was mailed to as verified."""
    _row, user = _spend(token, AccountToken.VERIFY)
    user.email_verified = True
    db.session.commit()
