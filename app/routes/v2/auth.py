"""v2 token lifecycle: login, refresh (rotation), logout, logout-all."""

from flask import Blueprint, g

from ... import auth
from ...body import load, optional_json_object
from ...errors import validation_error
from ...responses import no_content, tokens
from ...schemas import login_schema, logout_schema, refresh_schema

bp = Blueprint("auth", __name__, url_prefix="/auth")


@bp.post("/login")
@auth.login_rate_limit
def login():
    """Exchange a username (or e-mail) and password for an access + refresh token pair."""
    creds = load(login_schema)
    identifier = creds.get("username") or creds.get("email")
    if not identifier:
        raise validation_error({"username": ["Missing username or email."]})
    user = auth.login(identifier, creds["password"], by_email="username" not in creds)
    return tokens(auth.issue_token_pair(user))


@bp.post("/refresh")
def refresh():
    """Spend a refresh token for a new pair; the old refresh token is revoked."""
    return tokens(auth.rotate_refresh_token(load(refresh_schema)["refresh_token"]))


@bp.post("/logout")
@auth.login_required
def logout():
    """Revoke the access token and, when given, the refresh token."""
    body = load(logout_schema, optional_json_object())
    auth.logout(body.get("refresh_token"))
    return no_content()


@bp.post("/logout-all")
@auth.login_required
def logout_all():
    """Invalidate every token of the caller, on every device."""
    auth.logout_all(g.current_user)
    return no_content()
