"""RealWorld profiles: show one, follow and unfollow by username."""

from flask import Blueprint, g

from ... import queries
from .face import api
from .schemas import profile_response

bp = Blueprint("profiles", __name__)


def _profile(user):
    return {"profile": user}


@bp.get("/profiles/<username>")
@api.auth(optional=True)
@api.response(profile_response)
@api.other_responses(404)
def get_profile(username):
    """Show a user's profile (``following`` for the signed-in caller)."""
    return _profile(queries.profile_by_username(g.current_user, username))


@bp.post("/profiles/<username>/follow")
@api.auth()
@api.response(profile_response)
@api.other_responses(404, 422)
def follow(username):
    """Follow a user (twice changes nothing)."""
    user = queries.profile_by_username(g.current_user, username)
    queries.follow(g.current_user, user)
    return _profile(queries.profile_by_id(g.current_user, user.id))


@bp.delete("/profiles/<username>/follow")
@api.auth()
@api.response(profile_response)
@api.other_responses(404)
def unfollow(username):
    """Stop following a user."""
    user = queries.profile_by_username(g.current_user, username)
    queries.unfollow(g.current_user, user)
    return _profile(queries.profile_by_id(g.current_user, user.id))
