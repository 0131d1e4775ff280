"""``/api/v2``: the cleaner contract for frontends (paging, 422/409/415, 201 + Location, 204)."""

from flask import Blueprint

from . import auth, posts, todos, users

bp = Blueprint("v2", __name__, url_prefix="/api/v2")
bp.register_blueprint(auth.bp)
bp.register_blueprint(users.bp)
bp.register_blueprint(posts.bp)
bp.register_blueprint(todos.bp)
