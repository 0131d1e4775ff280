"""Signing in and out: credentials for a session and its tokens, refresh rotation (with
a grace for concurrent refreshes), logout, logout-all, and the caller's sessions.

A session (``UserSession``) is one login on one device; every token carries its id
(``sid``) and dies with it. The row also says which refresh token is current: rotation is a
compare-and-set on it, so of two refreshes with the same token exactly one rotates, and
the other (within ``JWT_REFRESH_REUSE_GRACE`` seconds) answers that same session's pair.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy.exc import IntegrityError

from . import limits
from .auth import load_token_user
from .errors import NotFound, Unauthorized
from .extensions import db
from .models import ID_MAX, RevokedToken, User, UserSession, username_key, utcnow
from .models.sessions import USER_AGENT_MAX
from .pagination import Page
from .passwords import burn_dummy_verify
from .tokens import (
    ACCESS,
    EXPIRED,
    INVALID,
    PAIRED_REFRESH,
    REFRESH,
    REVOKED,
    SESSION,
    AuthError,
    decode_token,
    encode_token,
    issue_token_pair,
    new_jti,
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _user_agent() -> str | None:
    """The request's User-Agent as a device label: control characters out, length capped."""
    if not has_request_context():
        return None
    agent = _CONTROL.sub(" ", request.headers.get("User-Agent", "")).strip()
    return agent[:USER_AGENT_MAX] or None


def start_session(user_id: int, version: int, *, refresh: bool = True) -> UserSession:
    """Insert and commit a session of ``user_id`` at the verified token ``version``;
    ``refresh``: with a current refresh token (RealWorld sessions have none)."""
    session = UserSession(user_id=user_id, token_version=version, user_agent=_user_agent())
    if refresh:
        session.refresh_jti, session.refresh_issued_at = new_jti(), int(time.time())
    db.session.add(session)
    db.session.commit()
    return session


def session_access_token(user: User, *, lifetime: int | None = None) -> str:
    """A new session's access token for ``user``, without a refresh token (the benchmark
    and commands that need to call the API as someone)."""
    session = start_session(user.id, user.token_version, refresh=False)
    return encode_token(user.id, user.token_version, ACCESS, sid=session.id, lifetime=lifetime)


def issue_session_pair(user_id: int, version: int) -> dict[str, Any]:
    """Start a session and answer its first access + refresh token pair (``sid`` in both)."""
    session = start_session(user_id, version)
    return issue_token_pair(
        user_id, version, session.id, session.refresh_jti, session.refresh_issued_at
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
    issue: Callable[[int, int], dict[str, Any]] = issue_session_pair,
) -> dict[str, Any]:
    """Return ``issue(user id, token version)`` (a new session's token pair by default)
    for these credentials, or raise the same 401 whatever was wrong."""
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


def rotate_refresh_token(token: str, claims: dict[str, Any] | None = None) -> dict[str, Any]:
    """Spend a refresh token for a new pair of its session.

    The current refresh token rotates (compare-and-set on the session row, committed with
    the old jti's revocation). The one it replaced, presented again within
    ``JWT_REFRESH_REUSE_GRACE`` seconds, answers the session's current pair (two tabs that
    refreshed at once). Any other used refresh token is theft: every token of the user
    dies. A refresh token whose session was ended (signed out from another device) is
    refused and changes nothing.
    """
    claims = claims or decode_token(token, REFRESH)
    _user, revoked, session_live = load_token_user(claims)
    if not revoked and not session_live:
        raise AuthError(REVOKED)
    uid, sid, jti = int(claims["sub"]), claims[SESSION], claims["jti"]
    if not revoked:
        refresh_jti, issued_at = new_jti(), int(time.time())
        moved = db.session.execute(
            sa.update(UserSession)
            .where(UserSession.id == sid, UserSession.user_id == uid)
            .where(UserSession.refresh_jti == jti)
            .values(
                refresh_jti=refresh_jti,
                refresh_issued_at=issued_at,
                previous_refresh_jti=jti,
                rotated_at=utcnow(),
                last_used_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        # revoke() commits the session's move with the old jti's revocation, or neither.
        if moved.rowcount == 1 and revoke(claims):
            # The version that was checked, not one read after the commit: a logout-all or
            # password change that committed in between has bumped it, and the new pair
            # must die with the token it replaces.
            return issue_token_pair(uid, claims["ver"], sid, refresh_jti, issued_at)
        db.session.rollback()
    pair = _pair_within_grace(claims)
    if pair is not None:
        return pair
    # Replay of a used refresh token: assume theft, kill every token of the user.
    user = db.session.get(User, uid)
    if user is not None:
        user.revoke_all_tokens()
        db.session.commit()
    raise AuthError(REVOKED)


def _pair_within_grace(claims: dict[str, Any]) -> dict[str, Any] | None:
    """The session's current pair when ``claims`` is the refresh token it rotated away from
    less than ``JWT_REFRESH_REUSE_GRACE`` seconds ago; else None."""
    grace = int(current_app.config["JWT_REFRESH_REUSE_GRACE"])
    if grace <= 0:
        return None
    uid, sid = int(claims["sub"]), claims[SESSION]
    session = db.session.scalar(
        sa.select(UserSession)
        .where(UserSession.id == sid, UserSession.user_id == uid)
        .execution_options(populate_existing=True)
    )
    if (
        session is None
        or session.previous_refresh_jti != claims["jti"]
        or session.refresh_jti is None
        or session.rotated_at is None
        or session.rotated_at < utcnow() - timedelta(seconds=grace)
    ):
        return None
    return issue_token_pair(
        uid, claims["ver"], sid, session.refresh_jti, int(session.refresh_issued_at or 0)
    )


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
    """End the current session: revoke the current access token, the refresh token issued
    with it and, when given, the caller's refresh token, and delete the session's row.

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
    _delete_session(int(g.token_claims["sub"]), g.token_claims[SESSION])
    revoke(g.token_claims)  # commits the session's end with the access token's revocation


def logout_all(user: User) -> None:
    """End every session of ``user`` and invalidate every token (the version bump)."""
    user.revoke_all_tokens()
    db.session.commit()


# --- the caller's sessions ----------------------------------------------------------------


def _delete_session(user_id: int, sid: int) -> int:
    """Delete session ``sid`` of ``user_id`` (not committed); the number of rows deleted."""
    result = db.session.execute(
        sa.delete(UserSession)
        .where(UserSession.id == sid, UserSession.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _live_sessions(user: User) -> sa.Select:
    # A session started under an older token version (a login that raced a logout-all)
    # has no valid token: it is not live.
    return sa.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.token_version == user.token_version
    )


def session_page(user: User, args: dict[str, Any]) -> Page:
    """The live sessions of ``user``, most recently used first; ``current`` marks the
    caller's own."""
    stmt = _live_sessions(user)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(UserSession.last_used_at.desc(), UserSession.id.desc())
        .limit(args["limit"])
        .offset(args["offset"])
    ).all()
    current = g.token_claims[SESSION]
    for row in rows:
        row.current = row.id == current
    return Page(list(rows), total, args["offset"], args["limit"])


def end_session(user: User, sid: int) -> None:
    """End one session of ``user``: every token it issued is refused from the next request."""
    if not 0 < sid <= ID_MAX or not _delete_session(user.id, sid):
        db.session.rollback()
        raise NotFound("Session not found")
    db.session.commit()
