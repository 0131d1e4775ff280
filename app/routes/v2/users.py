"""v2 users and the caller's own account (``/me``)."""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify

from ...accounts import delete_user, register_user, require_current_password, update_user
from ...auth import auth_optional, login_required
from ...body import load, optional_json_object
from ...models import Post, User
from ...pagination import paginate, query_args
from ...permissions import ensure_admin, get_or_404
from ...responses import created, no_content
from ...schemas import (
    me_update_schema,
    page_args_schema,
    password_confirm_schema,
    post_list_args_schema,
    private_user_schema,
    private_users_schema,
    user_create_schema,
    user_schema,
    users_schema,
)
from .posts import page_of_posts, search

bp = Blueprint("users", __name__)


def _user_schema(viewer, user=None):
    """Admins and the user themself see e-mail and the admin flag; others the public profile."""
    if viewer is not None and (viewer.is_admin or (user is not None and viewer.id == user.id)):
        return private_user_schema if user is not None else private_users_schema
    return user_schema if user is not None else users_schema


@bp.post("/users")
def create_user():
    """Register a user."""
    user = register_user(load(user_create_schema))
    return created(private_user_schema.dump(user), "v2.users.get_user", user_id=user.id)


@bp.get("/users")
@auth_optional
def list_users():
    """List users, a page at a time."""
    args = query_args(page_args_schema)
    stmt = sa.select(User).order_by(User.id)
    return paginate(stmt, _user_schema(g.current_user), limit=args["limit"], offset=args["offset"])


@bp.get("/users/<id:user_id>")
@auth_optional
def get_user(user_id):
    """Show one user."""
    user = get_or_404(User, user_id, "User not found")
    return jsonify(_user_schema(g.current_user, user).dump(user))


@bp.get("/users/<id:user_id>/posts")
@auth_optional
def list_user_posts(user_id):
    """List one user's posts; their drafts too when they ask themselves."""
    user = get_or_404(User, user_id, "User not found")
    args = query_args(post_list_args_schema)
    return page_of_posts(search(args, g.current_user).where(Post.user_id == user.id), args)


@bp.delete("/users/<id:user_id>")
@login_required
def delete_any_user(user_id):
    """Delete a user with their posts and todos (admins only)."""
    ensure_admin(g.current_user)
    delete_user(get_or_404(User, user_id, "User not found"))
    return no_content()


@bp.get("/me")
@login_required
def get_me():
    """Show the caller's own account."""
    return jsonify(private_user_schema.dump(g.current_user))


@bp.patch("/me")
@login_required
def update_me():
    """Change username, e-mail or password (the last two need ``current_password``)."""
    update_user(g.current_user, load(me_update_schema))
    return jsonify(private_user_schema.dump(g.current_user))


@bp.delete("/me")
@login_required
def delete_me():
    """Delete the caller's account with all their posts and todos."""
    # No body at all is the same as a body without current_password: 422 naming the field.
    require_current_password(g.current_user, load(password_confirm_schema, optional_json_object()))
    delete_user(g.current_user)
    return no_content()
