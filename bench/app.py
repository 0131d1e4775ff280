"""Gunicorn app factories for the benchmark.

``create_bench_app()`` is the real ``app.create_app()`` plus one bare ``jsonify`` route, so the
baseline is served by the same app, extensions and gunicorn config as the protected routes.
``create_fjwt_app()`` adds the same profile route written the usual flask-jwt-extended way
(``jwt_required`` + ``user_lookup_loader`` + ``token_in_blocklist_loader``: two queries), for
comparison. Neither is imported by the application itself.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, jsonify

from app import create_app
from app.extensions import db
from app.models import RevokedToken, User
from app.schemas import private_user_schema


def create_bench_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = create_app(None, overrides)

    @app.get("/bench/bare")
    def bench_bare():
        return jsonify({"status": "ok"})

    return app


def create_fjwt_app(overrides: dict[str, Any] | None = None) -> Flask:
    from flask_jwt_extended import JWTManager, current_user, jwt_required

    app = create_bench_app(overrides)
    jwt = JWTManager(app)

    @jwt.user_lookup_loader
    def load_user(_header: dict[str, Any], payload: dict[str, Any]) -> User | None:
        return db.session.get(User, int(payload["sub"]))

    @jwt.token_in_blocklist_loader
    def is_revoked(_header: dict[str, Any], payload: dict[str, Any]) -> bool:
        stmt = sa.select(sa.exists().where(RevokedToken.jti == payload["jti"]))
        return bool(db.session.scalar(stmt))

    @app.get("/bench/fjwt/me")
    @jwt_required()
    def fjwt_me():
        return jsonify(private_user_schema.dump(current_user))

    return app


def fjwt_token(app: Flask, user_id: int) -> str:
    """Mint an access token the flask-jwt-extended route accepts (same secret)."""
    from flask_jwt_extended import create_access_token

    with app.app_context():
        return create_access_token(identity=str(user_id))
