"""``/api/v1``: the seeds' API, with their shapes and messages."""

from flask import Blueprint

from . import auth, posts, todos, users

bp = Blueprint("v1", __name__, url_prefix="/api/v1")
bp.register_blueprint(users.bp)
bp.register_blueprint(auth.bp)
bp.register_blueprint(posts.bp)
bp.register_blueprint(todos.bp)
