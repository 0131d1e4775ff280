"""App-wide behaviour: the error shape, security headers, timestamps, /health."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.config import TestingConfig
from app.extensions import db
from app.models import Post

from .helpers import PASSWORD, count_rows
from .servers import free_port

V1 = "/api/v1"


def expect_shape(response, status, reason):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.json
    assert body["error"] == reason
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["code"], str) and body["code"]
    assert set(body) <= {"error", "message", "code", "errors"}
    text = response.get_data(as_text=True)
    assert "<html" not in text.lower() and "Traceback" not in text


@pytest.mark.parametrize("path", ["/nope", "/api/v1/nope", "/api/v1/posts/1/extra", "/api/v2/x"])
def test_unknown_route_is_json_404(client, path):
    response = client.get(path)

    expect_shape(response, 404, "Not Found")
    assert response.json["code"] == "not_found"
    assert response.json["message"] == "The requested resource was not found"


@pytest.mark.parametrize("path", ["/api/nope", "/api/v3/x", "/api/articles/a/b/c"])
def test_unknown_route_under_the_realworld_prefix_answers_in_its_shape(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json == {"errors": {"body": ["The requested resource was not found"]}}


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("patch", "/api/v1/posts/1", {"GET", "PUT", "DELETE"}),
        ("delete", "/api/v1/users", {"GET", "POST"}),
        ("get", "/api/v1/login", {"POST"}),
        ("post", "/health", {"GET"}),
    ],
)
def test_wrong_method_is_json_405_with_allow(client, method, path, allowed):
    response = getattr(client, method)(path)

    expect_shape(response, 405, "Method Not Allowed")
    assert response.json["code"] == "method_not_allowed"
    allow = {m.strip() for m in response.headers["Allow"].split(",")}
    assert allowed <= allow
    assert method.upper() not in allow


def test_unexpected_exception_is_json_500_without_traceback(app, caplog):
    def explode():
        raise RuntimeError("secret detail: password=hunter2")

    app.add_url_rule("/api/v1/boom", "boom", explode)
    client = app.test_client()

    response = client.get("/api/v1/boom")

    expect_shape(response, 500, "Internal Server Error")
    assert response.json == {
        "error": "Internal Server Error",
        "message": "Something went wrong on our end",
        "code": "internal_error",
    }
    assert "hunter2" not in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "RuntimeError" in caplog.text  # logged for the operator, not sent to the client


def test_unexpected_database_error_is_json_500_and_session_recovers(app):
    def bad_sql():
        db.session.execute(text("SELECT * FROM no_such_table"))

    app.add_url_rule("/api/v1/bad-sql", "bad_sql", bad_sql)
    client = app.test_client()

    response = client.get("/api/v1/bad-sql")

    expect_shape(response, 500, "Internal Server Error")
    assert "no_such_table" not in response.get_data(as_text=True)
    assert client.get(f"{V1}/users").status_code == 200


def test_every_response_has_nosniff_and_refuses_framing(client, auth):
    headers = auth.user("alice")
    responses = [
        client.get("/health"),
        client.get(f"{V1}/users"),
        client.get(f"{V1}/users/99"),
        client.get("/nope"),
        client.post(f"{V1}/posts", json={"title": "x", "content": "y"}, headers=headers),
        client.post(f"{V1}/posts", data="x", headers=headers),
        client.get(f"{V1}/me"),
        client.patch(f"{V1}/users"),
        client.post(f"{V1}/posts", data="x" * (1024 * 1024 + 1), headers=headers),
        client.get(f"{V1}/todos", headers={"Authorization": "Bearer x.y.z"}),
        client.post(f"{V1}/login", json={"username": "alice", "password": PASSWORD}),
        client.get("/docs/"),
        client.get("/api/v2/openapi.json"),
    ]

    assert {r.status_code for r in responses} >= {200, 201, 400, 401, 404, 405, 413}
    for response in responses:
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path
        assert response.headers["X-Frame-Options"] == "DENY", response.request.path


def test_token_responses_are_never_cached(client, auth):
    auth.create_user("alice")

    v1 = client.post(f"{V1}/login", json={"username": "alice", "password": PASSWORD})
    v2 = client.post("/api/v2/auth/login", json={"username": "alice", "password": PASSWORD})

    for response in (v1, v2):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_timestamps_are_iso_8601_utc_with_offset(client, auth):
    headers = auth.user("alice")
    post = client.post(f"{V1}/posts", json={"title": "T", "content": "C"}, headers=headers).json
    todo = client.post(f"{V1}/todos", json={"title": "T"}, headers=headers).json
    user = client.get(f"{V1}/users/1").json
    me = client.get(f"{V1}/me", headers=headers).json

    stamps = [
        post["created_at"],
        post["updated_at"],
        todo["created_at"],
        todo["updated_at"],
        user["created_at"],
        me["created_at"],
    ]
    for stamp in stamps:
        assert stamp.endswith(("Z", "+00:00")), stamp
        parsed = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        assert parsed.utcoffset() == timedelta(0)
        assert abs(datetime.now(parsed.tzinfo) - parsed) < timedelta(minutes=5)


# --- /health ------------------------------------------------------------------------------


def test_health_is_ok(client):
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("where", ["sqlite-unreadable-path", "postgresql-closed-port"])
def test_health_is_503_when_database_is_unreachable(tmp_path, where):
    if where.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'missing-dir' / 'nested' / 'blog.db'}"
    else:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?connect_timeout=2"
    app: Flask = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()

    response = client.get("/health")

    assert response.status_code == 503
    assert set(response.json) == {"status", "database"}
    assert response.json["status"] != "ok"
    assert response.json["database"] != "ok"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The rest of the API answers a JSON 503 to retry later, not a 500, a hang or HTML.
    users = client.get(f"{V1}/users")
    expect_shape(users, 503, "Service Unavailable")
    assert users.json["code"] == "database_unavailable"
    assert users.headers["Retry-After"]


def test_concurrent_writers_all_succeed(app, auth):
    """Several threads writing at once: no "database is locked", no lost rows."""
    headers = auth.user("alice")

    def write(n):
        client = app.test_client()
        return [
            client.post(
                f"{V1}/posts", json={"title": f"{n}-{i}", "content": "C"}, headers=headers
            ).status_code
            for i in range(5)
        ]

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = [s for batch in pool.map(write, range(6)) for s in batch]

    assert statuses == [201] * 30
    assert count_rows(app, Post) == 30
    assert len({p["title"] for p in app.test_client().get(f"{V1}/posts").json["posts"]}) == 30


def test_the_api_keeps_no_flask_cookie_session(app, client):
    # Tokens carry the state: no signed "session" cookie is read or written, and writing to
    # flask.session fails loudly instead of quietly adding a cookie to answers.
    from flask import session

    response = client.get("/health", headers={"Cookie": "session=eyJ4IjoxfQ.forged.sig"})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        assert not session
        with pytest.raises(RuntimeError):
            session["user_id"] = 1
