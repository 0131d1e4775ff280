"""Tokens signed with the right key whose claims are wrong: missing, mistyped, out of time,
for the wrong user or the wrong purpose, or from the wrong issuer or audience.

An attacker who holds the key is out of scope; these pin that the app checks every claim
itself and never trusts the shape of a payload (a bad claim is a 401, never a 500).
"""

import time

import pytest

from ..helpers import (
    assert_accepted,
    assert_refused,
    bearer,
    checked_client_for,
    claims_of,
    forge,
    valid_claims,
)


def test_a_token_built_like_the_apps_own_is_accepted(app, checked_client, version, alice):
    # The control for every test below: only the one change makes the difference.
    assert_accepted(checked_client, version, bearer(forge(app, valid_claims(alice))), alice)


@pytest.mark.parametrize("claim", ["sub", "jti", "iat", "nbf", "exp", "type", "ver", "sid"])
def test_each_required_claim_missing_is_invalid(app, checked_client, version, alice, claim):
    token = forge(app, valid_claims(alice, **{claim: None}))
    assert claim not in claims_of(token)
    assert_refused(app, checked_client, version, bearer(token))


WRONG_TYPES = [
    ("sub", 1),
    ("sub", "abc"),
    ("sub", "-1"),
    ("sub", "0"),
    ("sub", "01"),
    ("sub", " 1"),
    ("sub", "1.0"),
    ("sub", "99999999999"),
    ("sub", "2147483648"),
    ("sub", ""),
    ("sub", None),  # see below: replaced by JSON null
    ("jti", 5),
    ("jti", ""),
    ("jti", "x" * 500),
    ("ver", "0"),
    ("ver", True),
    ("ver", 0.0),
    ("ver", [0]),
    ("type", 5),
    ("type", "ACCESS"),
    ("type", ["access"]),
    ("type", ""),
    ("exp", "soon"),
    ("exp", [1]),
    ("iat", [1]),
    ("iat", "now"),
    ("nbf", "now"),
    ("nbf", {"a": 1}),
    ("exp", 10**20),
    ("exp", 253_402_300_800),
    ("iat", -5),
    ("sid", "1"),
    ("sid", True),
    ("sid", 1.0),
    ("sid", 0),
    ("sid", 2**31),
    ("sid", None),
]


@pytest.mark.parametrize(
    ("claim", "value"), WRONG_TYPES, ids=[f"{c}={v!r}"[:40] for c, v in WRONG_TYPES]
)
def test_wrongly_typed_claim_is_invalid(app, checked_client, version, alice, claim, value):
    claims = valid_claims(alice)
    claims[claim] = value  # None stays: a JSON null
    assert_refused(app, checked_client, version, bearer(forge(app, claims)))


@pytest.mark.parametrize(
    "exp",
    [10**20, 1e20, 253_402_300_800, "future-float"],
    ids=["huge-int", "huge-float", "year-10000", "float"],
)
def test_absurd_timestamps_are_invalid_where_tokens_are_revoked(app, checked_client, alice, exp):
    # Logout and refresh store the token's expiry; a timestamp no datetime can hold must be
    # refused up front, not crash there (only a holder of the key could sign one, but still).
    if exp == "future-float":
        exp = time.time() + 600.5
    access = forge(app, valid_claims(alice, exp=exp))
    refresh = forge(app, valid_claims(alice, "refresh", exp=exp))
    for response in (
        checked_client.post("/api/v1/logout", headers=bearer(access)),
        checked_client.post("/api/v2/auth/logout", headers=bearer(access)),
        checked_client.post("/api/v2/auth/refresh", json={"refresh_token": refresh}),
    ):
        assert response.status_code == 401
        assert response.json["code"] == "token_invalid"


def test_sub_of_the_user_as_int_is_invalid_though_the_user_exists(
    app, checked_client, version, alice
):
    assert_refused(app, checked_client, version, bearer(forge(app, valid_claims(alice, sub=alice))))


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_token_not_valid_yet_is_invalid(app, checked_client, version, alice, claim):
    later = int(time.time()) + 3600
    assert_refused(
        app, checked_client, version, bearer(forge(app, valid_claims(alice, **{claim: later})))
    )


def test_expired_token_says_so(app, checked_client, version, alice):
    past = int(time.time()) - 3600
    token = forge(app, valid_claims(alice, iat=past - 60, nbf=past - 60, exp=past))
    assert_refused(app, checked_client, version, bearer(token), "Token has expired")


def test_expired_token_with_a_bad_signature_is_invalid_not_expired(
    app, checked_client, version, alice
):
    past = int(time.time()) - 3600
    token = forge(app, valid_claims(alice, exp=past), key="x" * 40)
    assert_refused(app, checked_client, version, bearer(token))


def test_token_of_an_unknown_user_is_invalid(app, checked_client, version, alice):
    assert_refused(app, checked_client, version, bearer(forge(app, valid_claims(alice + 1000))))


def test_token_of_a_deleted_user_is_invalid_even_after_a_new_signup(
    app, checked_client, version, checked_auth
):
    checked_auth.create_user("bob")
    token = checked_auth.login("bob")["access_token"]
    bob_id = int(claims_of(token)["sub"])
    deleted = checked_client.delete(
        "/api/v2/me", json={"current_password": "correct horse battery"}, headers=bearer(token)
    )
    assert deleted.status_code == 204
    assert_refused(app, checked_client, version, bearer(token))
    # A new account must not inherit bob's id (SQLite reuses the highest rowid otherwise),
    # or bob's old token would log in as the newcomer.
    signup = checked_client.post(
        f"/api/{version}/users", json={"username": "eve", "password": "password123"}
    )
    assert signup.status_code == 201
    assert signup.json["id"] != bob_id
    assert_refused(app, checked_client, version, bearer(token))


def test_stale_token_version_is_invalid(app, checked_client, version, alice):
    token = forge(app, valid_claims(alice, ver=1))
    assert_refused(app, checked_client, version, bearer(token))


def test_refresh_token_is_not_an_access_token(app, checked_client, version, checked_auth, alice):
    pair = checked_auth.login("alice")
    assert claims_of(pair["refresh_token"])["type"] == "refresh"
    assert_refused(app, checked_client, version, bearer(pair["refresh_token"]))


@pytest.mark.parametrize("kind", ["real", "forged"])
def test_access_token_is_not_a_refresh_token(app, checked_client, checked_auth, alice, kind):
    access = (
        checked_auth.login("alice")["access_token"]
        if kind == "real"
        else forge(app, valid_claims(alice))
    )
    response = checked_client.post("/api/v2/auth/refresh", json={"refresh_token": access})
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"
    # And it is still a working access token: nothing was revoked or bumped.
    assert_accepted(checked_client, "v2", bearer(access), alice)


def test_token_without_type_is_neither_access_nor_refresh(app, checked_client, alice):
    token = forge(app, valid_claims(alice, type=None))
    assert (
        checked_client.post("/api/v2/auth/refresh", json={"refresh_token": token}).status_code
        == 401
    )
    assert checked_client.get("/api/v2/me", headers=bearer(token)).status_code == 401


# --- issuer, audience, leeway ---------------------------------------------------------------


def test_token_with_aud_is_invalid_when_no_audience_is_configured(
    app, checked_client, version, alice
):
    for aud in ("blog-frontend", "", ["blog-frontend"], []):
        assert_refused(
            app, checked_client, version, bearer(forge(app, valid_claims(alice, aud=aud)))
        )


@pytest.fixture
def iss_aud_app(app_factory):
    return app_factory(JWT_ISSUER="https://blog.test", JWT_AUDIENCE="blog-frontend")


@pytest.fixture
def iss_aud_user(iss_aud_app):
    from ..helpers import Auth

    checked_auth = Auth(iss_aud_app, checked_client_for(iss_aud_app))
    return checked_auth.create_user("alice"), checked_auth


def test_configured_issuer_and_audience_are_issued_and_accepted(iss_aud_app, iss_aud_user, version):
    user_id, checked_auth = iss_aud_user
    pair = checked_auth.login("alice")
    claims = claims_of(pair["access_token"])
    assert claims["iss"] == "https://blog.test"
    assert claims["aud"] == "blog-frontend"
    assert_accepted(checked_auth.client, version, bearer(pair["access_token"]), user_id)
    refreshed = checked_auth.client.post(
        "/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert refreshed.status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "https://evil.test"},
        {"aud": "another-app"},
        {"iss": None},
        {"aud": None},
        {"iss": ["https://blog.test"]},
        {"aud": 5},
    ],
    ids=["wrong-iss", "wrong-aud", "no-iss", "no-aud", "iss-list", "aud-int"],
)
def test_wrong_or_missing_issuer_or_audience_is_invalid(iss_aud_app, iss_aud_user, version, change):
    user_id, checked_auth = iss_aud_user
    claims = valid_claims(user_id, **{"iss": "https://blog.test", "aud": "blog-frontend", **change})
    assert_refused(iss_aud_app, checked_auth.client, version, bearer(forge(iss_aud_app, claims)))
    good = valid_claims(user_id, iss="https://blog.test", aud="blog-frontend")
    assert_accepted(checked_auth.client, version, bearer(forge(iss_aud_app, good)), user_id)


@pytest.mark.parametrize(("leeway", "accepted"), [(0, False), (120, True)])
def test_leeway_is_honoured_for_exp_and_nbf(app_factory, version, leeway, accepted):
    from ..helpers import Auth

    app = app_factory(JWT_LEEWAY=leeway)
    checked_auth = Auth(app, checked_client_for(app))
    user_id = checked_auth.create_user("alice")
    now = int(time.time())
    just_expired = forge(app, valid_claims(user_id, iat=now - 600, nbf=now - 600, exp=now - 60))
    not_quite_valid = forge(app, valid_claims(user_id, iat=now, nbf=now + 60))
    for token in (just_expired, not_quite_valid):
        if accepted:
            assert_accepted(checked_auth.client, version, bearer(token), user_id)
        else:
            response = checked_auth.client.get(f"/api/{version}/me", headers=bearer(token))
            assert response.status_code == 401
    # Leeway is a tolerance, not a licence: far outside it is still refused.
    long_expired = forge(app, valid_claims(user_id, iat=now - 9000, nbf=now - 9000, exp=now - 3600))
    assert_refused(app, checked_auth.client, version, bearer(long_expired), "Token has expired")
