"""Configuration classes, selected by ``FLASK_ENV`` (as in seed 001).

The environment is read once, when this module is imported; ``.env`` is loaded first
so that a developer can keep local settings out of the shell.
"""

from __future__ import annotations

import os

from dotenv import load_dotenv

load_dotenv()

#: Secrets that ship in examples and tutorials; production refuses every one of them.
KNOWN_DEFAULT_SECRETS = frozenset(
    {
        "",
        "dev",
        "secret",
        "changeme",
        "change-me",
        "super-secret",
        "default-secret-key",
        "your-very-secret-key",
        "dev-only-insecure-secret-key-change-me-please",
        # .env.example's placeholder: long enough, but public.
        "replace-me-with-a-long-random-value-of-at-least-32-characters",
    }
)
DEV_SECRET = "dev-only-insecure-secret-key-change-me-please"
MIN_SECRET_LENGTH = 32


def env_bool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, got {value!r}") from exc


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.getenv(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


class Config:
    ENV_NAME = "base"
    SECRET_KEY = env_str("SECRET_KEY")
    JWT_SECRET_KEY = env_str("JWT_SECRET_KEY")
    JWT_ACCESS_TOKEN_EXPIRES = env_int("JWT_ACCESS_TOKEN_EXPIRES", 3600)
    JWT_REFRESH_TOKEN_EXPIRES = env_int("JWT_REFRESH_TOKEN_EXPIRES", 30 * 24 * 3600)
    # RealWorld frontends never refresh: /api's token is an access token of this lifetime.
    REALWORLD_TOKEN_EXPIRES = env_int("REALWORLD_TOKEN_EXPIRES", 7 * 24 * 3600)
    JWT_LEEWAY = env_int("JWT_LEEWAY", 0)
    # Seconds after a rotation during which the refresh token it replaced still answers the
    # same session's current pair (two tabs refreshing at once); later reuse is theft.
    JWT_REFRESH_REUSE_GRACE = env_int("JWT_REFRESH_REUSE_GRACE", 10)
    # The refresh cookie (login/refresh with "cookie": true) is Secure outside development.
    REFRESH_COOKIE_SECURE = env_bool("REFRESH_COOKIE_SECURE", True)
    # Seconds a password-reset token (mailed) and an e-mail verification token stay valid.
    PASSWORD_RESET_EXPIRES = env_int("PASSWORD_RESET_EXPIRES", 3600)
    EMAIL_VERIFICATION_EXPIRES = env_int("EMAIL_VERIFICATION_EXPIRES", 7 * 24 * 3600)

    # Mail: "smtp", or "console" (the mail is written to the log instead of sent).
    MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp")
    MAIL_SERVER = env_str("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)  # STARTTLS after connecting
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_FROM = env_str("MAIL_FROM", "Blog <no-reply@localhost>")
    # Seconds an SMTP connect, command or reply may take before the mail is given up.
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    # Mails waiting to be sent per process; past it new ones are dropped (and logged).
    MAIL_QUEUE_MAX = env_int("MAIL_QUEUE_MAX", 100)
    JWT_ISSUER = env_str("JWT_ISSUER")
    JWT_AUDIENCE = env_str("JWT_AUDIENCE")

    # None means "a SQLite file in the instance folder", resolved in create_app.
    SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    DB_POOL_SIZE = env_int("DB_POOL_SIZE", 5)
    DB_MAX_OVERFLOW = env_int("DB_MAX_OVERFLOW", 10)
    # A pooled connection unused for longer than this is pinged before it is handed out
    # (0: ping on every checkout, SQLAlchemy's pool_pre_ping); see app.ping_idle_connections.
    DB_POOL_PING_IDLE_SECONDS = env_int("DB_POOL_PING_IDLE_SECONDS", 10)
    SQLITE_BUSY_TIMEOUT_MS = env_int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # GET /health/ready answers 503 when SQLite's disk has less free space than this (MiB).
    READINESS_MIN_FREE_MB = env_int("READINESS_MIN_FREE_MB", 64)
    # How long a stored Idempotency-Key answer is replayed (seconds; 24 h).
    IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 24 * 3600)
    # Retry-After (seconds) on the 503 answered while the database is unreachable.
    DB_UNAVAILABLE_RETRY_AFTER = env_int("DB_UNAVAILABLE_RETRY_AFTER", 2)

    PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
    PASSWORD_MAX_LENGTH = 1024
    # None means argon2-cffi's own defaults (RFC 9106 low-memory profile).
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 0) or None
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 0) or None
    ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 0) or None

    LOGIN_RATE_LIMIT = env_str("LOGIN_RATE_LIMIT", "10 per minute")
    # Sign-ups per client address (each costs a full Argon2 hash), v1 and v2 together.
    REGISTER_RATE_LIMIT = env_str("REGISTER_RATE_LIMIT", "10 per hour")
    # Creating, changing and deleting posts, per user, v1 and v2 together.
    POST_RATE_LIMIT = env_str("POST_RATE_LIMIT", "30 per minute")
    # Atom feed requests (/feeds) per client address, 304s included.
    FEED_RATE_LIMIT = env_str("FEED_RATE_LIMIT", "60 per minute")
    # Failed password checks (login, current_password) per account, from any address;
    # past it the account's password checks answer 429 until the window has passed.
    ACCOUNT_FAILURE_LIMIT = env_str("ACCOUNT_FAILURE_LIMIT", "10 per 15 minutes")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", "memory://")
    # Off: Flask-Limiter would put Retry-After (and X-RateLimit-*) on every answer of a
    # limited route, a 200 login included; the 429 answer sets Retry-After itself.
    RATELIMIT_HEADERS_ENABLED = False
    # When Redis is unreachable, count in process memory instead of failing logins with 500s.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = env_bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    RATELIMIT_KEY_PREFIX = env_str("RATELIMIT_KEY_PREFIX", "blogapi")
    # Redis connect and read timeout (milliseconds): past it the limiter falls back to memory.
    RATELIMIT_STORAGE_TIMEOUT_MS = env_int("RATELIMIT_STORAGE_TIMEOUT_MS", 250)
    # While on the fallback, try the storage again this often (seconds).
    RATELIMIT_STORAGE_RECHECK_SECONDS = env_int("RATELIMIT_STORAGE_RECHECK_SECONDS", 2)
    # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)

    CORS_ORIGINS = env_list("CORS_ORIGINS", [])
    # Flask's own setting: Host values the app answers (".example.org" for subdomains);
    # any other Host is a JSON 400 before a URL (Location, Link) is built from it.
    # Unset: every host, for development; set it in production.
    TRUSTED_HOSTS = env_list("TRUSTED_HOSTS", []) or None
    # json: one JSON object per log line (request lines included); text: for a terminal.
    LOG_FORMAT = env_str("LOG_FORMAT", "json")
    # GET /metrics (Prometheus); off by default in production, where METRICS_TOKEN should
    # be set too (a scrape then sends Authorization: Bearer <METRICS_TOKEN>).
    METRICS_ENABLED = env_bool("METRICS_ENABLED", True)
    METRICS_TOKEN = env_str("METRICS_TOKEN")
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    SERVE_FRONTEND = env_bool("SERVE_FRONTEND", False)
    # Where the frontend's files are; None means frontend/ next to the app package.
    FRONTEND_DIR = env_str("FRONTEND_DIR")
    # Where readers open the frontend (https://blog.example.org/): the base of the links in
    # mails (never taken from a request; unset: the development server's
    # http://127.0.0.1:5000) and of the post and author links in the Atom feeds (unset: the
    # root of the trusted host the request came to).
    FRONTEND_URL = env_str("FRONTEND_URL")
    # The site's name: the title of the Atom feeds.
    FEED_TITLE = env_str("FEED_TITLE", "Blog")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the debugger is opt-in (flask run --debug); errors stay JSON
    CORS_ORIGINS = env_list("CORS_ORIGINS", ["*"])
    SERVE_FRONTEND = env_bool("SERVE_FRONTEND", True)
    REFRESH_COOKIE_SECURE = env_bool("REFRESH_COOKIE_SECURE", False)
    MAIL_BACKEND = env_str("MAIL_BACKEND", "console")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-0123456789"
    JWT_SECRET_KEY = None
    # Cheap Argon2 so the suite stays fast; production uses the real parameters.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    CORS_ORIGINS = ["http://frontend.test"]
    SERVE_FRONTEND = False
    MAIL_BACKEND = "console"


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    TESTING = False
    METRICS_ENABLED = env_bool("METRICS_ENABLED", False)


config_map: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
