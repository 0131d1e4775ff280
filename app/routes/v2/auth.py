"""v2 token lifecycle: login, refresh (rotation), logout, logout-all."""

from flask import Blueprint, g

from ... import limits, sessions
from ...errors import Invalid
from ...schemas import TokenPairSchema, login_schema, logout_schema, refresh_schema
from .face import api

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
@limits.login
@api.body(login_schema)
@api.response(TokenPairSchema(), description="Send `username` or `email`, and `password`.")
@api.other_responses(401, credentials=True)
def login(creds):
    """Exchange a username (or e-mail) and password for an access + refresh token pair."""
    identifier = creds.get("username") or creds.get("email")
    if not identifier:
        raise Invalid({"username": ["Missing username or email."]})
    return sessions.login(identifier, creds["password"], by_email="username" not in creds)


@bp.post("/refresh")
@api.body(refresh_schema)
@api.response(
    TokenPairSchema(),
    description="A refresh token works once; presenting a used one again logs the user "
    "out everywhere.",
)
@api.other_responses(401)
def refresh(data):
    """Spend a refresh token for a new pair; the old refresh token is revoked."""
    return sessions.rotate_refresh_token(data["refresh_token"])


@bp.post("/logout")
@api.auth()
@api.body(logout_schema, required=False)
@api.response(None, 204)
def logout(data):
    """Revoke the access token and, when given, the refresh token."""
    sessions.logout(data.get("refresh_token"))


@bp.post("/logout-all")
@api.auth()
@api.response(None, 204)
def logout_all():
    """Invalidate every token of the caller, on every device."""
    sessions.logout_all(g.current_user)
