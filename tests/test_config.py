"""Configuration: FLASK_ENV picks the class, production refuses weak keys, SQLite pragmas."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
import sqlalchemy as sa

from app import create_app
from app.config import (
    DEV_SECRET,
    DevelopmentConfig,
    ProductionConfig,
    TestingConfig,
    env_int,
)
from app.extensions import db

from .helpers import PASSWORD

STRONG = "k3Y-" + "s" * 40
ROOT = Path(__file__).resolve().parent.parent


def env_example_value(name: str) -> str:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1].strip()
    raise AssertionError(f"{name} not in .env.example")


def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'config.db'}"


def production(tmp_path, **overrides):
    return create_app(
        ProductionConfig,
        {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path), "SECRET_KEY": STRONG, **overrides},
    )


WEAK_KEYS = {
    "missing": None,
    "empty": "",
    "tutorial-default": "default-secret-key",
    "seed-env": "your-very-secret-key",
    "dev-default": DEV_SECRET,
    "31-chars": "x" * 31,
    "env-example": env_example_value("SECRET_KEY"),
}


@pytest.mark.parametrize("key", WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
def test_production_refuses_a_weak_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError) as excinfo:
        production(tmp_path, SECRET_KEY=key)

    assert str(excinfo.value).startswith("SECRET_KEY ")
    assert "set SECRET_KEY" in str(excinfo.value)


@pytest.mark.parametrize(
    "key", [k for k in WEAK_KEYS.values() if k], ids=[n for n, k in WEAK_KEYS.items() if k]
)
def test_production_refuses_a_weak_jwt_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError) as excinfo:
        production(tmp_path, JWT_SECRET_KEY=key)

    assert str(excinfo.value).startswith("JWT_SECRET_KEY ")


def test_production_starts_with_a_strong_key(tmp_path):
    app = production(tmp_path)

    assert app.config["ENV_NAME"] == "production"
    assert app.config["SECRET_KEY"] == STRONG
    assert app.debug is False and app.testing is False


def test_production_signs_tokens_with_jwt_secret_key_when_set(tmp_path):
    jwt_key = "j" * 48
    app = production(tmp_path, JWT_SECRET_KEY=jwt_key, RATELIMIT_ENABLED=False)
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.post("/api/v1/users", json={"username": "alice", "password": PASSWORD})

    token = client.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}).json[
        "token"
    ]

    assert jwt.decode(token, jwt_key, algorithms=["HS256"])["sub"] == "1"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, STRONG, algorithms=["HS256"])


def test_development_falls_back_to_a_dev_key_with_a_warning(tmp_path):
    with pytest.warns(RuntimeWarning, match="SECRET_KEY"):
        app = create_app(
            DevelopmentConfig,
            {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path), "SECRET_KEY": None},
        )

    assert app.config["SECRET_KEY"] == DEV_SECRET


@pytest.mark.parametrize(
    "env,expected",
    [("testing", "testing"), ("production", "production"), ("development", "development")],
)
def test_flask_env_selects_the_config_class(monkeypatch, tmp_path, env, expected):
    monkeypatch.setenv("FLASK_ENV", env)
    overrides = {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path), "SECRET_KEY": STRONG}

    app = create_app(None, overrides)

    assert app.config["ENV_NAME"] == expected
    assert app.testing is (expected == "testing")


def test_flask_env_defaults_to_development(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_ENV", raising=False)

    app = create_app(None, {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path), "SECRET_KEY": STRONG})

    assert app.config["ENV_NAME"] == "development"


def test_unknown_flask_env_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_ENV", "staging")

    with pytest.raises(RuntimeError, match="FLASK_ENV"):
        create_app(None, {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path)})


def test_config_class_by_name(tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path)})

    assert app.config["ENV_NAME"] == "testing"


def test_non_integer_setting_names_the_variable(monkeypatch):
    monkeypatch.setenv("JWT_LEEWAY", "ten")

    with pytest.raises(RuntimeError, match="JWT_LEEWAY"):
        env_int("JWT_LEEWAY", 0)


def test_token_lifetime_is_configurable(app_factory):
    app = app_factory(JWT_ACCESS_TOKEN_EXPIRES=60)
    client = app.test_client()
    client.post("/api/v1/users", json={"username": "alice", "password": PASSWORD})

    body = client.post("/api/v1/login", json={"username": "alice", "password": PASSWORD}).json

    assert body["expires_in"] == 60
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 60


# --- SQLite connections -------------------------------------------------------------------


def test_sqlite_connections_enforce_foreign_keys_wal_and_busy_timeout(tmp_path):
    app = create_app(
        TestingConfig,
        {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path), "SQLITE_BUSY_TIMEOUT_MS": 4321},
    )

    with app.app_context():
        db.create_all()
        pragma = lambda name: db.session.execute(sa.text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("foreign_keys") == 1
        assert pragma("journal_mode").lower() == "wal"
        assert pragma("busy_timeout") == 4321
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.text(
                    "INSERT INTO posts (title, content, published, user_id, created_at, "
                    "updated_at) VALUES ('t', 'c', 1, 999, '2026-01-01', '2026-01-01')"
                )
            )
            db.session.flush()
        db.session.rollback()


def test_deleting_a_user_cascades_on_sqlite(tmp_path):
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path)})
    with app.app_context():
        db.create_all()
        db.session.execute(
            sa.text(
                "INSERT INTO users (username, username_key, password_hash, is_admin, "
                "token_version, created_at) VALUES ('a', 'a', 'x', 0, 0, '2026-01-01')"
            )
        )
        db.session.execute(
            sa.text(
                "INSERT INTO posts (title, slug, content, content_html, published, user_id, "
                "created_at, updated_at) VALUES ('t', 't', 'c', 'c', 1, 1, '2026-01-01', "
                "'2026-01-01')"
            )
        )
        for statement in (
            "INSERT INTO post_slugs (slug, post_id, created_at) VALUES ('t', 1, '2026-01-01')",
            "INSERT INTO comments (post_id, user_id, content, content_html, created_at, "
            "updated_at) VALUES (1, 1, 'c', 'c', '2026-01-01', '2026-01-01')",
            "INSERT INTO likes (user_id, post_id, created_at) VALUES (1, 1, '2026-01-01')",
        ):
            db.session.execute(sa.text(statement))
        db.session.execute(sa.text("DELETE FROM users WHERE id = 1"))
        db.session.commit()

        for table in ("posts", "post_slugs", "comments", "likes"):
            count = db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
            assert count == 0, table


def test_starts_without_a_writable_instance_folder_when_a_database_url_is_set(
    monkeypatch, tmp_path
):
    def read_only(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr("os.makedirs", read_only)

    app = production(tmp_path)

    assert app.config["SQLALCHEMY_DATABASE_URI"] == sqlite_url(tmp_path)


def test_default_database_is_a_sqlite_file_in_the_instance_folder():
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": None})

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/blog.db"
    assert Path(app.instance_path).is_dir()


def test_settings_come_from_the_environment(tmp_path):
    """A fresh process: every documented variable lands in the config of the chosen class."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "FLASK_ENV": "production",
        "SECRET_KEY": STRONG,
        "JWT_SECRET_KEY": "j" * 40,
        "DATABASE_URL": sqlite_url(tmp_path),
        "JWT_ACCESS_TOKEN_EXPIRES": "60",
        "JWT_REFRESH_TOKEN_EXPIRES": "600",
        "JWT_LEEWAY": "5",
        "JWT_ISSUER": "https://issuer.example",
        "JWT_AUDIENCE": "blog",
        "PASSWORD_MIN_LENGTH": "12",
        "ARGON2_TIME_COST": "2",
        "LOGIN_RATE_LIMIT": "5 per minute",
        "RATELIMIT_ENABLED": "false",
        "RATELIMIT_STORAGE_URI": "memory://",
        "CORS_ORIGINS": "https://a.example, https://b.example",
        "MAX_CONTENT_LENGTH": "2048",
    }
    script = (
        "import json; from app import create_app; c = create_app().config; "
        "print(json.dumps({k: c[k] for k in ("
        "'ENV_NAME', 'SECRET_KEY', 'JWT_SECRET_KEY', 'SQLALCHEMY_DATABASE_URI', "
        "'JWT_ACCESS_TOKEN_EXPIRES', 'JWT_REFRESH_TOKEN_EXPIRES', 'JWT_LEEWAY', 'JWT_ISSUER', "
        "'JWT_AUDIENCE', 'PASSWORD_MIN_LENGTH', 'ARGON2_TIME_COST', 'LOGIN_RATE_LIMIT', "
        "'RATELIMIT_ENABLED', 'RATELIMIT_STORAGE_URI', 'CORS_ORIGINS', 'MAX_CONTENT_LENGTH')}))"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "ENV_NAME": "production",
        "SECRET_KEY": STRONG,
        "JWT_SECRET_KEY": "j" * 40,
        "SQLALCHEMY_DATABASE_URI": sqlite_url(tmp_path),
        "JWT_ACCESS_TOKEN_EXPIRES": 60,
        "JWT_REFRESH_TOKEN_EXPIRES": 600,
        "JWT_LEEWAY": 5,
        "JWT_ISSUER": "https://issuer.example",
        "JWT_AUDIENCE": "blog",
        "PASSWORD_MIN_LENGTH": 12,
        "ARGON2_TIME_COST": 2,
        "LOGIN_RATE_LIMIT": "5 per minute",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CORS_ORIGINS": ["https://a.example", "https://b.example"],
        "MAX_CONTENT_LENGTH": 2048,
    }


def test_production_refuses_to_start_from_the_environment_with_a_weak_key(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "FLASK_ENV": "production",
        "SECRET_KEY": "short",
        "DATABASE_URL": sqlite_url(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "RuntimeError: SECRET_KEY is missing, a known default or shorter than 32" in (
        result.stderr
    )


def config_in_a_fresh_process(tmp_path, env: dict[str, str]) -> dict:
    """create_app().config and gunicorn.conf.py's settings in a new process with ``env`` only."""
    script = (
        "import json, runpy; from app import create_app; "
        f"c = create_app().config; g = runpy.run_path({str(ROOT / 'gunicorn.conf.py')!r}); "
        "print(json.dumps({'app': {k: c[k] for k in c if k.isupper()}, "
        "'gunicorn': {k: g[k] for k in ('bind', 'workers', 'loglevel', 'forwarded_allow_ips')}}, "
        "default=str, sort_keys=True))"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_env_example_copied_as_is_changes_no_default(tmp_path):
    """The README says: copy .env.example to .env. Doing so must leave every default as it is
    (the frontend on in development, one gunicorn worker with memory:// counters, …): the
    example documents the variables, it does not set a second value for any of them."""
    from dotenv import dotenv_values

    example = {k: v for k, v in dotenv_values(ROOT / ".env.example").items() if v is not None}
    assert example["FLASK_ENV"] == "development"

    assert config_in_a_fresh_process(tmp_path, example) == config_in_a_fresh_process(
        tmp_path, {"FLASK_ENV": "development"}
    )
