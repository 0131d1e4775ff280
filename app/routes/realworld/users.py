"""RealWorld users: register, log in, the current user and its settings."""

from typing import Any

from flask import Blueprint, current_app, g

from ... import limits, sessions
from ...accounts import register_user, update_user
from ...auth import bearer_token
from ...extensions import db
from ...models import User
from ...tokens import ACCESS, encode_token
from .face import api
from .schemas import login_request, new_user_request, update_user_request, user_response

bp = Blueprint("users", __name__)


def issue_token(user_id: int, version: int) -> dict[str, Any]:
    """A new session and its access token of ``REALWORLD_TOKEN_EXPIRES`` seconds: RealWorld
    frontends keep one token and never refresh. It is an ordinary access token (every
    claim, revocation, token version, its session), so a v2 logout-all, a password change
    or ending its session in v2 ends it too."""
    lifetime = int(current_app.config["REALWORLD_TOKEN_EXPIRES"])
    session = sessions.start_session(user_id, version, refresh=False)
    token = encode_token(user_id, version, ACCESS, sid=session.id, lifetime=lifetime)
    return {"user_id": user_id, "token": token}


def signed_in(user: User, token: str) -> dict[str, Any]:
    return {"user": {**_fields(user), "token": token}}


def _fields(user: User) -> dict[str, Any]:
    return {"email": user.email, "username": user.username, "bio": user.bio, "image": user.image}


@bp.post("/users/login")
@limits.login
@api.body(login_request)
@api.response(user_response)
@api.other_responses(401, credentials=True)
def login(data):
    """Log in with e-mail and password; the answer carries the token."""
    creds = data["user"]
    issued = sessions.login(creds["email"], creds["password"], by_email=True, issue=issue_token)
    return signed_in(db.session.get(User, issued["user_id"]), issued["token"])


@bp.post("/users")
@limits.register
@api.body(new_user_request)
@api.response(user_response, 201)
def register(data):
    """Register; the answer carries a token, as if the new user had logged in."""
    user = register_user(data["user"])
    return signed_in(user, issue_token(user.id, user.token_version)["token"])


@bp.get("/user")
@api.auth()
@api.response(user_response)
def current_user():
    """Show the signed-in user with the token they sent."""
    return signed_in(g.current_user, bearer_token(api.schemes))


@bp.put("/user")
@api.auth()
@api.body(update_user_request)
@api.response(user_response)
def update_current_user(data):
    """Change e-mail, username, password, bio or image; a new password ends every other
    session and the answer carries a fresh token."""
    user = g.current_user
    update_user(user, data["user"], confirm=False)
    token = bearer_token(api.schemes)
    if "password" in data["user"]:
        db.session.refresh(user)
        token = issue_token(user.id, user.token_version)["token"]
    return signed_in(user, token)
