"""Account rules shared by both versions: registering, changing and deleting users."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from . import account_mail, limits
from .errors import Conflict, Invalid
from .extensions import db
from .models import User, UserSession, username_key
from .passwords import hash_password


def _check_unique(username: str | None, email: str | None, exclude_id: int | None = None) -> None:
    def taken(criterion: Any) -> bool:
        stmt = sa.select(User.id).where(criterion)
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        return db.session.scalar(stmt.limit(1)) is not None

    if username is not None and taken(User.username_key == username_key(username)):
        raise Conflict("Username already exists", "username_taken")
    if email is not None and taken(User.email == email):
        raise Conflict("Email already exists", "email_taken")


def _commit_unique(username: str | None, email: str | None) -> None:
    """Commit; a unique violation from a concurrent request becomes the same duplicate error."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        _check_unique(username, email)
        raise


def register_user(data: dict[str, Any]) -> User:
    """Create the account; with an e-mail address, mail it a verification link."""
    _check_unique(data["username"], data.get("email"))
    user = User(email=data.get("email"))
    user.set_username(data["username"])
    user.set_password(data["password"])
    db.session.add(user)
    token = account_mail.add_verification(user) if user.email else None
    _commit_unique(data["username"], data.get("email"))
    if token is not None:
        account_mail.send_verification(user.email, user.username, token)
    return user


def _incorrect_password() -> Invalid:
    return Invalid({"current_password": ["Incorrect password."]})


def require_current_password(user: User, data: dict[str, Any]) -> str:
    """Check ``current_password``; return the hash it was verified against."""
    password = data.get("current_password")
    if not password:
        raise Invalid({"current_password": ["Required to make this change."]})
    # A password guess like a login: from the same budget, under the same account lock.
    limits.password_attempt()
    limits.check_account(f"user:{user.id}")
    verified = user.password_hash
    if not user.check_password(password, rehash=False):
        limits.account_failed(f"user:{user.id}")
        raise _incorrect_password()
    return verified


def update_user(user: User, data: dict[str, Any], *, confirm: bool = True) -> None:
    """Apply a PATCH to ``user``; e-mail and password changes need the current password
    (unless ``confirm`` is False: the RealWorld face, whose contract has no such field).

    A password change bumps the token version and ends every session: every token issued
    before it, the one that made the change included, becomes invalid. A new e-mail
    address is unverified until the link mailed to it is opened.
    """
    if data.get("email") is not None and data["email"] == user.email:
        data = {k: v for k, v in data.items() if k != "email"}  # unchanged: nothing to confirm
    verified = None
    if confirm and ("email" in data or "password" in data):
        verified = require_current_password(user, data)
    new_username = data.get("username")
    new_email = data["email"] if "email" in data else None
    _check_unique(new_username, new_email, exclude_id=user.id)
    if verified is not None:
        # Only while the hash is still the one verified: of two changes that checked the
        # same current password, the second finds it changed and fails like a wrong one.
        values: dict[str, Any] = {"password_hash": verified}
        if "password" in data:
            values = {
                "password_hash": hash_password(data["password"]),
                "token_version": User.token_version + 1,
            }
        if not user.replace_verified_hash(verified, **values):
            db.session.rollback()
            raise _incorrect_password()
        if "password" in data:
            UserSession.end_all(user.id)
    elif "password" in data:
        # No current password to verify (the RealWorld contract has none): set it outright.
        user.set_password(data["password"])
        user.revoke_all_tokens()
    if new_username is not None:
        user.set_username(new_username)
    token = None
    if "email" in data:
        user.email = data["email"]
        user.email_verified = False
        token = account_mail.add_verification(user) if user.email else None
    for key in ("bio", "image"):
        if key in data:
            setattr(user, key, data[key])
    _commit_unique(new_username, new_email)
    if token is not None:
        account_mail.send_verification(user.email, user.username, token)


def delete_user(user: User) -> None:
    """Delete ``user`` with their posts, todos and follows (ON DELETE CASCADE)."""
    db.session.delete(user)
    db.session.commit()
