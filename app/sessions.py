"""Signing in and out: credentials for tokens, refresh rotation, logout, logout-all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.exc import IntegrityError

from . import limits
from .auth import load_token_user
from .errors import Unauthorized
from .extensions import db
from .models import RevokedToken, User, username_key
from .passwords import burn_dummy_verify
from .tokens import (
    EXPIRED,
    INVALID,
    PAIRED_REFRESH,
    REFRESH,
    REVOKED,
    AuthError,
    decode_token,
    issue_token_pair,
)


def find_login_user(identifier: str, by_email: bool) -> User | None:
    """The account ``identifier`` names: by e-mail when the ``email`` field was sent;
    otherwise by username, then by e-mail when it looks like an address.

    Username first: a username may contain "@", and another account registering that
    string as its e-mail must not take over the login of the first.
    """
    if not by_email:
        key = username_key(identifier.strip())
        user = db.session.scalar(sa.select(User).where(User.username_key == key))
        if user is not None or "@" not in identifier:
            return user
    email = identifier.strip().lower()  # stored trimmed and lower-case at registration
    return db.session.scalar(sa.select(User).where(User.email == email))


def _account(identifier: str, by_email: bool, user: User | None) -> str:
    """The key failed logins are counted on: the account, or the name an unknown one was
    asked for (so that the lock looks the same whether the account exists or not)."""
    if user is not None:
        return f"user:{user.id}"
    if by_email or "@" in identifier:
        return f"email:{identifier.strip().lower()}"
    return f"name:{username_key(identifier.strip())}"


def login(
    identifier: str,
    password: str,
    *,
    by_email: bool = False,
    issue: Callable[[int, int], dict[str, Any]] = issue_token_pair,
) -> dict[str, Any]:
    """Return ``issue(user id, token version)`` (a token pair by default) for these
    credentials, or raise the same 401 whatever was wrong."""
    user = find_login_user(identifier, by_email)
    account = _account(identifier, by_email, user)
    limits.check_account(account)  # before the Argon2 work: a locked account costs nothing
    if user is None:
        burn_dummy_verify(password)
    else:
        # Tokens carry the version read together with the hash that was verified, never
        # one read again later: a password change or logout-all that commits after this
        # read bumps the version past them, so they die with everything older.
        user_id, version = user.id, user.token_version
        if user.check_password(password):
            db.session.commit()  # persists a rehash when the Argon2 parameters changed
            return issue(user_id, version)
    limits.account_failed(account)
    # RFC 7235: every 401 carries a challenge, the same one whatever was wrong.
    raise Unauthorized(
        "Invalid credentials", "invalid_credentials", headers={"WWW-Authenticate": "Bearer"}
    )


def revoke(claims: dict[str, Any]) -> bool:
    """Write the token's jti to the revocation table; False when it was already there."""
    db.session.add(
        RevokedToken(
            jti=claims["jti"],
            token_type=claims["type"],
            user_id=int(claims["sub"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def rotate_refresh_token(token: str) -> dict[str, Any]:
    """Spend a refresh token for a new pair; a token spent twice revokes everything."""
    claims = decode_token(token, REFRESH)
    user, revoked = load_token_user(claims)
    if revoked or not revoke(claims):
        # Replay of a used refresh token: assume theft, kill every token of the user.
        # By claims, not ``user.id``: after revoke()'s rollback ``user`` is expired, and
        # reading it again fails if the account was deleted meanwhile.
        user = db.session.get(User, int(claims["sub"]))
        if user is not None:
            user.revoke_all_tokens()
            db.session.commit()
        raise AuthError(REVOKED)
    # The version that was checked, not ``user.token_version`` read after revoke()'s
    # commit: a logout-all, password change or reuse-kill that committed in between has
    # bumped it, and the new pair must die with the token it replaces.
    return issue_token_pair(int(claims["sub"]), claims["ver"])


def _paired_refresh_claims(access: dict[str, Any]) -> dict[str, Any] | None:
    """Revocation claims for the refresh token issued with ``access`` (``rjti``), if any.

    Its expiry is not in the access token; both were issued at ``iat``, so it expires at
    ``iat`` + the refresh lifetime (with a lifetime lowered since, the row outlives it).
    """
    jti = access.get(PAIRED_REFRESH)
    if jti is None:
        return None
    lifetime = int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
    expires = max(int(access["iat"]) + lifetime, int(access["exp"]))
    return {"jti": jti, "type": REFRESH, "sub": access["sub"], "exp": expires}


def logout(refresh_token: str | None = None) -> None:
    """Revoke the current access token, the refresh token issued with it and, when given,
    the caller's refresh token.

    The refresh token is checked before anything is written, so a bad one changes nothing;
    an expired one is already dead and is skipped. Refresh tokens are revoked before the
    access token: should a later write fail, the client's retry still authenticates and
    finishes (revoking a jti twice is harmless).
    """
    refresh_claims = None
    if refresh_token:
        try:
            refresh_claims = decode_token(refresh_token, REFRESH)
        except AuthError as exc:
            if exc.code != EXPIRED[1]:
                raise
        if refresh_claims is not None and refresh_claims["sub"] != g.token_claims["sub"]:
            raise AuthError(INVALID)
    if refresh_claims is not None:
        revoke(refresh_claims)
    paired = _paired_refresh_claims(g.token_claims)
    if paired is not None and (refresh_claims is None or paired["jti"] != refresh_claims["jti"]):
        revoke(paired)
    revoke(g.token_claims)


def logout_all(user: User) -> None:
    user.revoke_all_tokens()
    db.session.commit()
