"""``/api``: the RealWorld ("Conduit") API over the same users, posts, likes and follows."""

from . import articles, profiles, users
from .face import api

bp = api.blueprint
bp.register_blueprint(users.bp)
bp.register_blueprint(profiles.bp)
bp.register_blueprint(articles.bp)
