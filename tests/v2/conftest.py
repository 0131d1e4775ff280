"""Fixtures for the v2 tests (helpers such as ``parse_links`` live in tests/helpers.py)."""

from __future__ import annotations

import pytest
from flask import Flask

from ..helpers import Auth, Seed, user_id


@pytest.fixture
def seed(app: Flask) -> Seed:
    """Insert rows straight into the database (fast, with chosen timestamps)."""
    return Seed(app)


@pytest.fixture
def alice(auth: Auth) -> dict[str, str]:
    """A user named alice; her Authorization headers."""
    return auth.user("alice")


@pytest.fixture
def alice_id(app: Flask, alice: dict[str, str]) -> int:
    return user_id(app, "alice")
