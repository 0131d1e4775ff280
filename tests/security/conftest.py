"""Fixtures for the attack tests.

These tests talk to the app through ``checked_client``: a test client that runs
``check_response`` (tests/helpers.py) on every answer, so an error body has the one JSON
shape, a 401 carries ``WWW-Authenticate: Bearer``, and no body ever contains a traceback,
SQL, a password hash or the signing key. The plain ``client`` fixture is not replaced here:
a test that takes ``client`` gets the unchecked one, as everywhere else.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..helpers import VERSIONS, Auth, checked_client_for


@pytest.fixture
def checked_client(app: Flask) -> FlaskClient:
    """A client for ``app`` that fails the test on any leaking or malformed answer."""
    return checked_client_for(app)


@pytest.fixture
def checked_auth(app: Flask, checked_client: FlaskClient) -> Auth:
    """``auth``, but logging in through ``checked_client``."""
    return Auth(app, checked_client)


@pytest.fixture(params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def alice(checked_auth: Auth) -> int:
    """A user named alice (password ``PASSWORD``) who owns a post and a todo."""
    user_id = checked_auth.create_user("alice", email="alice@example.com")
    headers = checked_auth.headers("alice")
    client = checked_auth.client
    posted = client.post(
        "/api/v2/posts", json={"title": "alice's", "content": "post"}, headers=headers
    )
    assert posted.status_code == 201
    assert (
        client.post("/api/v2/todos", json={"title": "alice's todo"}, headers=headers).status_code
        == 201
    )
    return user_id
