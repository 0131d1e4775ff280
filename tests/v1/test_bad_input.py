"""Bad input on every v1 write endpoint: a specific 4xx JSON error and an untouched database."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, RevokedToken, Todo, User

from ..helpers import PASSWORD, bearer, count_rows

V1 = "/api/v1"

# name: (method, path, a valid body, needs a token)
ENDPOINTS = {
    "create_user": ("post", "/users", {"username": "newbie", "password": "password1"}, False),
    "login": ("post", "/login", {"username": "alice", "password": PASSWORD}, False),
    "create_post": ("post", "/posts", {"title": "T", "content": "C"}, True),
    "update_post": ("put", "/posts/1", {"title": "New"}, True),
    "create_todo": ("post", "/todos", {"title": "T"}, True),
    "update_todo": ("put", "/todos/1", {"title": "New"}, True),
}


@pytest.fixture
def world(app, auth):
    """alice (with an e-mail), her post 1 and her todo 1; return her headers."""
    auth.create_user("alice", email="alice@example.com")
    with app.app_context():
        db.session.add(Post(title="Title", slug="title", content="Body", user_id=1))
        db.session.add(Todo(title="Todo", user_id=1))
        db.session.commit()
    return auth.headers("alice")


def snapshot(app):
    """Every row of every table, to compare before and after a refused request."""
    with app.app_context():
        tables = (User, Post, Todo, RevokedToken)
        return {
            model.__tablename__: db.session.execute(
                sa.select(*model.__table__.columns).order_by(model.id)
            ).all()
            for model in tables
        }


def send(client, name, headers, **kwargs):
    method, path, _, needs_token = ENDPOINTS[name]
    return getattr(client, method)(f"{V1}{path}", headers=headers if needs_token else {}, **kwargs)


def expect_400(response, message):
    assert response.status_code == 400, response.json
    assert response.json["error"] == "Bad Request"
    assert response.json["message"] == message
    assert isinstance(response.json["code"], str) and response.json["code"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_valid_body_is_accepted(client, app, world, name):
    before = snapshot(app)

    response = send(client, name, world, json=ENDPOINTS[name][2])

    assert response.status_code in (200, 201)
    assert name == "login" or snapshot(app) != before


MUST_BE_JSON = "Request must be JSON"
MUST_BE_OBJECT = "Request body must be a JSON object"
NO_SURROGATES = "Request body must not contain unpaired surrogates"
EVERY_FIELD = '{"title": "VALUE", "content": "VALUE", "username": "VALUE", "password": "VALUE"}'


def raw(data, content_type="application/json"):
    return {"data": data, "content_type": content_type}


NOT_AN_OBJECT = {
    "no-body": ({}, MUST_BE_JSON),
    "form": ({"data": {"title": "x", "content": "y"}}, MUST_BE_JSON),
    "text-plain": (raw('{"title": "x"}', "text/plain"), MUST_BE_JSON),
    "empty-json": (raw(""), MUST_BE_JSON),
    "malformed": (raw('{"title": '), MUST_BE_JSON),
    "huge-number": (raw('{"title": ' + "9" * 5000 + "}"), MUST_BE_JSON),
    "trailing-garbage": (raw('{"title": "x"} x'), MUST_BE_JSON),
    "bad-utf8": (raw(b'{"title": "\xff\xfe"}'), MUST_BE_JSON),
    "deep-nesting": (raw("[" * 100_000 + "]" * 100_000), MUST_BE_JSON),
    "lone-surrogate": (raw(EVERY_FIELD.replace("VALUE", "\\ud800")), NO_SURROGATES),
    "encoded-surrogate": (
        raw(EVERY_FIELD.encode().replace(b"VALUE", b"\xed\xa0\x80")),
        NO_SURROGATES,
    ),
    "array": ({"json": [{"title": "x", "content": "y"}]}, MUST_BE_OBJECT),
    "empty-array": ({"json": []}, MUST_BE_OBJECT),
    "number": (raw("42"), MUST_BE_OBJECT),
    "string": (raw('"title"'), MUST_BE_OBJECT),
    "null": (raw("null"), MUST_BE_OBJECT),
    "true": (raw("true"), MUST_BE_OBJECT),
}


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize("kind", NOT_AN_OBJECT)
def test_body_that_is_not_a_json_object_is_400(client, app, world, name, kind):
    kwargs, message = NOT_AN_OBJECT[kind]
    before = snapshot(app)

    response = send(client, name, world, **kwargs)

    expect_400(response, message)
    assert snapshot(app) == before


LONG = "x" * 201
NUL = "a\x00b"

# name: [(body, message), ...] — each body is the endpoint's valid body with one thing wrong.
FIELD_ERRORS = {
    "create_user": [
        ({"password": "password1"}, "Missing username or password"),
        ({"username": "newbie"}, "Missing username or password"),
        ({"username": "", "password": "password1"}, "Missing username or password"),
        ({"username": "   ", "password": "password1"}, "Missing username or password"),
        ({"username": "newbie", "password": ""}, "Missing username or password"),
        ({"username": None, "password": "password1"}, "Missing username or password"),
        ({"username": 123, "password": "password1"}, "Invalid username: Not a valid string."),
        ({"username": ["x"], "password": "password1"}, "Invalid username: Not a valid string."),
        ({"username": "newbie", "password": 12345678}, "Invalid password: Not a valid string."),
        ({"username": "newbie", "password": True}, "Invalid password: Not a valid string."),
        (
            {"username": "u" * 65, "password": "password1"},
            "Invalid username: Must be at most 64 characters long.",
        ),
        (
            {"username": "newbie", "password": "p" * 1025},
            "Invalid password: Must be at most 1024 characters long.",
        ),
        (
            {"username": "newbie", "password": "1234567"},
            "Invalid password: Must be at least 8 characters long.",
        ),
        (
            {"username": "\ufdfa" * 64, "password": "password1"},
            "Invalid username: Is too long once normalized.",
        ),
        (
            {"username": NUL, "password": "password1"},
            "Invalid username: Must not contain NUL characters.",
        ),
        (
            {"username": "newbie", "password": "pass\x00word1"},
            "Invalid password: Must not contain NUL characters.",
        ),
        (
            {"username": "new\nbie", "password": "password1"},
            "Invalid username: Must not contain control characters.",
        ),
        (
            {"username": "newbie", "password": "password1", "email": "not-an-email"},
            "Invalid email: Not a valid email address.",
        ),
        (
            {"username": "newbie", "password": "password1", "email": "a@b@example.com"},
            "Invalid email: Not a valid email address.",
        ),
        (
            {"username": "newbie", "password": "password1", "email": "e" * 243 + "@example.com"},
            "Invalid email: Must be at most 254 characters long.",
        ),
        (
            {"username": "newbie", "password": "password1", "email": "new\x00bie@example.com"},
            "Invalid email: Must not contain NUL characters.",
        ),
        (
            {"username": "newbie", "password": "password1", "email": 42},
            "Invalid email: Not a valid email address.",
        ),
        ({"username": "alice", "password": "password1"}, "Username already exists"),
        ({"username": "Alice", "password": "password1"}, "Username already exists"),
        ({"username": " ALICE ", "password": "password1"}, "Username already exists"),
        ({"username": "\uff21lice", "password": "password1"}, "Username already exists"),
        (
            {"username": "newbie", "password": "password1", "email": "alice@example.com"},
            "Email already exists",
        ),
        (
            {"username": "newbie", "password": "password1", "email": "ALICE@Example.com"},
            "Email already exists",
        ),
    ],
    "login": [
        ({"username": 123, "password": PASSWORD}, "Invalid username: Not a valid string."),
        ({"username": "alice", "password": 12345678}, "Invalid password: Not a valid string."),
        ({"username": "alice", "password": ["x"]}, "Invalid password: Not a valid string."),
        (
            {"username": "alice", "password": "p" * 1025},
            "Invalid password: Must be at most 1024 characters long.",
        ),
        (
            {"username": "u" * 257, "password": PASSWORD},
            "Invalid username: Must be at most 256 characters long.",
        ),
        (
            {"username": "alice", "password": "pass\x00word"},
            "Invalid password: Must not contain NUL characters.",
        ),
        (
            {"username": "ali\x00ce", "password": PASSWORD},
            "Invalid username: Must not contain NUL characters.",
        ),
    ],
    "create_post": [
        ({"content": "C"}, "Missing title or content"),
        ({"title": "T"}, "Missing title or content"),
        ({"title": "", "content": "C"}, "Missing title or content"),
        ({"title": "  ", "content": "C"}, "Missing title or content"),
        ({"title": "T", "content": ""}, "Missing title or content"),
        ({"title": None, "content": "C"}, "Missing title or content"),
        ({"title": 123, "content": "C"}, "Invalid title: Not a valid string."),
        ({"title": "T", "content": {"text": "C"}}, "Invalid content: Not a valid string."),
        ({"title": LONG, "content": "C"}, "Invalid title: Must be at most 200 characters long."),
        (
            {"title": "T", "content": "c" * 100_001},
            "Invalid content: Must be at most 100000 characters long.",
        ),
        ({"title": NUL, "content": "C"}, "Invalid title: Must not contain NUL characters."),
        ({"title": "T", "content": NUL}, "Invalid content: Must not contain NUL characters."),
    ],
    "update_post": [
        ({"title": 123}, "Invalid title: Not a valid string."),
        ({"title": ""}, "Invalid title: Must not be empty."),
        ({"title": "   "}, "Invalid title: Must not be empty."),
        ({"title": None}, "Invalid title: Field may not be null."),
        ({"content": ""}, "Invalid content: Must not be empty."),
        ({"content": 5}, "Invalid content: Not a valid string."),
        ({"title": LONG}, "Invalid title: Must be at most 200 characters long."),
        ({"title": NUL}, "Invalid title: Must not contain NUL characters."),
        ({"title": "ok", "content": NUL}, "Invalid content: Must not contain NUL characters."),
    ],
    "create_todo": [
        ({}, "Missing title"),
        ({"title": ""}, "Missing title"),
        ({"title": "   "}, "Missing title"),
        ({"title": None}, "Missing title"),
        ({"completed": True}, "Missing title"),
        ({"title": 123}, "Invalid title: Not a valid string."),
        ({"title": LONG}, "Invalid title: Must be at most 200 characters long."),
        ({"title": NUL}, "Invalid title: Must not contain NUL characters."),
        ({"title": "T", "completed": "yes"}, "Invalid completed: Not a valid boolean."),
        ({"title": "T", "completed": "true"}, "Invalid completed: Not a valid boolean."),
        ({"title": "T", "completed": 1}, "Invalid completed: Not a valid boolean."),
        ({"title": "T", "completed": 0}, "Invalid completed: Not a valid boolean."),
        ({"title": "T", "completed": None}, "Invalid completed: Field may not be null."),
    ],
    "update_todo": [
        ({"title": 123}, "Invalid title: Not a valid string."),
        ({"title": ""}, "Invalid title: Must not be empty."),
        ({"title": None}, "Invalid title: Field may not be null."),
        ({"title": LONG}, "Invalid title: Must be at most 200 characters long."),
        ({"title": NUL}, "Invalid title: Must not contain NUL characters."),
        ({"completed": "yes"}, "Invalid completed: Not a valid boolean."),
        ({"completed": 1}, "Invalid completed: Not a valid boolean."),
        ({"completed": 1.0}, "Invalid completed: Not a valid boolean."),
        ({"completed": None}, "Invalid completed: Field may not be null."),
        ({"title": "ok", "completed": "false"}, "Invalid completed: Not a valid boolean."),
    ],
}

FIELD_CASES = [
    pytest.param(name, body, message, id=f"{name}-{i}")
    for name, cases in FIELD_ERRORS.items()
    for i, (body, message) in enumerate(cases)
]


@pytest.mark.parametrize("name,body,message", FIELD_CASES)
def test_bad_field_is_400_with_a_specific_message(client, app, world, name, body, message):
    before = snapshot(app)

    response = send(client, name, world, json=body)

    expect_400(response, message)
    assert snapshot(app) == before


def test_validation_error_names_the_field(client, world):
    response = client.post(f"{V1}/posts", json={"title": 1, "content": "C"}, headers=world)

    assert response.status_code == 400
    assert response.json["code"] == "validation_error"
    assert response.json["errors"] == {"title": ["Not a valid string."]}


def test_short_password_follows_password_min_length(client, app_factory):
    app = app_factory(PASSWORD_MIN_LENGTH=12)
    client = app.test_client()

    short = client.post(f"{V1}/users", json={"username": "bob", "password": "a" * 11})
    long_enough = client.post(f"{V1}/users", json={"username": "bob", "password": "a" * 12})

    expect_400(short, "Invalid password: Must be at least 12 characters long.")
    assert long_enough.status_code == 201
    assert count_rows(app, User) == 1


@pytest.mark.parametrize(
    "username,password,email",
    [
        ("u" * 64, "p" * 1024, "e" * 242 + "@example.com"),
        # Symbols (emoji) are not username characters (PRECIS IdentifierClass); passwords
        # take any character.
        ("Zoë Ünal", "pässwörd \U0001f511", None),
        ("\u00df" * 64, "password", None),
        ("  padded  ", "  pass word  ", "x@example.org"),
    ],
    ids=["at-the-limits", "unicode", "expands-when-normalized", "padding"],
)
def test_values_at_the_limits_are_accepted(client, app, username, password, email):
    response = client.post(
        f"{V1}/users", json={"username": username, "password": password, "email": email}
    )

    assert response.status_code == 201
    assert response.json["username"] == username.strip()
    login = client.post(f"{V1}/login", json={"username": username.strip(), "password": password})
    assert login.status_code == 200
    assert count_rows(app, User) == 1


# --- ids in paths -------------------------------------------------------------------------

ODD_IDS = ["0", "-1", "2147483647", str(2**31), str(2**63), "99999999999999999999"]
ID_ROUTES = [
    ("get", "/users/{}", "User not found"),
    ("get", "/posts/{}", "Post not found"),
    ("put", "/posts/{}", "Post not found"),
    ("delete", "/posts/{}", "Post not found"),
    ("get", "/todos/{}", "Todo not found"),
    ("put", "/todos/{}", "Todo not found"),
    ("delete", "/todos/{}", "Todo not found"),
]


@pytest.mark.parametrize("ident", ODD_IDS)
@pytest.mark.parametrize("method,path,message", ID_ROUTES)
def test_out_of_range_id_is_404(client, app, world, method, path, message, ident):
    before = snapshot(app)

    response = getattr(client, method)(
        f"{V1}{path.format(ident)}", headers=world, json={"title": "x"}
    )

    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "message": message, "code": "not_found"}
    assert snapshot(app) == before


@pytest.mark.parametrize("ident", ["abc", "1.5", "1e3", "%20", "1" * 40])
def test_non_numeric_id_is_a_json_404(client, ident):
    response = client.get(f"{V1}/posts/{ident}")

    assert response.status_code == 404
    assert response.json["error"] == "Not Found"
    assert response.json["code"] == "not_found"


def test_non_ascii_digits_do_not_name_a_post(client, auth):
    auth.create_user("alice")
    headers = auth.headers("alice")
    post = client.post(f"{V1}/posts", headers=headers, json={"title": "t", "content": "c"})
    assert client.get(f"{V1}/posts/{post.json['id']}").status_code == 200
    arabic_indic = str(post.json["id"]).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response = client.get(f"{V1}/posts/{arabic_indic}")

    assert response.status_code == 404
    assert response.json["code"] == "not_found"


# --- body size ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ENDPOINTS)
def test_body_over_max_content_length_is_413(app_factory, auth, name):
    app = app_factory(MAX_CONTENT_LENGTH=2048)
    client = app.test_client()
    auth.app, auth.client = app, client
    auth.create_user("alice")
    headers = auth.headers("alice")
    with app.app_context():
        db.session.add(Post(title="Title", slug="title", content="Body", user_id=1))
        db.session.add(Todo(title="Todo", user_id=1))
        db.session.commit()
    before = snapshot(app)
    body = dict(ENDPOINTS[name][2], content="x" * 4096, title="T" * 4096)

    response = send(client, name, headers, json=body)

    assert response.status_code == 413
    # The phrase of RFC 9110 ("Content Too Large") on Python >= 3.13, RFC 7231's before.
    assert response.json["error"] in ("Request Entity Too Large", "Content Too Large")
    assert response.json["message"] == "Request body is too large"
    assert response.json["code"] == "payload_too_large"
    assert snapshot(app) == before


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_body_over_max_content_length_is_413_whatever_its_type(client, app, world, content_type):
    response = client.post(
        f"{V1}/posts", data="x" * (1024 * 1024 + 1), content_type=content_type, headers=world
    )

    assert response.status_code == 413
    assert response.json["message"] == "Request body is too large"
    assert count_rows(app, Post) == 1


def test_default_max_content_length_is_one_mebibyte(client, app, world):
    padding = "x" * (1024 * 1024)

    response = client.post(f"{V1}/posts", json={"title": "T", "content": padding}, headers=world)

    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert response.status_code == 413
    assert count_rows(app, Post) == 1


# --- mass assignment ----------------------------------------------------------------------


def test_register_ignores_server_owned_fields(client, app, world):
    response = client.post(
        f"{V1}/users",
        json={
            "username": "mallory",
            "password": "password1",
            "id": 99,
            "is_admin": True,
            "token_version": 42,
            "created_at": "2000-01-01T00:00:00Z",
            "password_hash": "$argon2id$forged",
            "username_key": "alice",
        },
    )

    assert response.status_code == 201
    assert response.json["id"] == 2
    assert response.json["is_admin"] is False
    with app.app_context():
        user = db.session.get(User, 2)
        assert (user.username, user.username_key) == ("mallory", "mallory")
        assert user.is_admin is False
        assert user.token_version == 0
        assert user.created_at > datetime.now(UTC) - timedelta(minutes=5)
        assert user.password_hash.startswith("$argon2id$v=")
        assert db.session.get(User, 99) is None
    login = client.post(f"{V1}/login", json={"username": "mallory", "password": "password1"})
    me = client.get(f"{V1}/me", headers=bearer(login.json["token"]))
    assert me.json["is_admin"] is False


@pytest.mark.parametrize(
    "name,extra",
    [
        ("create_post", {"user_id": 2, "id": 50, "created_at": "2000-01-01T00:00:00Z"}),
        ("update_post", {"user_id": 2, "id": 50, "created_at": "2000-01-01T00:00:00Z"}),
        ("create_todo", {"user_id": 2, "id": 50, "created_at": "2000-01-01T00:00:00Z"}),
        ("update_todo", {"user_id": 2, "id": 50, "updated_at": "2000-01-01T00:00:00Z"}),
        ("login", {"is_admin": True, "token_version": 9, "id": 2}),
    ],
)
def test_server_owned_fields_are_ignored(client, app, auth, world, name, extra):
    auth.create_user("bob")

    response = send(client, name, world, json={**ENDPOINTS[name][2], **extra})

    assert response.status_code in (200, 201)
    after = snapshot(app)
    assert [row.id for row in after["users"]] == [1, 2]
    assert all(not row.is_admin and row.token_version == 0 for row in after["users"])
    for table in ("posts", "todos"):
        for row in after[table]:
            assert row.id != 50
            assert row.user_id == 1
            assert row.created_at.year != 2000 and row.updated_at.year != 2000
