"""v2 users and the caller's own account (``/me``)."""

import sqlalchemy as sa
from flask import Blueprint, g

from ...accounts import delete_user, register_user, require_current_password, update_user
from ...models import User
from ...pagination import paginate
from ...permissions import ensure_admin, get_or_404
from ...queries import post_list
from ...schemas import (
    me_update_schema,
    page_args_schema,
    password_confirm_schema,
    post_list_args_schema,
    post_schema,
    private_user_schema,
    user_create_schema,
    user_schema,
)
from .face import api

bp = Blueprint("users", __name__)


def _sees_private(user=None):
    """Admins and the user themself see e-mail and the admin flag; others the public profile."""
    viewer = g.current_user
    return viewer is not None and (viewer.is_admin or (user is not None and viewer.id == user.id))


def _user_view(user):
    return private_user_schema if _sees_private(user) else user_schema


def _users_view(_page):
    return private_user_schema if _sees_private() else user_schema


@bp.post("/users")
@api.idempotent()
@api.body(user_create_schema)
@api.response(private_user_schema, 201, location=("v2.users.get_user", "user_id"))
@api.other_responses(409)
def create_user(data):
    """Register a user."""
    return register_user(data)


@bp.get("/users")
@api.auth(optional=True)
@api.query(page_args_schema)
@api.response(private_user_schema, page=True, select=_users_view)
def list_users(args):
    """List users, a page at a time."""
    stmt = sa.select(User).order_by(User.id)
    return paginate(stmt, limit=args["limit"], offset=args["offset"])


@bp.get("/users/<id:user_id>")
@api.auth(optional=True)
@api.response(private_user_schema, select=_user_view, etag=True)
def get_user(user_id):
    """Show one user."""
    return get_or_404(User, user_id, "User not found")


@bp.get("/users/<id:user_id>/posts")
@api.auth(optional=True)
@api.query(post_list_args_schema)
@api.response(post_schema, page=True)
def list_user_posts(args, user_id):
    """List one user's posts; their drafts too when they ask themselves."""
    user = get_or_404(User, user_id, "User not found")
    return post_list(g.current_user, args, author_id=user.id)


@bp.delete("/users/<id:user_id>")
@api.auth()
@api.response(None, 204)
@api.other_responses(403)
def delete_any_user(user_id):
    """Delete a user with their posts and todos (admins only)."""
    ensure_admin(g.current_user)
    delete_user(get_or_404(User, user_id, "User not found"))


@bp.get("/me")
@api.auth()
@api.response(private_user_schema, etag=True)
def get_me():
    """Show the caller's own account."""
    return g.current_user


@bp.patch("/me")
@api.auth()
@api.body(me_update_schema)
@api.response(private_user_schema)
@api.other_responses(409)
def update_me(data):
    """Change username, e-mail or password (the last two need ``current_password``)."""
    update_user(g.current_user, data)
    return g.current_user


@bp.delete("/me")
@api.auth()
@api.body(password_confirm_schema, required=False)
@api.response(None, 204)
def delete_me(data):
    """Delete the caller's account with all their posts and todos."""
    # No body at all is the same as a body without current_password: 422 naming the field.
    require_current_password(g.current_user, data)
    delete_user(g.current_user)
