"""v1 login, logout and the current user."""

from flask import Blueprint, g, jsonify

from ... import auth
from ...body import json_object, load
from ...errors import APIError
from ...responses import tokens
from ...schemas import login_schema, private_user_schema

bp = Blueprint("auth", __name__)


@bp.post("/login")
@auth.login_rate_limit
def login():
    """Exchange a username (or e-mail) and password for tokens."""
    data = json_object()
    if not (data.get("username") or data.get("email")) or not data.get("password"):
        raise APIError(400, "Missing username or password", "missing_fields")
    creds = load(login_schema, data)
    identifier = creds.get("username") or creds.get("email") or ""
    user = auth.login(identifier, creds["password"], by_email="username" not in creds)
    pair = auth.issue_token_pair(user)
    return tokens({"token": pair["access_token"], **pair})


@bp.post("/logout")
@auth.login_required
def logout():
    """Revoke the access token used for this request."""
    auth.logout()
    return jsonify({"message": "Successfully logged out"})


@bp.get("/me")
@auth.login_required
def me():
    """Show the caller's own profile, e-mail and admin flag included."""
    return jsonify(private_user_schema.dump(g.current_user))
