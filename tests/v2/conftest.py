"""Fixtures for the v2 tests (helpers such as ``parse_links`` live in tests/helpers.py)."""

from __future__ import annotations

import pytest
from flask import Flask

from ..helpers import Seed


@pytest.fixture
def seed(app: Flask) -> Seed:
    """Insert rows straight into the database (fast, with chosen timestamps)."""
    return Seed(app)
