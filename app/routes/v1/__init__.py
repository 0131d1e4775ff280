"""``/api/v1``: the seeds' API, with their shapes and messages."""

from . import auth, posts, todos, users
from .face import api

bp = api.blueprint
bp.register_blueprint(users.bp)
bp.register_blueprint(auth.bp)
bp.register_blueprint(posts.bp)
bp.register_blueprint(todos.bp)
