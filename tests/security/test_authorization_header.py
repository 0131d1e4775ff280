"""Where a token may come from: only ``Authorization: Bearer``, never a query string or cookie."""

import pytest

from ..helpers import assert_accepted, assert_refused, bearer


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
def test_missing_or_foreign_scheme_is_missing_token(app, checked_client, version, alice, value):
    headers = {} if value is None else {"Authorization": value}
    assert_refused(app, checked_client, version, headers, "Missing token")


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT", "Bearer:", "Bearer-"])
def test_a_valid_token_under_another_scheme_is_missing_token(
    app, checked_client, version, checked_auth, alice, scheme
):
    token = checked_auth.login("alice")["access_token"]
    assert_refused(
        app, checked_client, version, {"Authorization": f"{scheme} {token}"}, "Missing token"
    )


@pytest.mark.parametrize(
    "template",
    ["bearer {}", "BEARER {}", "bEaReR {}", "Bearer  {}", "Bearer {}  ", "  Bearer {}"],
    ids=["lower", "upper", "mixed", "two-spaces", "trailing", "leading"],
)
def test_scheme_is_case_insensitive_and_spaces_are_tolerated(
    checked_client, version, checked_auth, alice, template
):
    token = checked_auth.login("alice")["access_token"]
    assert_accepted(checked_client, version, {"Authorization": template.format(token)}, alice)


@pytest.mark.parametrize(
    "template",
    ["Bearer {} {}", "Bearer {},{}", "Bearer {}\t{}"],
    ids=["space", "comma", "tab"],
)
def test_two_tokens_in_one_header_are_invalid(
    app, checked_client, version, checked_auth, alice, template
):
    token = checked_auth.login("alice")["access_token"]
    assert_refused(app, checked_client, version, {"Authorization": template.format(token, token)})


@pytest.mark.parametrize("param", ["token", "access_token", "jwt", "auth"])
def test_token_in_query_string_is_ignored(app, checked_client, version, checked_auth, alice, param):
    token = checked_auth.login("alice")["access_token"]
    before_path = f"/api/{version}/me?{param}={token}"
    response = checked_client.get(before_path)
    assert response.status_code == 401
    assert response.json["message"] == "Missing token"
    write = checked_client.post(
        f"/api/{version}/posts?{param}={token}", json={"title": "t", "content": "c"}
    )
    assert write.status_code == 401
    assert write.json["code"] == "token_missing"


@pytest.mark.parametrize("name", ["token", "access_token", "Authorization", "session"])
def test_token_in_a_cookie_is_ignored(app, checked_client, version, checked_auth, alice, name):
    token = checked_auth.login("alice")["access_token"]
    checked_client.set_cookie(name, token)
    checked_client.set_cookie("Authorization", f"Bearer {token}")
    assert_refused(app, checked_client, version, {}, "Missing token")


def test_token_in_the_body_is_ignored(app, checked_client, version, checked_auth, alice):
    token = checked_auth.login("alice")["access_token"]
    response = checked_client.post(
        f"/api/{version}/posts",
        json={"title": "t", "content": "c", "token": token, "access_token": token},
    )
    assert response.status_code == 401
    assert response.json["message"] == "Missing token"


def test_401_challenges_name_the_bearer_scheme(checked_client, version, checked_auth, alice):
    missing = checked_client.get(f"/api/{version}/me")
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    invalid = checked_client.get(f"/api/{version}/me", headers=bearer("x.y.z"))
    assert invalid.headers["WWW-Authenticate"] == (
        'Bearer error="invalid_token", error_description="Invalid token"'
    )
