"""The refresh token as a cookie, for browsers, and the CSRF token that guards it.

With ``"cookie": true`` at login or refresh the refresh token travels as cookie
``refresh_token`` (``HttpOnly``: out of JavaScript's reach; ``SameSite=Strict`` and
``Path=/api/v2/auth``: sent to nothing else; ``Secure`` outside development) and the body
carries a ``csrf_token`` instead. Whoever spends the cookie (refresh, logout) must send that
token back in ``X-CSRF-Token``: a cross-site page makes the browser send the cookie but
cannot read the token. It is an HMAC of the session id under the signing key, so it is
bound to one session, the same in every tab of it, survives rotations, needs no storage,
and is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import Response, current_app, jsonify, request

from .errors import CSRFFailed
from .tokens import SESSION

COOKIE = "refresh_token"
CSRF_HEADER = "X-CSRF-Token"
COOKIE_PATH = "/api/v2/auth"


def csrf_token(sid: int) -> str:
    """The CSRF token of session ``sid``."""
    cfg = current_app.config
    key = (cfg.get("JWT_SECRET_KEY") or cfg["SECRET_KEY"]).encode()
    return hmac.new(key, f"csrf-token:{sid}".encode(), hashlib.sha256).hexdigest()


def check_csrf(sid: int) -> None:
    """403 ``csrf_failed`` unless ``X-CSRF-Token`` is the CSRF token of session ``sid``."""
    sent = request.headers.get(CSRF_HEADER, "").strip().encode("utf-8", "replace")
    if not hmac.compare_digest(sent, csrf_token(sid).encode()):
        raise CSRFFailed("Missing or wrong CSRF token", headers={"Vary": "Cookie"})


def cookie_token() -> str | None:
    """The refresh token in the request's cookie, or None."""
    return request.cookies.get(COOKIE) or None


def answer(pair: dict[str, Any], *, cookie: bool) -> dict[str, Any] | Response:
    """The login or refresh answer: the pair as it is (body mode), or the access token and
    the session's CSRF token with the refresh token set as the cookie."""
    if not cookie:
        return pair
    body = {
        "access_token": pair["access_token"],
        "token_type": pair["token_type"],
        "expires_in": pair["expires_in"],
        "csrf_token": csrf_token(pair[SESSION]),
    }
    response = jsonify(body)
    response.set_cookie(
        COOKIE,
        pair["refresh_token"],
        max_age=max(0, int(pair["refresh_expires_in"])),
        path=COOKIE_PATH,
        secure=bool(current_app.config["REFRESH_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )
    return response


def clear(response: Response) -> Response:
    """Expire the refresh cookie on ``response`` (logout)."""
    response.delete_cookie(
        COOKIE,
        path=COOKIE_PATH,
        secure=bool(current_app.config["REFRESH_COOKIE_SECURE"]),
        httponly=True,
        samesite="Strict",
    )
    return response
