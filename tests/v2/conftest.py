"""Helpers for the v2 tests: seeding rows directly, reading rows back, parsing ``Link``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.models import Post, Todo, User

from ..conftest import unique_slug

V2 = "/api/v2"
BASE_TIME = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
_LINK_RE = re.compile(r'<([^>]*)>\s*;\s*rel="([^"]+)"')


class Seed:
    """Insert rows straight into the database (fast, with chosen timestamps)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def post(
        self,
        user_id: int,
        title: str = "a title",
        content: str = "some content",
        *,
        published: bool = True,
        minute: int = 0,
    ) -> int:
        when = BASE_TIME + timedelta(minutes=minute)
        with self.app.app_context():
            post = Post(
                title=title,
                slug=unique_slug(),
                content=content,
                published=published,
                user_id=user_id,
                created_at=when,
                updated_at=when,
            )
            db.session.add(post)
            db.session.commit()
            return post.id

    def posts(self, user_ids: list[int], count: int) -> list[int]:
        """Insert ``count`` published posts spread round-robin over ``user_ids``."""
        with self.app.app_context():
            rows = [
                Post(
                    title=f"post {n:03d}",
                    slug=unique_slug(),
                    content=f"content {n:03d}",
                    user_id=user_ids[n % len(user_ids)],
                    created_at=BASE_TIME + timedelta(minutes=n),
                    updated_at=BASE_TIME + timedelta(minutes=n),
                )
                for n in range(count)
            ]
            db.session.add_all(rows)
            db.session.commit()
            return [row.id for row in rows]

    def todo(
        self,
        user_id: int,
        title: str = "a todo",
        *,
        completed: bool = False,
        due: date | None = None,
        minute: int = 0,
    ) -> int:
        when = BASE_TIME + timedelta(minutes=minute)
        with self.app.app_context():
            todo = Todo(
                title=title,
                completed=completed,
                due_date=due,
                user_id=user_id,
                created_at=when,
                updated_at=when,
            )
            db.session.add(todo)
            db.session.commit()
            return todo.id


@pytest.fixture
def seed(app: Flask) -> Seed:
    return Seed(app)


def row(app: Flask, model: type, ident: int) -> dict[str, Any] | None:
    """Return a row's columns as a dict (None when it is gone), read fresh from the database."""
    with app.app_context():
        obj = db.session.get(model, ident)
        if obj is None:
            return None
        return {c.key: getattr(obj, c.key) for c in sa.inspect(model).columns}


def user_id(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def parse_links(header: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Parse an RFC 8288 ``Link`` value into ``{rel: (path, {query param: value})}``."""
    links = {}
    for url, rel in _LINK_RE.findall(header):
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        links[rel] = (parts.path, query)
    return links


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """Collect every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:
    """Check the one JSON error shape and return the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.json
    assert set(body) <= {"error", "message", "code", "errors"}
    assert {"error", "message", "code"} <= set(body)
    assert all(isinstance(body[key], str) and body[key] for key in ("error", "message", "code"))
    if code is not None:
        assert body["code"] == code
    return body


def assert_timestamp(value: str) -> None:
    """An ISO 8601 UTC timestamp with an explicit offset."""
    assert value.endswith(("Z", "+00:00")), value
    datetime.fromisoformat(value.replace("Z", "+00:00"))
