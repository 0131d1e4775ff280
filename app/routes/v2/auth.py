"""v2 token lifecycle: login, refresh (rotation), logout, logout-all, password reset and
e-mail verification."""

from flask import Blueprint, g

from ... import account_mail, limits, refresh_cookie, sessions
from ...errors import Invalid
from ...faces import no_content
from ...schemas import (
    MessageSchema,
    SessionTokensSchema,
    logout_schema,
    password_reset_confirm_schema,
    password_reset_request_schema,
    refresh_schema,
    session_login_schema,
    verify_email_schema,
)
from ...tokens import REFRESH, SESSION, decode_token
from .face import api

bp = Blueprint("auth", __name__, url_prefix="/auth")

RESET_REQUESTED = (
    "If an account has this address, a mail with a link to reset its password is on its way."
)


@bp.post("/login")
@limits.login
@api.body(session_login_schema)
@api.response(
    SessionTokensSchema(),
    description="Send `username` or `email`, and `password`; `cookie: true` for the refresh "
    "cookie. Each login starts a session (`GET /me/sessions`).",
)
@api.other_responses(401, credentials=True)
def login(creds):
    """Exchange a username (or e-mail) and password for an access + refresh token pair."""
    identifier = creds.get("username") or creds.get("email")
    if not identifier:
        raise Invalid({"username": ["Missing username or email."]})
    pair = sessions.login(identifier, creds["password"], by_email="username" not in creds)
    return refresh_cookie.answer(pair, cookie=creds["cookie"])


@bp.post("/refresh")
@api.body(refresh_schema, required=False)
@api.response(
    SessionTokensSchema(),
    description="A refresh token works once; presented again within "
    "`JWT_REFRESH_REUSE_GRACE` seconds it answers the same session's pair, later it logs "
    "the user out everywhere. Without `refresh_token` the cookie is spent (send "
    "`X-CSRF-Token`).",
)
@api.other_responses(401, 403)
def refresh(data):
    """Spend a refresh token for a new pair of its session; the old one is revoked."""
    token = data.get("refresh_token")
    from_cookie = token is None
    if from_cookie:
        token = refresh_cookie.cookie_token()
        if token is None:
            raise Invalid({"refresh_token": ["Missing data for required field."]})
    claims = decode_token(token, REFRESH)
    if from_cookie:
        refresh_cookie.check_csrf(claims[SESSION])  # before anything changes
    pair = sessions.rotate_refresh_token(token, claims)
    return refresh_cookie.answer(pair, cookie=from_cookie or data["cookie"])


@bp.post("/logout")
@api.auth()
@api.body(logout_schema, required=False)
@api.response(None, 204, description="Ends the session; clears the refresh cookie.")
@api.other_responses(403)
def logout(data):
    """End this session: revoke the access token and the refresh token (given, or the
    cookie's, which then needs `X-CSRF-Token`)."""
    if "refresh_token" not in data and refresh_cookie.cookie_token() is not None:
        refresh_cookie.check_csrf(g.token_claims[SESSION])
    sessions.logout(data.get("refresh_token"))
    return refresh_cookie.clear(no_content())


@bp.post("/logout-all")
@api.auth()
@api.response(None, 204)
def logout_all():
    """End every session of the caller: every token is invalid, on every device."""
    sessions.logout_all(g.current_user)
    return refresh_cookie.clear(no_content())


@bp.post("/password-reset")
@limits.login
@api.body(password_reset_request_schema)
@api.response(
    MessageSchema(),
    202,
    description="The same answer whether the address is known or not; a known one gets a "
    "mail with a single-use link (`token=…`).",
)
def request_password_reset(data):
    """Mail a password-reset link to the account with this address, if there is one."""
    account_mail.request_reset(data["email"])
    return {"message": RESET_REQUESTED}


@bp.post("/password-reset/confirm")
@limits.login
@api.body(password_reset_confirm_schema)
@api.response(None, 204, description="Every session of the user ends.")
@api.other_responses(400)
def confirm_password_reset(data):
    """Set a new password with the token of a reset mail."""
    account_mail.reset_password(data["token"], data["password"])


@bp.post("/verify-email")
@limits.login
@api.body(verify_email_schema)
@api.response(None, 204, description="`email_verified` is true from now on.")
@api.other_responses(400)
def verify_email(data):
    """Confirm an e-mail address with the token of a verification mail."""
    account_mail.verify_email(data["token"])
