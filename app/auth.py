"""Tokens and authentication: the one place JWT lives.

Access and refresh tokens are HS256 JWTs signed with ``JWT_SECRET_KEY`` (or ``SECRET_KEY``).
Every protected request decodes the Bearer token with a pinned algorithm and a ``require``
list, then runs one SQL statement that loads the user and tests the revocation table
together, so a logout or password change on any worker is seen by the next request.
Only what can never change for a given token string (its signature and claim shapes) is
remembered between requests; docs/performance.md has the measurements behind each choice.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial, wraps
from typing import Any, TypeVar

import jwt
import sqlalchemy as sa
from flask import Flask, current_app, g, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from .errors import APIError
from .extensions import db, make_limiter
from .models import ID_MAX, RevokedToken, User, username_key
from .passwords import burn_dummy_verify

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
REQUIRED_CLAIMS = ["sub", "jti", "iat", "nbf", "exp", "type", "ver"]

MISSING = ("Missing token", "token_missing")
INVALID = ("Invalid token", "token_invalid")
EXPIRED = ("Token has expired", "token_expired")
REVOKED = ("Token has been revoked", "token_revoked")

# Our tokens are a few hundred bytes; anything far larger is rejected before decoding.
MAX_TOKEN_LENGTH = 4096
_SUB_RE = re.compile(r"[1-9][0-9]{0,9}")
_JTI_RE = re.compile(r"[0-9a-f]{32}")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*")
# Our tokens carry whole seconds; anything past year 9999 cannot become a datetime.
MAX_TIMESTAMP = 253_402_300_799
_VERIFIER_KEY = "blogapi.token_verifier"

F = TypeVar("F", bound=Callable[..., Any])


class AuthError(APIError):
    """A 401 with the contract's message, code and ``WWW-Authenticate`` header."""

    def __init__(self, kind: tuple[str, str], *, token_sent: bool = True) -> None:
        message, code = kind
        if token_sent:
            challenge = f'Bearer error="invalid_token", error_description="{message}"'
        else:
            challenge = "Bearer"
        super().__init__(401, message, code, headers={"WWW-Authenticate": challenge})


def _secret() -> str:
    cfg = current_app.config
    return cfg.get("JWT_SECRET_KEY") or cfg["SECRET_KEY"]


def _now() -> datetime:
    return datetime.now(UTC)


# --- issuing ------------------------------------------------------------------------------


def encode_token(user: User, token_type: str, *, now: datetime | None = None) -> str:
    """Sign a token of ``token_type`` for ``user`` carrying every required claim."""
    cfg = current_app.config
    now = now or _now()
    lifetime = (
        cfg["JWT_ACCESS_TOKEN_EXPIRES"]
        if token_type == ACCESS
        else cfg["JWT_REFRESH_TOKEN_EXPIRES"]
    )
    claims: dict[str, Any] = {
        "sub": str(user.id),
        "jti": uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=int(lifetime)),
        "type": token_type,
        "ver": user.token_version or 0,
    }
    if cfg.get("JWT_ISSUER"):
        claims["iss"] = cfg["JWT_ISSUER"]
    if cfg.get("JWT_AUDIENCE"):
        claims["aud"] = cfg["JWT_AUDIENCE"]
    return jwt.encode(claims, _secret(), algorithm=ALGORITHM)


def issue_token_pair(user: User) -> dict[str, Any]:
    """Return a fresh access + refresh token pair, as the login and refresh answers carry it."""
    return {
        "access_token": encode_token(user, ACCESS),
        "refresh_token": encode_token(user, REFRESH),
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]),
    }


# --- reading ------------------------------------------------------------------------------


def bearer_token() -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _decode_options(cfg: Any) -> dict[str, Any]:
    """The keyword arguments of ``jwt.decode`` for this app's configuration."""
    return {
        "key": _secret(),
        "algorithms": [ALGORITHM],
        "leeway": int(cfg.get("JWT_LEEWAY") or 0),
        "issuer": cfg.get("JWT_ISSUER") or None,
        "audience": cfg.get("JWT_AUDIENCE") or None,
        "options": {
            "require": REQUIRED_CLAIMS
            + (["iss"] if cfg.get("JWT_ISSUER") else [])
            + (["aud"] if cfg.get("JWT_AUDIENCE") else []),
            "verify_signature": True,
            "verify_exp": True,
            "verify_nbf": True,
            "verify_iat": True,
            "verify_aud": True,
            "verify_iss": True,
            "verify_sub": True,
            "verify_jti": True,
        },
    }


class _Verifier:
    """``jwt.decode`` with this app's options, remembering the tokens that passed it.

    A token string that verified once verifies again for as long as the key and options
    stay the same (signature and claim shapes never change), so its claims are kept in a
    small per-process LRU and re-used. Only successes are kept, keyed on the whole token
    string. What does change is checked again on every use: the time claims here, and
    revocation, the user and the token version in the database (``load_token_user``).
    """

    MAX_TOKENS = 4096

    def __init__(self, cfg: Any) -> None:
        kwargs = _decode_options(cfg)
        self.leeway = kwargs["leeway"]
        self.verified = lru_cache(maxsize=self.MAX_TOKENS)(partial(self._decode, kwargs))

    @staticmethod
    def _decode(kwargs: dict[str, Any], token: str) -> tuple[dict[str, Any], int, int]:
        claims = jwt.decode(token, **kwargs)
        # PyJWT compared int() of these; keep the same numbers for the re-checks.
        return claims, int(claims["exp"]), max(int(claims["nbf"]), int(claims["iat"]))

    def __call__(self, token: str) -> dict[str, Any]:
        claims, exp, not_before = self.verified(token)
        now = time.time()
        if exp <= now - self.leeway:
            raise jwt.ExpiredSignatureError("Signature has expired")
        if not_before > now + self.leeway:
            raise jwt.ImmatureSignatureError("The token is not yet valid")
        return dict(claims)


def _verifier() -> _Verifier:
    """This app's verifier; a new one (and an empty memo) whenever the JWT settings change."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cfg = app.config
    settings = (_secret(), cfg.get("JWT_LEEWAY"), cfg.get("JWT_ISSUER"), cfg.get("JWT_AUDIENCE"))
    current = app.extensions.get(_VERIFIER_KEY)
    if current is None or current[0] != settings:
        current = app.extensions[_VERIFIER_KEY] = (settings, _Verifier(cfg))
    return current[1]


def decode_token(token: str, expected_type: str) -> dict[str, Any]:
    """Verify ``token`` and its claims; raise AuthError for any failure whatsoever."""
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN_RE.fullmatch(token):
        raise AuthError(INVALID)
    try:
        claims = _verifier()(token)
    except jwt.ExpiredSignatureError:
        raise AuthError(EXPIRED) from None
    except Exception:  # every PyJWT error, and json/int/recursion oddities inside it
        raise AuthError(INVALID) from None
    sub, jti, ver = claims.get("sub"), claims.get("jti"), claims.get("ver")
    if (
        claims.get("type") != expected_type
        # PyJWT lets an empty ``aud`` through when no audience is configured; we do not.
        or ("aud" in claims and not current_app.config.get("JWT_AUDIENCE"))
        or not isinstance(sub, str)
        or not _SUB_RE.fullmatch(sub)
        or int(sub) > ID_MAX
        or not isinstance(jti, str)
        or not _JTI_RE.fullmatch(jti)
        or not isinstance(ver, int)
        or isinstance(ver, bool)
        or not all(_is_timestamp(claims[name]) for name in ("iat", "nbf", "exp"))
    ):
        raise AuthError(INVALID)
    return claims


def _is_timestamp(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_TIMESTAMP


# One statement per protected request: the user's row and "is this jti revoked?" together.
# It is a Core SELECT on the users table, not an ORM one: an ORM load sets up result
# metadata and row processors for every execution, which cost more than the query itself;
# the row becomes the session's User in ``_persistent_user`` instead. Measurements in
# docs/performance.md.
_USERS = User.__table__
_USER_AND_REVOKED = sa.select(
    *_USERS.c,
    sa.exists().where(RevokedToken.jti == sa.bindparam("jti")).correlate(None).label("revoked"),
).where(_USERS.c.id == sa.bindparam("uid"))
_USER_MAPPER = User.__mapper__
_USER_ATTRIBUTES = tuple(_USER_MAPPER.get_property_by_column(c).key for c in _USERS.c)


def _persistent_user(values: dict[str, Any]) -> User:
    """Return the session's User for a freshly read users row, without a second query.

    ``make_transient_to_detached`` marks the values as loaded (no pending changes) and
    ``add`` puts the object in the identity map, so views can read and change it exactly
    as if the ORM had loaded it; relationships load lazily when touched.
    """
    session = db.session()
    user = session.identity_map.get(_USER_MAPPER.identity_key_from_primary_key([values["id"]]))
    if user is None:
        user = _USER_MAPPER.class_manager.new_instance()
        user.__dict__.update(values)
        make_transient_to_detached(user)
        session.add(user)
    return user  # type: ignore[return-value]


def _read_committed_row(stmt: sa.Select, params: dict[str, Any]) -> sa.Row | None:
    """Run the auth SELECT on its own pooled connection, outside the session's transaction.

    It sees the latest commit, and it is cheaper than a read through the session: no
    session transaction to set up and roll back, and on PostgreSQL (autocommit) no BEGIN
    and ROLLBACK round trips, so psycopg keeps the statement prepared (it forgets prepared
    statements at every ROLLBACK). pysqlite begins no transaction for a SELECT anyway.
    """
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn.execute(stmt, params).first()


def load_token_user(claims: dict[str, Any]) -> tuple[User, bool]:
    """Return the token's user (checked against ``ver``) and whether its jti is revoked."""
    row = _read_committed_row(_USER_AND_REVOKED, {"uid": int(claims["sub"]), "jti": claims["jti"]})
    if row is None or row.token_version != claims["ver"]:
        raise AuthError(INVALID)
    values = dict(zip(_USER_ATTRIBUTES, row, strict=False))
    return _persistent_user(values), bool(row.revoked)


def authenticate(token: str, expected_type: str = ACCESS) -> tuple[User, dict[str, Any]]:
    """Decode and check ``token`` completely; return its user and claims or raise AuthError."""
    claims = decode_token(token, expected_type)
    user, revoked = load_token_user(claims)
    if revoked:
        raise AuthError(REVOKED)
    return user, claims


def login_required(view: F) -> F:
    """Require a valid access token; the user lands in ``g.current_user``."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if token is None:
            raise AuthError(MISSING, token_sent=False)
        g.current_user, g.token_claims = authenticate(token)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def auth_optional(view: F) -> F:
    """Accept an access token when one is sent (it must then be valid), or none at all."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        g.current_user, g.token_claims = authenticate(token) if token else (None, None)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


# --- login, logout, refresh ---------------------------------------------------------------


_LOGIN_RATE_LIMITED = "_login_rate_limited"
RATE_LIMITED_MESSAGE = "Too many login attempts; try again later"


def login_rate_limit(view: F) -> F:
    """Put a login view under ``LOGIN_RATE_LIMIT``: one budget per client address, shared
    by every view so marked (v1 and v2 login). The app binds it in ``register_login_rate_limit``.
    """
    setattr(view, _LOGIN_RATE_LIMITED, True)
    return view


def register_login_rate_limit(app: Flask) -> None:
    """Give ``app`` its own Limiter and wrap every view marked with ``login_rate_limit``."""
    if not app.config.get("RATELIMIT_ENABLED"):
        return
    limiter = make_limiter()
    limiter.init_app(app)
    shared = limiter.shared_limit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        scope="login",
        error_message=RATE_LIMITED_MESSAGE,
    )
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, _LOGIN_RATE_LIMITED, False):
            app.view_functions[endpoint] = shared(view)


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


def login(identifier: str, password: str, *, by_email: bool = False) -> User:
    """Return the user for these credentials or raise the same 401 whatever was wrong."""
    user = find_login_user(identifier, by_email)
    if user is None:
        burn_dummy_verify(password)
    elif user.check_password(password):
        db.session.commit()  # persists a rehash when the Argon2 parameters changed
        return user
    # RFC 7235: every 401 carries a challenge, the same one whatever was wrong.
    raise APIError(
        401, "Invalid credentials", "invalid_credentials", headers={"WWW-Authenticate": "Bearer"}
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
    return issue_token_pair(user)


def logout(refresh_token: str | None = None) -> None:
    """Revoke the current access token and, when given, the caller's refresh token.

    The refresh token is checked before anything is written, so a bad one changes nothing;
    an expired one is already dead and is skipped. It is revoked before the access token:
    should the second write fail, the client's retry still authenticates and finishes.
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
    revoke(g.token_claims)


def logout_all(user: User) -> None:
    user.revoke_all_tokens()
    db.session.commit()
