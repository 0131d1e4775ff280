"""v2 error conventions: 415 for non-JSON, 400/422 for bad JSON, one error shape everywhere."""

import json

import pytest

from app.errors import reason
from app.models import Post, Todo, User

from ..helpers import PASSWORD, V2, assert_error, count_rows, row, user_id

# Every v2 route that reads a JSON body, with a valid body for it.
WRITES = [
    ("post", "/users", {"username": "newbie", "password": PASSWORD}, False),
    ("post", "/auth/login", {"username": "alice", "password": PASSWORD}, False),
    ("post", "/auth/refresh", {"refresh_token": "x.y.z"}, False),
    ("patch", "/me", {"username": "renamed"}, True),
    ("delete", "/me", {"current_password": PASSWORD}, True),
    ("post", "/posts", {"title": "t", "content": "c"}, True),
    ("put", "/posts/{post}", {"title": "t", "content": "c"}, True),
    ("patch", "/posts/{post}", {"title": "t"}, True),
    ("post", "/todos", {"title": "t"}, True),
    ("put", "/todos/{todo}", {"title": "t"}, True),
    ("patch", "/todos/{todo}", {"title": "t"}, True),
]
WRITE_IDS = [f"{method} {path}" for method, path, _, _ in WRITES]


@pytest.fixture
def world(app, auth, seed):
    """alice with one post and one todo; returns her headers and the path values."""
    headers = auth.user("alice")
    alice_id = user_id(app, "alice")
    return headers, {"post": seed.post(alice_id, "t0"), "todo": seed.todo(alice_id, "t0")}


def snapshot(app):
    return (count_rows(app, User), count_rows(app, Post), count_rows(app, Todo), row(app, User, 1))


@pytest.mark.parametrize(("method", "path", "body", "needs_auth"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_non_json_content_type_is_415(
    client, app, world, method, path, body, needs_auth, content_type
):
    headers, values = world
    headers = dict(headers if needs_auth else {})
    if content_type:
        headers["Content-Type"] = content_type
    before = snapshot(app)
    response = getattr(client, method)(
        f"{V2}{path.format(**values)}", data=json.dumps(body), headers=headers
    )
    assert_error(response, 415, "unsupported_media_type")
    assert snapshot(app) == before


@pytest.mark.parametrize(("method", "path", "body", "needs_auth"), WRITES, ids=WRITE_IDS)
@pytest.mark.parametrize("raw", ["{", "", '{"a": 1} trailing', "[]", '"text"', "null"])
def test_malformed_or_non_object_json_is_400_or_422(
    client, app, world, method, path, body, needs_auth, raw
):
    headers, values = world
    before = snapshot(app)
    response = getattr(client, method)(
        f"{V2}{path.format(**values)}",
        data=raw,
        content_type="application/json",
        headers=headers if needs_auth else {},
    )
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code)
    assert snapshot(app) == before


def test_json_with_a_charset_is_accepted(client, app):
    response = client.post(
        f"{V2}/users",
        data=f'{{"username": "Zoë", "password": "{PASSWORD}"}}'.encode(),
        content_type="application/json; charset=utf-8",
    )
    assert response.status_code == 201
    assert response.json["username"] == "Zoë"


def test_validation_error_shape(client):
    response = client.post(f"{V2}/users", json={"username": "", "is_admin": True})
    assert response.status_code == 422
    assert response.json == {
        "error": reason(422),  # "Unprocessable Content" (Python 3.13+) or "... Entity"
        "message": "Validation failed",
        "code": "validation_error",
        "errors": {
            "username": ["Must not be empty."],
            "password": ["Missing data for required field."],
            "is_admin": ["Unknown field."],
        },
    }


def test_conflict_shape(client, auth):
    auth.create_user("alice")
    response = client.post(f"{V2}/users", json={"username": "Alice", "password": PASSWORD})
    assert response.status_code == 409
    assert response.json == {
        "error": "Conflict",
        "message": "Username already exists",
        "code": "username_taken",
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/nope", 404),
        ("get", "/posts/abc", 404),
        ("delete", "/posts", 405),
        ("put", "/users", 405),
        ("post", "/me", 405),
    ],
)
def test_routing_errors_are_json(client, method, path, status):
    response = getattr(client, method)(f"{V2}{path}")
    assert_error(response, status)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_body_over_the_size_limit_is_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        f"{V2}/users", json={"username": "big", "password": PASSWORD, "email": "x" * 2000}
    )
    assert_error(response, 413, "payload_too_large")
    assert count_rows(app, User) == 0
