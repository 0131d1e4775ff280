"""v1 users: register, list, show."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from ...accounts import register_user
from ...body import json_object, load, require_fields
from ...extensions import db
from ...models import User
from ...permissions import get_or_404
from ...schemas import private_user_schema, user_create_schema, user_schema, users_schema

bp = Blueprint("users", __name__)


@bp.post("/users")
def create_user():
    """Register a user."""
    data = json_object()
    require_fields(data, ("username", "password"), "Missing username or password")
    user = register_user(load(user_create_schema, data))
    return jsonify(private_user_schema.dump(user)), 201


@bp.get("/users")
def list_users():
    """List every user's public profile."""
    users = db.session.scalars(sa.select(User).order_by(User.id)).all()
    return jsonify({"users": users_schema.dump(users)})


@bp.get("/users/<id:user_id>")
def get_user(user_id):
    """Show one user's public profile."""
    return jsonify(user_schema.dump(get_or_404(User, user_id, "User not found")))
