"""Load and concurrency through real gunicorn: 2 sync workers, production config, migrated DB.

Bounded and deterministic: a fixed number of requests, no timing asserts. Runs on SQLite
always and on PostgreSQL (a fresh schema) when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from app import create_app, tokens
from app.extensions import db
from app.models import Post, Todo, User
from app.sessions import start_session

from ..helpers import BACKENDS, TEST_DATABASE_URL, with_search_path
from ..servers import ROOT, free_port, json_request, migrate, serve

pytestmark = [pytest.mark.slow, pytest.mark.load]

CLIENTS = 32
REQUESTS_PER_CLIENT = 6
PASSWORD = "load test password 123"


@dataclass
class Live:
    port: int
    url: str  # the database
    secret: str

    def app(self):
        return create_app(
            "production", {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": self.secret}
        )

    def request(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any] | None]:
        """One request on a new connection (gunicorn's sync workers close it anyway)."""
        return json_request(self.port, method, path, token, body)


def server_env(url: str, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JWT_", "ARGON2_"))}
    env.update(FLASK_ENV="production", SECRET_KEY=secret, DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("load")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'blog.db'}"
    else:
        schema = f"load_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(TEST_DATABASE_URL, schema)
    secret = secrets.token_urlsafe(48)
    env = server_env(url, secret)
    port = free_port()
    args = ["-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning"]
    args.append("app:create_app()")
    try:
        migrate(env)
        with serve(args, cwd=ROOT, env=env, log_path=tmp / "gunicorn.log", port=port):
            yield Live(port, url, secret)
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def make_users(live: Live, prefix: str, count: int) -> list[tuple[int, str]]:
    """Create users in the server's database; return (id, access token) pairs."""
    app = live.app()
    password_hash = PasswordHasher().hash(PASSWORD)  # the server's (default) parameters
    with app.app_context():
        users = []
        for n in range(count):
            user = User(password_hash=password_hash)
            user.set_username(f"{prefix}{n}")
            users.append(user)
        db.session.add_all(users)
        db.session.commit()
        found = [
            (
                user.id,
                tokens.encode_token(
                    user.id,
                    user.token_version,
                    tokens.ACCESS,
                    sid=start_session(user.id, user.token_version).id,
                ),
            )
            for user in users
        ]
        db.session.remove()
        db.engine.dispose()
    return found


def rows(live: Live, model: type) -> set[tuple[int, int]]:
    app = live.app()
    with app.app_context():
        try:
            return {tuple(row) for row in db.session.execute(sa.select(model.id, model.user_id))}
        finally:
            db.session.remove()
            db.engine.dispose()


def test_concurrent_creates_are_all_stored_and_never_fail(live):
    users = make_users(live, "writer", CLIENTS)

    def client(n: int) -> list[tuple[str, int, int, dict[str, Any] | None]]:
        user_id, token = users[n]
        done = []
        for i in range(REQUESTS_PER_CLIENT):
            if i % 2 == 0:
                body = {"title": f"Post {n}-{i}", "content": "Written under load."}
                status, answer = live.request("POST", "/api/v2/posts", token, body)
                done.append(("post", user_id, status, answer))
            else:
                body = {"title": f"Todo {n}-{i}", "description": "Under load."}
                status, answer = live.request("POST", "/api/v2/todos", token, body)
                done.append(("todo", user_id, status, answer))
        return done

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [r for batch in pool.map(client, range(CLIENTS)) for r in batch]

    assert len(results) == CLIENTS * REQUESTS_PER_CLIENT
    assert not [r for r in results if r[2] >= 500], "no 5xx under load"
    assert not [r for r in results if "locked" in json.dumps(r[3]).lower()]
    assert {r[2] for r in results} == {201}
    acked_posts = {(r[3]["id"], r[1]) for r in results if r[0] == "post"}
    acked_todos = {(r[3]["id"], r[1]) for r in results if r[0] == "todo"}
    assert len(acked_posts) == len(acked_todos) == CLIENTS * REQUESTS_PER_CLIENT // 2
    assert rows(live, Post) == acked_posts
    assert rows(live, Todo) == acked_todos


def warm(live: Live, token: str, times: int = 16) -> None:
    """Have both workers serve (and remember) the token, over many connections at once."""
    with ThreadPoolExecutor(max_workers=times) as pool:
        statuses = list(
            pool.map(lambda _: live.request("GET", "/api/v2/me", token)[0], range(times))
        )
    assert statuses == [200] * times


def everyone_sees(live: Live, token: str, times: int = 16) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(max_workers=times) as pool:
        answers = list(pool.map(lambda _: live.request("GET", "/api/v2/me", token), range(times)))
    return [(status, body["code"]) for status, body in answers]


def test_logout_on_one_connection_is_refused_on_every_other_at_once(live):
    status, tokens = live.request(
        "POST", "/api/v2/auth/login", body={"username": "leaver", "password": PASSWORD}
    )
    assert status == 401  # not created yet: the login really checks
    make_users(live, "leaver", 1)
    status, tokens = live.request(
        "POST", "/api/v2/auth/login", body={"username": "leaver0", "password": PASSWORD}
    )
    assert status == 200
    warm(live, tokens["access_token"])
    status, _ = live.request(
        "POST",
        "/api/v2/auth/logout",
        tokens["access_token"],
        {"refresh_token": tokens["refresh_token"]},
    )
    assert status == 204
    assert everyone_sees(live, tokens["access_token"]) == [(401, "token_revoked")] * 16
    status, body = live.request(
        "POST", "/api/v2/auth/refresh", body={"refresh_token": tokens["refresh_token"]}
    )
    assert (status, body["code"]) == (401, "token_revoked")


def test_password_change_on_one_connection_is_refused_on_every_other_at_once(live):
    [(_, token)] = make_users(live, "changer", 1)
    warm(live, token)
    status, _ = live.request(
        "PATCH",
        "/api/v2/me",
        token,
        {"password": "another load password", "current_password": PASSWORD},
    )
    assert status == 200
    assert everyone_sees(live, token) == [(401, "token_invalid")] * 16
