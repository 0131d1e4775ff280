"""Where a token may come from: only ``Authorization: Bearer``, never a query string or cookie."""

import pytest

from ..conftest import bearer
from .conftest import assert_accepted, assert_refused


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "Bearer", "Bearer ", "Bearer    ", "Basic xxx", "Token xxx", "JWT xxx"],
    ids=[
        "absent",
        "empty",
        "blank",
        "scheme-only",
        "scheme-space",
        "scheme-spaces",
        "basic",
        "token",
        "jwt",
    ],
)
def test_missing_or_foreign_scheme_is_missing_token(app, client, version, alice, value):
    headers = {} if value is None else {"Authorization": value}
    assert_refused(app, client, version, headers, "Missing token")


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT", "Bearer:", "Bearer-"])
def test_a_valid_token_under_another_scheme_is_missing_token(
    app, client, version, auth, alice, scheme
):
    token = auth.login("alice")["access_token"]
    assert_refused(app, client, version, {"Authorization": f"{scheme} {token}"}, "Missing token")


@pytest.mark.parametrize(
    "template",
    ["bearer {}", "BEARER {}", "bEaReR {}", "Bearer  {}", "Bearer {}  ", "  Bearer {}"],
    ids=["lower", "upper", "mixed", "two-spaces", "trailing", "leading"],
)
def test_scheme_is_case_insensitive_and_spaces_are_tolerated(
    client, version, auth, alice, template
):
    token = auth.login("alice")["access_token"]
    assert_accepted(client, version, {"Authorization": template.format(token)}, alice)


@pytest.mark.parametrize(
    "template",
    ["Bearer {} {}", "Bearer {},{}", "Bearer {}\t{}"],
    ids=["space", "comma", "tab"],
)
def test_two_tokens_in_one_header_are_invalid(app, client, version, auth, alice, template):
    token = auth.login("alice")["access_token"]
    assert_refused(app, client, version, {"Authorization": template.format(token, token)})


@pytest.mark.parametrize("param", ["token", "access_token", "jwt", "auth"])
def test_token_in_query_string_is_ignored(app, client, version, auth, alice, param):
    token = auth.login("alice")["access_token"]
    before_path = f"/api/{version}/me?{param}={token}"
    response = client.get(before_path)
    assert response.status_code == 401
    assert response.json["message"] == "Missing token"
    write = client.post(
        f"/api/{version}/posts?{param}={token}", json={"title": "t", "content": "c"}
    )
    assert write.status_code == 401
    assert write.json["code"] == "token_missing"


@pytest.mark.parametrize("name", ["token", "access_token", "Authorization", "session"])
def test_token_in_a_cookie_is_ignored(app, client, version, auth, alice, name):
    token = auth.login("alice")["access_token"]
    client.set_cookie(name, token)
    client.set_cookie("Authorization", f"Bearer {token}")
    assert_refused(app, client, version, {}, "Missing token")


def test_token_in_the_body_is_ignored(app, client, version, auth, alice):
    token = auth.login("alice")["access_token"]
    response = client.post(
        f"/api/{version}/posts",
        json={"title": "t", "content": "c", "token": token, "access_token": token},
    )
    assert response.status_code == 401
    assert response.json["message"] == "Missing token"


def test_401_challenges_name_the_bearer_scheme(client, version, auth, alice):
    missing = client.get(f"/api/{version}/me")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    invalid = client.get(f"/api/{version}/me", headers=bearer("x.y.z"))
    assert invalid.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="Invalid token"'
    )
