"""Fixtures of the fault suite: private PostgreSQL and Redis servers, SQLite files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import PrivatePostgres, PrivateRedis


@pytest.fixture(scope="session")
def private_postgres() -> Iterator[PrivatePostgres]:
    server = PrivatePostgres()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_postgres(private_postgres, request) -> str:
    """A new database on the private cluster for this test; its URL."""
    name = "faults_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    private_postgres.sql(f'DROP DATABASE IF EXISTS "{name}"')
    private_postgres.sql(f'CREATE DATABASE "{name}"')
    return private_postgres.url.rsplit("/", 1)[0] + f"/{name}"
