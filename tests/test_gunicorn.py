"""The production way to serve the app: ``gunicorn "app:create_app()"`` with gunicorn.conf.py."""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .servers import ROOT, free_port, migrate, serve

SECRET = "gunicorn-test-secret-key-0123456789abcdef"

pytestmark = pytest.mark.slow


def server_env(tmp_path, **extra):
    env = {
        **os.environ,
        "FLASK_ENV": "production",
        "SECRET_KEY": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'blog.db'}",
        "WEB_CONCURRENCY": "1",
        "PORT": str(free_port()),
        **extra,
    }
    return {k: v for k, v in env.items() if v is not None}


def get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture
def gunicorn(tmp_path):
    """A gunicorn started from the repository root with its config file; yields its URL."""
    env = server_env(tmp_path)
    migrate(env)
    log_path = tmp_path / "gunicorn.log"
    port = int(env["PORT"])  # gunicorn.conf.py binds to it
    with serve(["app:create_app()"], cwd=ROOT, env=env, log_path=log_path, port=port) as url:
        yield url


def test_gunicorn_serves_the_app_with_json_answers(gunicorn):
    status, headers, body = get(gunicorn + "/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}

    status, headers, body = get(gunicorn + "/api/v2/me")
    assert status == 401
    assert json.loads(body)["message"] == "Missing token"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_a_100kb_bearer_token_gets_the_json_401_not_gunicorns_html_400(gunicorn):
    status, headers, body = get(
        gunicorn + "/api/v2/me", headers={"Authorization": "Bearer " + "a" * 100_000}
    )

    assert status == 401
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "error": "Unauthorized",
        "message": "Invalid token",
        "code": "token_invalid",
    }


def test_gunicorn_refuses_to_start_production_without_a_secret(tmp_path):
    # Empty, not unset: a developer's .env must not fill the gap (python-dotenv never
    # overrides a variable that is present).
    env = server_env(tmp_path, SECRET_KEY="", JWT_SECRET_KEY="")

    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "app:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr
