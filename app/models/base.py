"""Limits, time and the column type every model shares."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

USERNAME_MAX = 64
EMAIL_MAX = 254
TITLE_MAX = 200
CONTENT_MAX = 100_000
DESCRIPTION_MAX = 10_000
BIO_MAX = 500
IMAGE_MAX = 500
SLUG_MAX = 100
SUMMARY_MAX = 300
TAG_MAX = 32
TAGS_MAX = 10
COMMENT_MAX = 10_000
ID_MAX = 2**31 - 1


def insert_for(dialect: str) -> Any:
    """The ``insert`` construct with ``on_conflict_do_nothing`` for ``dialect``'s name
    (PostgreSQL's or SQLite's; both have ``INSERT … ON CONFLICT``)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def utcnow() -> datetime:
    return datetime.now(UTC)


def username_key(username: str) -> str:
    """Return the form of a username that uniqueness is checked on (case-insensitive)."""
    return unicodedata.normalize("NFKC", username).casefold()


class UTCDateTime(sa.TypeDecorator):
    """Store UTC as a naive timestamp on every backend; always hand back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
