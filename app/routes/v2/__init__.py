"""``/api/v2``: the cleaner contract for frontends (paging, 422/409/415, 201 + Location, 204)."""

from . import auth, comments, markdown, posts, sessions, todos, users
from .face import api

bp = api.blueprint
bp.register_blueprint(auth.bp)
bp.register_blueprint(users.bp)
bp.register_blueprint(sessions.bp)
bp.register_blueprint(posts.bp)
bp.register_blueprint(comments.bp)
bp.register_blueprint(markdown.bp)
bp.register_blueprint(todos.bp)
