"""JWT: signing and verifying this project's tokens — the one place PyJWT is called.

Access and refresh tokens are HS256 JWTs signed with ``JWT_SECRET_KEY`` (or ``SECRET_KEY``),
decoded with a pinned algorithm and a ``require`` list. Only what can never change for a
given token string (its signature and claim shapes) is remembered between requests
(``_Verifier``); its time claims are checked again on every use, and revocation, the user
and the token version are read from the database by ``app.auth`` on every request.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any

import jwt
from flask import current_app

from .errors import Unauthorized
from .models import ID_MAX

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
REQUIRED_CLAIMS = ["sub", "jti", "iat", "nbf", "exp", "type", "ver", "sid"]
#: The session a token belongs to (``app.models.UserSession``): ending it ends the token.
SESSION = "sid"
#: On access tokens: the jti of the refresh token issued with it (absent on older tokens).
PAIRED_REFRESH = "rjti"

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


class AuthError(Unauthorized):
    """A 401 with the contract's message, code and ``WWW-Authenticate`` header."""

    def __init__(self, kind: tuple[str, str], *, token_sent: bool = True) -> None:
        message, code = kind
        if token_sent:
            challenge = f'Bearer error="invalid_token", error_description="{message}"'
        else:
            challenge = "Bearer"
        super().__init__(message, code, headers={"WWW-Authenticate": challenge})


def _secret() -> str:
    cfg = current_app.config
    return cfg.get("JWT_SECRET_KEY") or cfg["SECRET_KEY"]


def _now() -> datetime:
    return datetime.now(UTC)


# --- issuing ------------------------------------------------------------------------------


def encode_token(
    user_id: int,
    version: int,
    token_type: str,
    *,
    sid: int,
    now: datetime | None = None,
    lifetime: int | None = None,
    jti: str | None = None,
    refresh_jti: str | None = None,
) -> str:
    """Sign a token of ``token_type`` for user ``user_id`` at token ``version``, in session
    ``sid``.

    ``lifetime`` (seconds) replaces the configured one for its type. ``refresh_jti``: on an
    access token, the jti of the refresh token issued with it (claim ``rjti``), so that
    logging out with the access token ends the pair.
    """
    cfg = current_app.config
    now = now or _now()
    if lifetime is None:
        lifetime = (
            cfg["JWT_ACCESS_TOKEN_EXPIRES"]
            if token_type == ACCESS
            else cfg["JWT_REFRESH_TOKEN_EXPIRES"]
        )
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "jti": jti or uuid.uuid4().hex,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(seconds=int(lifetime)),
        "type": token_type,
        "ver": version,
        SESSION: sid,
    }
    if refresh_jti is not None:
        claims[PAIRED_REFRESH] = refresh_jti
    if cfg.get("JWT_ISSUER"):
        claims["iss"] = cfg["JWT_ISSUER"]
    if cfg.get("JWT_AUDIENCE"):
        claims["aud"] = cfg["JWT_AUDIENCE"]
    return jwt.encode(claims, _secret(), algorithm=ALGORITHM)


def issue_token_pair(
    user_id: int,
    version: int,
    sid: int,
    refresh_jti: str,
    refresh_issued_at: int,
) -> dict[str, Any]:
    """Return a fresh access token and the refresh token ``refresh_jti`` of session ``sid``,
    as the login and refresh answers carry them.

    The refresh token is whatever the session row says is current (its jti and issue time,
    ``app.sessions``): built again from them, it is the same token, so that a refresh inside
    the reuse grace can answer the pair the first refresh answered.
    """
    issued = datetime.fromtimestamp(refresh_issued_at, UTC)
    access = encode_token(user_id, version, ACCESS, sid=sid, refresh_jti=refresh_jti)
    refresh = encode_token(user_id, version, REFRESH, sid=sid, now=issued, jti=refresh_jti)
    lifetime = int(current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"]),
        # For the refresh cookie (app.refresh_cookie); the answer schemas leave them out.
        SESSION: sid,
        "refresh_expires_in": refresh_issued_at + lifetime - int(time.time()),
    }


def new_jti() -> str:
    return uuid.uuid4().hex


# --- verifying ----------------------------------------------------------------------------


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
    """``jwt.decode`` and the claim shape checks, remembering the tokens that passed them.

    A token string that verified once verifies again for as long as the key and options
    stay the same (signature and claim shapes never change), so its claims are kept in a
    small per-process LRU and re-used. Only successes are kept, keyed on the whole token
    string. What does change is checked again on every use: the time claims here, the
    token's type in ``decode_token``, and revocation, the session, the user and the token
    version in the database (``load_token_user``).
    """

    MAX_TOKENS = 4096

    def __init__(self, cfg: Any) -> None:
        kwargs = _decode_options(cfg)
        self.leeway = kwargs["leeway"]
        self.verified = lru_cache(maxsize=self.MAX_TOKENS)(partial(self._decode, kwargs))

    @staticmethod
    def _decode(kwargs: dict[str, Any], token: str) -> tuple[dict[str, Any], int, int]:
        if len(token) > MAX_TOKEN_LENGTH or not _TOKEN_RE.fullmatch(token):
            raise AuthError(INVALID)
        claims = jwt.decode(token, **kwargs)
        if not _well_formed(claims, audience=kwargs["audience"]):
            raise AuthError(INVALID)
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
    try:
        claims = _verifier()(token)
    except AuthError:
        raise
    except jwt.ExpiredSignatureError:
        raise AuthError(EXPIRED) from None
    except Exception:  # every PyJWT error, and json/int/recursion oddities inside it
        raise AuthError(INVALID) from None
    if claims.get("type") != expected_type:
        raise AuthError(INVALID)
    return claims


def _well_formed(claims: dict[str, Any], *, audience: Any) -> bool:
    """The claims' shapes, which depend on nothing but the token and the settings."""
    sub, jti, ver, sid = (claims.get(k) for k in ("sub", "jti", "ver", SESSION))
    return not (
        # PyJWT lets an empty ``aud`` through when no audience is configured; we do not.
        ("aud" in claims and not audience)
        or not isinstance(sub, str)
        or not _SUB_RE.fullmatch(sub)
        or int(sub) > ID_MAX
        or not isinstance(jti, str)
        or not _JTI_RE.fullmatch(jti)
        or not isinstance(ver, int)
        or isinstance(ver, bool)
        or type(sid) is not int
        or not 0 < sid <= ID_MAX
        or (PAIRED_REFRESH in claims and not _is_jti(claims[PAIRED_REFRESH]))
        or not all(_is_timestamp(claims[name]) for name in ("iat", "nbf", "exp"))
    )


def _is_jti(value: Any) -> bool:
    return isinstance(value, str) and _JTI_RE.fullmatch(value) is not None


def _is_timestamp(value: Any) -> bool:
    return type(value) is int and 0 <= value <= MAX_TIMESTAMP
