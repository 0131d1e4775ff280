"""Concurrent refreshes through real gunicorn: 2 gthread workers, production config (the
default JWT_REFRESH_REUSE_GRACE of 10 s), SQLite and PostgreSQL.

Two browser tabs whose access tokens expire together both refresh with the one refresh
token they share: every such refresh must answer 200 with a working pair of the same
session, all with the same new refresh token, and the account must not be taken for
stolen. Several requests start together (a barrier), a few rounds, bounded in time.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
import sqlalchemy as sa

from ..helpers import BACKENDS, TEST_DATABASE_URL, with_search_path
from ..servers import ROOT, free_port, migrate, serve

pytestmark = [pytest.mark.slow, pytest.mark.load]

ROUNDS = 5
PARALLEL = 4
SECONDS = 30
PASSWORD = "grace test password 123"
V2 = "/api/v2"


def call(
    port: int, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any] | None, str | None]:
    """POST (or GET without a body) on a new connection: status, JSON body, Set-Cookie."""
    headers = dict(headers or {})
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST" if body is not None else "GET", path, payload, headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None, response.getheader("Set-Cookie")
    finally:
        conn.close()


@pytest.fixture(scope="module", params=BACKENDS)
def port(request, tmp_path_factory) -> Iterator[int]:
    tmp = tmp_path_factory.mktemp("grace")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'blog.db'}"
    else:
        schema = f"grace_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(TEST_DATABASE_URL, schema)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JWT_", "MAIL_"))}
    env.update(
        FLASK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        RATELIMIT_ENABLED="false",
        REGISTER_RATE_LIMIT="1000 per minute",
        ARGON2_TIME_COST="1",  # sign-ups and logins are not what this is about
        ARGON2_MEMORY_COST="8",
        ARGON2_PARALLELISM="1",
    )
    number = free_port()
    args = ["-w", "2", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{number}"]
    args += ["--log-level", "warning", "app:create_app()"]
    try:
        migrate(env)
        with serve(args, cwd=ROOT, env=env, log_path=tmp / "gunicorn.log", port=number):
            yield number
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def signed_up(port: int, cookie: bool) -> dict[str, Any]:
    name = f"tab{uuid.uuid4().hex[:10]}"
    status, _, _ = call(port, f"{V2}/users", {"username": name, "password": PASSWORD})
    assert status == 201
    body = {"username": name, "password": PASSWORD, "cookie": cookie}
    status, answer, set_cookie = call(port, f"{V2}/auth/login", body)
    assert status == 200
    return {**answer, "set_cookie": set_cookie}


def all_at_once(action, n: int = PARALLEL) -> list[Any]:
    barrier = threading.Barrier(n, timeout=30)

    def run(_):
        barrier.wait()
        return action()

    with ThreadPoolExecutor(n) as pool:
        return [f.result(timeout=120) for f in [pool.submit(run, i) for i in range(n)]]


def rounds() -> Iterator[int]:
    deadline = time.monotonic() + SECONDS
    for n in range(ROUNDS):
        if n and time.monotonic() > deadline:
            return
        yield n


def me(port: int, access: str) -> int:
    return call(port, f"{V2}/me", headers={"Authorization": f"Bearer {access}"})[0]


def test_parallel_body_refreshes_with_one_token_all_get_the_same_session(port):
    for _ in rounds():
        pair = signed_up(port, cookie=False)
        sid = jwt.decode(pair["access_token"], options={"verify_signature": False})["sid"]
        answers = all_at_once(
            lambda pair=pair: call(
                port, f"{V2}/auth/refresh", {"refresh_token": pair["refresh_token"]}
            )
        )
        assert [status for status, _, _ in answers] == [200] * PARALLEL, answers
        assert len({body["refresh_token"] for _, body, _ in answers}) == 1
        for _, body, _ in answers:
            claims = jwt.decode(body["access_token"], options={"verify_signature": False})
            assert claims["sid"] == sid
            assert me(port, body["access_token"]) == 200
        newest = answers[0][1]["refresh_token"]
        assert call(port, f"{V2}/auth/refresh", {"refresh_token": newest})[0] == 200


def test_parallel_cookie_refreshes_from_two_tabs_both_stay_signed_in(port):
    for _ in rounds():
        login = signed_up(port, cookie=True)
        cookie = login["set_cookie"].split(";")[0]
        headers = {"Cookie": cookie, "X-CSRF-Token": login["csrf_token"]}
        answers = all_at_once(lambda headers=headers: call(port, f"{V2}/auth/refresh", {}, headers))
        assert [status for status, _, _ in answers] == [200] * PARALLEL, answers
        assert len({set_cookie.split(";")[0] for _, _, set_cookie in answers}) == 1
        for _, body, _ in answers:
            assert me(port, body["access_token"]) == 200
