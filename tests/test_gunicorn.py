"""The production way to serve the app: ``gunicorn "app:create_app()"`` with gunicorn.conf.py."""

import json
import os
import socket
import subprocess
import sys
import time
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


def raw(url, data, timeout=10):
    """Send ``data`` as it is on a new connection; return (status, headers, body) of the answer."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def assert_json_error(status, headers, body, expected):
    assert status == expected
    assert headers["Content-Type"] == "application/json"
    assert set(json.loads(body)) == {"error", "message", "code"}


def test_a_100kb_header_is_gunicorns_431_in_the_json_error_shape(gunicorn):
    # gunicorn refuses it before the app sees it (limit_request_field_size); the error page
    # it writes is the API's JSON shape, not HTML.
    status, headers, body = get(
        gunicorn + "/api/v2/me", headers={"Authorization": "Bearer " + "a" * 100_000}
    )
    assert_json_error(status, headers, body, 431)
    assert json.loads(body)["error"] == "Request Header Fields Too Large"


def test_a_request_line_over_8_kb_is_a_json_414(gunicorn):
    target = "/api/v2/posts?q=" + "a" * 20_000
    status, headers, body = raw(gunicorn, f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert_json_error(status, headers, body, 414)
    assert "aaaa" not in body.decode()  # nothing of the request is echoed


def test_the_server_header_does_not_name_gunicorn(gunicorn):
    status, headers, _ = get(gunicorn + "/health")
    assert status == 200
    assert "gunicorn" not in headers.get("Server", "").lower()


def test_a_half_sent_request_does_not_block_other_clients(gunicorn):
    host, port = gunicorn.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as slow:
        slow.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # and nothing more
        time.sleep(0.5)
        started = time.monotonic()
        status, _, _ = get(gunicorn + "/health")
        assert status == 200
        assert time.monotonic() - started < 5


def test_one_access_line_per_request_without_the_query_string(tmp_path, gunicorn):
    status, _, _ = get(gunicorn + "/api/v2/posts?sort=" + "b" * 7_000)
    assert status == 422
    time.sleep(0.5)  # the access log line is written after the answer
    log = (tmp_path / "gunicorn.log").read_text()
    access = [line for line in log.splitlines() if "/api/v2/posts" in line]
    assert len(access) == 1, log  # the app's JSON line; gunicorn's own is off by default
    line = json.loads(access[0])
    assert line["path"] == "/api/v2/posts" and line["status"] == 422
    assert line["remote_addr"] == "127.0.0.1"
    assert "bbbb" not in log


def test_gunicorns_access_log_when_asked_for_truncates_long_request_lines(tmp_path):
    env = server_env(tmp_path, GUNICORN_ACCESS_LOG="-")
    migrate(env)
    log_path = tmp_path / "gunicorn.log"
    with serve(
        ["app:create_app()"], cwd=ROOT, env=env, log_path=log_path, port=int(env["PORT"])
    ) as url:
        status, _, _ = get(url + "/api/v2/posts?sort=" + "b" * 7_000)
        assert status == 422
        time.sleep(0.5)
    log = log_path.read_text()
    assert "bbbb" in log
    assert max(len(line) for line in log.splitlines()) < 2_000


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
