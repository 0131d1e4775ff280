"""v1 login, logout and the current user."""

from flask import Blueprint, g

from ... import limits, sessions
from ...schemas import MessageSchema, V1TokenSchema, login_schema, private_user_schema
from .face import api

bp = Blueprint("auth", __name__)


@bp.post("/login")
@limits.login
@api.body(
    login_schema,
    require=(("username", "email"), "password"),
    missing="Missing username or password",
)
@api.response(V1TokenSchema(), description="Send `username` or `email`, and `password`.")
@api.other_responses(401, credentials=True)
def login(creds):
    """Exchange a username (or e-mail) and password for tokens."""
    identifier = creds.get("username") or creds.get("email") or ""
    pair = sessions.login(identifier, creds["password"], by_email="username" not in creds)
    return {"token": pair["access_token"], **pair}


@bp.post("/logout")
@api.auth()
@api.response(MessageSchema())
def logout():
    """Revoke the access token used for this request."""
    sessions.logout()
    return {"message": "Successfully logged out"}


@bp.get("/me")
@api.auth()
@api.response(private_user_schema)
def me():
    """Show the caller's own profile, e-mail and admin flag included."""
    return g.current_user
