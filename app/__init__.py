"""The blog API: ``create_app`` is the table of contents."""

from __future__ import annotations

import logging
import os
import select
import time
import warnings
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, request
from flask.sessions import SessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter

from . import limits, search
from .config import DEV_SECRET, KNOWN_DEFAULT_SECRETS, MIN_SECRET_LENGTH, Config, config_map
from .extensions import cors, db, ma, migrate


def create_app(
    config_class: type[Config] | str | None = None, overrides: Mapping[str, Any] | None = None
) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config_class, overrides)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_observability(app)
    register_commands(app)
    return app


def load_config(
    app: Flask, config_class: type[Config] | str | None, overrides: Mapping[str, Any] | None
) -> None:
    if config_class is None or isinstance(config_class, str):
        name = config_class or os.getenv("FLASK_ENV", "development").strip() or "development"
        if name not in config_map:
            raise RuntimeError(f"FLASK_ENV must be one of {', '.join(config_map)}, got {name!r}")
        config_class = config_map[name]
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    app.json.sort_keys = False  # type: ignore[attr-defined]  # schemas define the order
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # Only the default SQLite file needs the instance folder; with DATABASE_URL set the
        # app must start from a read-only install (site-packages) too.
        os.makedirs(app.instance_path, exist_ok=True)
        path = os.path.join(app.instance_path, "blog.db")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    check_secrets(app)
    check_password_hashing(app)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app))


def check_secrets(app: Flask) -> None:
    """Refuse to run production on a missing, default or short key; warn in development."""
    production = app.config.get("ENV_NAME") == "production"
    for name in ("SECRET_KEY", "JWT_SECRET_KEY"):
        value = app.config.get(name)
        if name == "JWT_SECRET_KEY" and not value:
            continue  # falls back to SECRET_KEY, checked above
        weak = not value or value in KNOWN_DEFAULT_SECRETS or len(value) < MIN_SECRET_LENGTH
        if weak and production:
            raise RuntimeError(
                f"{name} is missing, a known default or shorter than {MIN_SECRET_LENGTH} "
                f"characters; set {name} to a long random value, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if weak and name == "SECRET_KEY" and not app.config.get("TESTING"):
            warnings.warn(
                "SECRET_KEY is not set to a strong value; using an insecure development key. "
                "Never run like this in production.",
                RuntimeWarning,
                stacklevel=2,
            )
            app.config["SECRET_KEY"] = DEV_SECRET


#: OWASP's minimum for Argon2id: 19 MiB of memory and 2 passes (argon2-cffi's defaults,
#: RFC 9106's low-memory profile of 64 MiB, 3 passes and 4 lanes, are well above it).
ARGON2_MIN_MEMORY_KIB = 19 * 1024
ARGON2_MIN_TIME_COST = 2


def check_password_hashing(app: Flask) -> None:
    """Warn loudly when production hashes below the OWASP minimum.

    A warning, not a refusal: the contract makes the parameters configurable, and an
    operator may knowingly trade strength for speed (a test harness, a tiny machine).
    """
    if app.config.get("ENV_NAME") != "production":
        return
    memory, passes = app.config.get("ARGON2_MEMORY_COST"), app.config.get("ARGON2_TIME_COST")
    if (memory and int(memory) < ARGON2_MIN_MEMORY_KIB) or (
        passes and int(passes) < ARGON2_MIN_TIME_COST
    ):
        warnings.warn(
            f"Argon2 parameters below the OWASP minimum: ARGON2_MEMORY_COST should be at "
            f"least {ARGON2_MIN_MEMORY_KIB} (KiB) and ARGON2_TIME_COST at least "
            f"{ARGON2_MIN_TIME_COST}; leave both unset for argon2-cffi's defaults",
            RuntimeWarning,
            stacklevel=2,
        )


def engine_options(app: Flask) -> dict[str, Any]:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000}}
    return {
        "pool_pre_ping": not app.config["DB_POOL_PING_IDLE_SECONDS"],
        "pool_size": app.config["DB_POOL_SIZE"],
        "max_overflow": app.config["DB_MAX_OVERFLOW"],
        "pool_recycle": 1800,
    }


class NoCookieSession(SessionInterface):
    """No Flask cookie session: the API keeps its state in tokens and rows, never in
    ``flask.session``. Flask's default opened (and verified) a signed cookie on every request
    and considered saving one on every answer; here ``flask.session`` is Flask's NullSession,
    which refuses writes, so nothing can come to depend on it by accident."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None  # Flask then makes the null session

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def register_extensions(app: Flask) -> None:
    app.session_interface = NoCookieSession()
    db.init_app(app)
    ma.init_app(app)
    # The search index (app.search) is not in the model metadata: keep compares off it.
    migrate.init_app(app, db, render_as_batch=True, include_name=search.include_name)
    limits.bind(app)
    origins = app.config["CORS_ORIGINS"]
    # "*" (the development default) answers a literal "*" and never allows credentials; a
    # configured list echoes the matching origin exactly and allows credentials (the refresh
    # cookie) for those origins only, so credentials are never combined with "*".
    wildcard = "*" in origins
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": "*" if wildcard else origins}} if origins else {},
        send_wildcard=wildcard,
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Idempotency-Key",
            "If-Match",
            "If-None-Match",
            "X-Request-ID",
            "X-CSRF-Token",
        ],
        expose_headers=["Location", "Link", "Retry-After", "ETag", "X-Request-ID"],
        supports_credentials=bool(origins) and not wildcard,
        max_age=600,
    )
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1
        )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas(app))
        else:
            sa.event.listen(db.engine, "connect", _postgresql_settings)
            if app.config["DB_POOL_PING_IDLE_SECONDS"]:
                ping_idle_connections(db.engine, float(app.config["DB_POOL_PING_IDLE_SECONDS"]))


def ping_idle_connections(engine: sa.Engine, idle_seconds: float) -> None:
    """Replace a dead pooled connection before a statement uses it, without a round trip
    on the hot path.

    A connection that sat unused for ``idle_seconds`` is pinged (``SELECT 1``) before use:
    a firewall or failover may have dropped it without a word. Any other connection costs
    one non-blocking ``poll()`` of its socket: between transactions the server sends
    nothing, so a readable socket means it said goodbye (restart, ``pg_terminate_backend``,
    failover of a proxy) and the ping then confirms it. A dead one is replaced (the pool
    retries the checkout on a fresh connection), so the first request after a restart
    succeeds. What neither catches — a connection that dies silently, without the server
    closing it, in the idle window — fails its first statement with a 503, and SQLAlchemy
    then invalidates the whole pool.
    """

    @sa.event.listens_for(engine, "checkin")
    def stamp(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None:
            return  # just connected
        if time.monotonic() - since <= idle_seconds and not _peer_spoke(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError("stale pooled connection") from exc


def _peer_spoke(dbapi_connection: Any) -> bool:
    """True when the server sent something (or hung up) on an idle connection."""
    try:
        fd = dbapi_connection.fileno()
    except Exception:
        return True  # closed already
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _sqlite_pragmas(app: Flask):
    busy_ms = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Foreign keys for ON DELETE CASCADE; WAL + busy timeout so several gunicorn
        # workers can write the same file without "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _postgresql_settings(dbapi_connection: Any, _record: Any) -> None:
    # No JIT compilation: it is chosen by a plan's estimated cost, not its work, and a
    # search's word lookup is estimated past jit_above_cost at a million posts (its never-run
    # branch for a rare word sorts every match), where compiling took 50-60 ms for a
    # statement that runs in 0.5 ms. No statement of this API runs long enough to gain.
    cursor = dbapi_connection.cursor()
    cursor.execute("SET jit = off")
    cursor.close()
    dbapi_connection.commit()


class IdConverter(BaseConverter):
    """Any integer in a path; out-of-range ids reach the view and are simply not found."""

    regex = r"-?[0-9]{1,30}"  # not \d: int() would read "\u0663" (Arabic-Indic 3) as 3
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


def register_url_converters(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from .routes import docs, feeds, health, realworld, v1, v2

    app.register_blueprint(health.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(v1.bp)
    app.register_blueprint(v2.bp)
    app.register_blueprint(realworld.bp)
    docs.register(app)
    if app.config["SERVE_FRONTEND"]:
        from .routes import frontend

        app.register_blueprint(frontend.bp)


def register_error_handlers(app: Flask) -> None:
    from .errors import register_error_handlers as register

    register(app)
    logging.getLogger("app").setLevel(logging.INFO)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        present = {name.lower() for name in headers.keys()}  # one pass, not one per header
        if "x-content-type-options" in present:
            headers["X-Content-Type-Options"] = "nosniff"
        else:
            headers.add("X-Content-Type-Options", "nosniff")
        # Nothing here is meant to be framed: not the API, not /docs, not the frontend.
        if "x-frame-options" not in present:
            headers.add("X-Frame-Options", "DENY")
        if request.path.startswith("/api/"):
            # API answers are per-user and may carry tokens: never let a cache keep them
            # (Pragma for HTTP/1.0 caches).
            if "cache-control" not in present:
                headers.add("Cache-Control", "no-store")
            if "pragma" not in present:
                headers.add("Pragma", "no-cache")
        return response


def register_observability(app: Flask) -> None:
    from . import metrics, requestlog

    requestlog.register(app)
    app.register_blueprint(metrics.bp)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
