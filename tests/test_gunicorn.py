"""The production way to serve the app: ``gunicorn "app:create_app()"`` with gunicorn.conf.py."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECRET = "gunicorn-test-secret-key-0123456789abcdef"

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = open(tmp_path / "gunicorn.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "app:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        for _ in range(150):
            try:
                if get(url + "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


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
