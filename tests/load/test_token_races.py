"""Invalidation races through real gunicorn: 4 gthread workers, production config, SQLite and
PostgreSQL. Two requests start together (a barrier), many rounds, bounded in count and time.

Whatever the interleaving: nothing issued before an invalidation survives it, and of two
password changes that checked the same current password only one succeeds.
tests/security/test_token_races.py replays the worst interleavings deterministically.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from app import create_app
from app.extensions import db
from app.models import User

from ..helpers import BACKENDS, TEST_DATABASE_URL, with_search_path
from ..servers import ROOT, free_port, json_request, migrate, serve

pytestmark = [pytest.mark.slow, pytest.mark.load]

ROUNDS = 6
SECONDS_PER_RACE = 30
PASSWORD = "race test password 123"
V2 = "/api/v2"


@dataclass
class Live:
    port: int
    url: str
    secret: str

    def request(
        self, method: str, path: str, token: str | None = None, body: Any = None
    ) -> tuple[int, dict[str, Any] | None]:
        return json_request(self.port, method, path, token, body)

    def login(self, username: str, password: str = PASSWORD) -> tuple[int, dict | None]:
        return self.request(
            "POST", f"{V2}/auth/login", body={"username": username, "password": password}
        )

    def refresh(self, token: str) -> tuple[int, dict | None]:
        return self.request("POST", f"{V2}/auth/refresh", body={"refresh_token": token})

    def me(self, access: str) -> int:
        return self.request("GET", f"{V2}/me", access)[0]

    def change_password(self, access: str, new: str, current: str = PASSWORD) -> int:
        body = {"password": new, "current_password": current}
        return self.request("PATCH", f"{V2}/me", access, body)[0]

    def user(self) -> str:
        """A new user with PASSWORD (hashed with the server's default parameters)."""
        name = f"racer{uuid.uuid4().hex[:10]}"
        app = create_app(
            "production", {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": self.secret}
        )
        with app.app_context():
            user = User(password_hash=PasswordHasher().hash(PASSWORD))
            user.set_username(name)
            db.session.add(user)
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        return name


@pytest.fixture(scope="module", params=BACKENDS)
def live(request, tmp_path_factory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("races")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'blog.db'}"
    else:
        schema = f"race_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(TEST_DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = with_search_path(TEST_DATABASE_URL, schema)
    secret = secrets.token_urlsafe(48)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JWT_", "ARGON2_"))}
    env.update(
        FLASK_ENV="production",
        SECRET_KEY=secret,
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        RATELIMIT_ENABLED="false",  # the limits are not what these tests are about
        # Every reuse is theft here; tests/load/test_refresh_grace.py runs with the grace.
        JWT_REFRESH_REUSE_GRACE="0",
    )
    port = free_port()
    args = ["-w", "4", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}"]
    args += ["--log-level", "warning", "app:create_app()"]
    try:
        migrate(env)
        with serve(args, cwd=ROOT, env=env, log_path=tmp / "gunicorn.log", port=port):
            yield Live(port, url, secret)
    finally:
        if schema:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def together(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both at once (released by a barrier); return their results."""
    barrier = threading.Barrier(2, timeout=30)

    def run(action):
        barrier.wait()
        return action()

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.submit(run, first), pool.submit(run, second)
        return a.result(timeout=120), b.result(timeout=120)


def rounds() -> Iterator[int]:
    """ROUNDS rounds, fewer when SECONDS_PER_RACE runs out (at least one)."""
    deadline = time.monotonic() + SECONDS_PER_RACE
    for n in range(ROUNDS):
        if n and time.monotonic() > deadline:
            return
        yield n


def test_two_simultaneous_refreshes_leave_no_pair_alive(live):
    for _ in rounds():
        name = live.user()
        status, pair = live.login(name)
        assert status == 200
        answers = together(
            partial(live.refresh, pair["refresh_token"]),
            partial(live.refresh, pair["refresh_token"]),
        )
        assert {status for status, _ in answers} <= {200, 401}
        for status, body in answers:
            if status == 200:  # the winner, killed by the loser's reuse detection
                assert live.me(body["access_token"]) == 401
                assert live.refresh(body["refresh_token"])[0] == 401


def test_a_refresh_racing_logout_all_leaves_no_pair_alive(live):
    for _ in rounds():
        name = live.user()
        thief, victim = live.login(name)[1], live.login(name)[1]
        (refreshed, body), (killed, _) = together(
            partial(live.refresh, thief["refresh_token"]),
            partial(live.request, "POST", f"{V2}/auth/logout-all", victim["access_token"]),
        )
        assert killed == 204
        if refreshed == 200:
            assert live.me(body["access_token"]) == 401
            assert live.refresh(body["refresh_token"])[0] == 401


def test_a_login_racing_a_password_change_does_not_survive_it(live):
    for n in rounds():
        name = live.user()
        owner = live.login(name)[1]
        new = f"new password {n} {uuid.uuid4().hex[:6]}"
        changed, (logged_in, body) = together(
            partial(live.change_password, owner["access_token"], new),
            partial(live.login, name),
        )
        assert changed == 200
        if logged_in == 200:
            assert live.me(body["access_token"]) == 401
        assert live.login(name)[0] == 401
        assert live.login(name, new)[0] == 200


def test_of_two_simultaneous_password_changes_one_wins_consistently(live):
    for n in rounds():
        name = live.user()
        first, second = live.login(name)[1], live.login(name)[1]
        one, two = f"first password {n}", f"second password {n}"
        answers = together(
            partial(live.change_password, first["access_token"], one),
            partial(live.change_password, second["access_token"], two),
        )
        assert sorted(answers) in ([200, 401], [200, 422]), answers
        winner, loser = (one, two) if answers[0] == 200 else (two, one)
        assert live.login(name, winner)[0] == 200
        assert live.login(name, loser)[0] == 401
