"""v2 login: by username or e-mail, case-insensitively; bad or missing credentials.

What happens to the tokens afterwards (shape, refresh rotation, logout, logout-all) is
tested once, in tests/security/test_token_lifecycle.py."""

import pytest

from ..helpers import PASSWORD, V2, assert_error, bearer


def test_login_by_username_or_email_ignores_case_and_answers_for_that_user(client, auth):
    auth.create_user("bob", email="bob@example.com")  # someone else who could be mixed up
    alice = auth.create_user("alice", email="alice@example.com")
    for creds in ({"username": "ALICE"}, {"email": "Alice@Example.com"}):
        response = client.post(f"{V2}/auth/login", json={**creds, "password": PASSWORD})
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        me = client.get(f"{V2}/me", headers=bearer(response.json["access_token"]))
        assert me.status_code == 200
        assert (me.json["id"], me.json["username"]) == (alice, "alice")


@pytest.mark.parametrize(
    "creds",
    [{"username": "alice", "password": "wrong password"}, {"username": "nobody", "password": "x"}],
)
def test_login_with_bad_credentials_is_401(client, auth, creds):
    auth.create_user("alice")
    response = client.post(f"{V2}/auth/login", json=creds)
    assert assert_error(response, 401, "invalid_credentials")["message"] == "Invalid credentials"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": PASSWORD}, "username"), ({"username": "alice"}, "password")],
)
def test_login_missing_fields_is_422(client, auth, body, field):
    auth.create_user("alice")
    assert field in assert_error(client.post(f"{V2}/auth/login", json=body), 422)["errors"]
