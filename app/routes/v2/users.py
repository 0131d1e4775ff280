"""v2 users, profiles and following, and the caller's own account (``/me``)."""

from flask import Blueprint, g

from ... import limits, queries
from ...accounts import delete_user, register_user, require_current_password, update_user
from ...models import User
from ...permissions import ensure_admin, get_or_404
from ...schemas import (
    blog_post_list_schema,
    me_update_schema,
    page_args_schema,
    password_confirm_schema,
    post_list_args_schema,
    private_profile_schema,
    profile_schema,
    user_create_schema,
)
from .face import api

bp = Blueprint("users", __name__)


def _sees_private(user=None):
    """Admins and the user themself see e-mail and the admin flag; others the public profile."""
    viewer = g.current_user
    return viewer is not None and (viewer.is_admin or (user is not None and viewer.id == user.id))


def _profile_view(user):
    return private_profile_schema if _sees_private(user) else profile_schema


def _profiles_view(_page):
    return private_profile_schema if _sees_private() else profile_schema


@bp.post("/users")
@limits.register
@api.idempotent()
@api.body(user_create_schema)
@api.response(private_profile_schema, 201, location=("v2.users.get_user", "user_id"))
@api.other_responses(409)
def create_user(data):
    """Register a user."""
    return register_user(data)  # a new user: no follows yet, nothing to read back


@bp.get("/users")
@api.auth(optional=True)
@api.query(page_args_schema)
@api.response(private_profile_schema, page=True, select=_profiles_view)
def list_users(args):
    """List users, a page at a time."""
    return queries.profile_page(g.current_user, args)


@bp.get("/users/<id:user_id>")
@api.auth(optional=True)
@api.response(private_profile_schema, select=_profile_view, etag=True)
def get_user(user_id):
    """Show one user's profile."""
    return queries.profile_by_id(g.current_user, user_id)


@bp.get("/users/by-username/<username>")
@api.auth(optional=True)
@api.response(private_profile_schema, select=_profile_view)
def get_user_by_username(username):
    """Show the profile of the user called ``username`` (case-insensitive)."""
    return queries.profile_by_username(g.current_user, username)


@bp.get("/users/<id:user_id>/posts")
@api.auth(optional=True)
@api.query(post_list_args_schema)
@api.response(blog_post_list_schema, page=True)
def list_user_posts(args, user_id):
    """List one user's posts; their drafts too when they ask themselves."""
    user = get_or_404(User, user_id, "User not found")
    return queries.post_list(g.current_user, args, author_id=user.id)


@bp.put("/users/<id:user_id>/follow")
@api.auth()
@api.response(profile_schema)
@api.other_responses(422)
def follow_user(user_id):
    """Follow a user (following twice changes nothing; yourself is 422)."""
    queries.follow(g.current_user, get_or_404(User, user_id, "User not found"))
    return queries.profile_by_id(g.current_user, user_id)


@bp.delete("/users/<id:user_id>/follow")
@api.auth()
@api.response(profile_schema)
def unfollow_user(user_id):
    """Stop following a user (not following already changes nothing)."""
    queries.unfollow(g.current_user, get_or_404(User, user_id, "User not found"))
    return queries.profile_by_id(g.current_user, user_id)


@bp.get("/users/<id:user_id>/followers")
@api.auth(optional=True)
@api.query(page_args_schema)
@api.response(profile_schema, page=True)
def list_followers(args, user_id):
    """List who follows a user, most recent first."""
    user = get_or_404(User, user_id, "User not found")
    return queries.followers_page(g.current_user, user, args)


@bp.get("/users/<id:user_id>/following")
@api.auth(optional=True)
@api.query(page_args_schema)
@api.response(profile_schema, page=True)
def list_following(args, user_id):
    """List whom a user follows, most recent first."""
    user = get_or_404(User, user_id, "User not found")
    return queries.following_page(g.current_user, user, args)


@bp.delete("/users/<id:user_id>")
@api.auth()
@api.response(None, 204)
@api.other_responses(403)
def delete_any_user(user_id):
    """Delete a user with their posts, todos and follows (admins only)."""
    ensure_admin(g.current_user)
    delete_user(get_or_404(User, user_id, "User not found"))


@bp.get("/me")
@api.auth()
@api.response(private_profile_schema, etag=True)
def get_me():
    """Show the caller's own account."""
    return queries.profile_by_id(g.current_user, g.current_user.id)


@bp.patch("/me")
@api.auth()
@api.body(me_update_schema)
@api.response(private_profile_schema)
@api.other_responses(409, 429)
def update_me(data):
    """Change username, e-mail, password, bio or image (e-mail and password need
    ``current_password``)."""
    update_user(g.current_user, data)
    return queries.profile_by_id(g.current_user, g.current_user.id)


@bp.delete("/me")
@api.auth()
@api.body(password_confirm_schema, required=False)
@api.response(None, 204)
@api.other_responses(429)
def delete_me(data):
    """Delete the caller's account with all their posts and todos."""
    # No body at all is the same as a body without current_password: 422 naming the field.
    require_current_password(g.current_user, data)
    delete_user(g.current_user)
