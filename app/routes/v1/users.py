"""v1 users: register, list, show."""

import sqlalchemy as sa
from flask import Blueprint

from ... import limits
from ...accounts import register_user
from ...models import User
from ...pagination import paginate
from ...permissions import get_or_404
from ...schemas import (
    private_user_schema,
    user_create_schema,
    user_schema,
    v1_page_args_schema,
)
from .face import api

bp = Blueprint("users", __name__)


@bp.post("/users")
@limits.register
@api.body(
    user_create_schema, require=("username", "password"), missing="Missing username or password"
)
@api.response(private_user_schema, 201)
def create_user(data):
    """Register a user."""
    return register_user(data)


@bp.get("/users")
@api.query(v1_page_args_schema)
@api.response(user_schema, envelope="users", page=True)
def list_users(args):
    """List users' public profiles, a page at a time."""
    return paginate(sa.select(User).order_by(User.id), limit=args["limit"], offset=args["offset"])


@bp.get("/users/<id:user_id>")
@api.response(user_schema)
def get_user(user_id):
    """Show one user's public profile."""
    return get_or_404(User, user_id, "User not found")
