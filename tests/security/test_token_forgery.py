"""Forged and mangled tokens: wrong algorithms, foreign keys, tampering, giant tokens.

Each attack runs against a read (``GET /me``) and a write (``POST /posts``) of both
versions, and must answer 401 ``Invalid token`` and leave the database as it was.
"""

import json

import jwt
import pytest

from ..helpers import (
    assert_accepted,
    assert_refused,
    b64json,
    b64url,
    bearer,
    claims_of,
    forge,
    header_of,
    unsigned,
    valid_claims,
)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_alg_none_in_any_casing_is_refused(app, checked_client, version, alice, alg):
    token = unsigned({"alg": alg, "typ": "JWT"}, valid_claims(alice))
    assert_refused(app, checked_client, version, bearer(token))
    # The same, with a trailing signature made with the right key over the header.
    signed = forge(app, valid_claims(alice))
    token = unsigned({"alg": alg, "typ": "JWT"}, valid_claims(alice), signed.split(".")[2])
    assert_refused(app, checked_client, version, bearer(token))


def test_stripped_signature_is_refused(app, checked_client, version, alice):
    header, payload, _ = forge(app, valid_claims(alice)).split(".")
    assert_refused(app, checked_client, version, bearer(f"{header}.{payload}."))
    assert_refused(app, checked_client, version, bearer(f"{header}.{payload}"))


def test_token_signed_with_another_key_is_refused(app, checked_client, version, alice):
    foreign = forge(app, valid_claims(alice), key="another-key-that-is-also-long-enough-0123")
    assert_refused(app, checked_client, version, bearer(foreign))


def test_signature_from_another_token_is_refused(app, checked_client, version, alice, checked_auth):
    checked_auth.create_user("mallory")
    mallory = checked_auth.login("mallory")["access_token"]
    header, payload, _ = forge(app, valid_claims(alice)).split(".")
    stolen_signature = mallory.split(".")[2]
    assert_refused(app, checked_client, version, bearer(f"{header}.{payload}.{stolen_signature}"))


@pytest.mark.parametrize(
    "change",
    [
        {"sub": "999"},
        {"ver": 7},
        {"type": "refresh"},
        {"exp": 4102444800},
        {"is_admin": True},
    ],
    ids=["sub", "ver", "type", "exp", "extra-claim"],
)
def test_tampered_payload_is_refused(app, checked_client, version, alice, checked_auth, change):
    token = checked_auth.login("alice")["access_token"]
    header, _, signature = token.split(".")
    tampered = {**claims_of(token), **change}
    assert_refused(
        app, checked_client, version, bearer(f"{header}.{b64json(tampered)}.{signature}")
    )
    assert_accepted(checked_client, version, bearer(token), alice)  # the genuine one still works


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 wants 64
@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_other_hmac_algorithms_with_the_right_key_are_refused(
    app, checked_client, version, alice, alg
):
    token = forge(app, valid_claims(alice), algorithm=alg)
    assert header_of(token)["alg"] == alg
    assert_refused(app, checked_client, version, bearer(token))


def test_rs256_header_is_refused(app, checked_client, version, alice):
    # Algorithm confusion: an RS256 header over an HMAC made with the app's own key.
    signed = forge(app, valid_claims(alice))
    token = unsigned({"alg": "RS256", "typ": "JWT"}, valid_claims(alice), signed.split(".")[2])
    assert_refused(app, checked_client, version, bearer(token))


def test_header_with_extra_fields_still_needs_the_key(app, checked_client, version, alice):
    token = forge(
        app,
        valid_claims(alice),
        key="not-the-key-but-long-enough-0123456789abcdef",
        headers={"kid": "../../dev/null", "jku": "https://evil.test/keys"},
    )
    assert_refused(app, checked_client, version, bearer(token))


@pytest.mark.parametrize("depth", [10_000, 1_400, 900], ids=["10000", "1400", "900"])
def test_deeply_nested_json_header_is_refused(app, checked_client, version, alice, depth):
    header = b64url(("[" * depth + "]" * depth).encode())
    token = f"{header}.{b64json(valid_claims(alice))}.{b64url(b'x' * 32)}"
    assert_refused(app, checked_client, version, bearer(token))


def test_deeply_nested_json_payload_signed_with_the_key_is_refused(
    app, checked_client, version, alice
):
    # Correctly signed, so the payload really gets parsed.
    nested = "[" * 1_000 + "]" * 1_000
    header = b64json({"alg": "HS256", "typ": "JWT"})
    payload = b64url(('{"sub": "1", "x": ' + nested + "}").encode())
    signing_input = f"{header}.{payload}".encode()
    signature = jwt.algorithms.HMACAlgorithm(jwt.algorithms.HMACAlgorithm.SHA256).sign(
        signing_input, app.config["SECRET_KEY"].encode()
    )
    assert_refused(app, checked_client, version, bearer(f"{header}.{payload}.{b64url(signature)}"))


def test_100_kb_token_is_refused(app, checked_client, version, alice):
    big = valid_claims(alice, padding="A" * 100_000)
    token = forge(app, big)
    assert len(token) > 100_000
    assert_refused(app, checked_client, version, bearer(token))


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.b.c.d",
        "....",
        "%%%.%%%.%%%",
        "eyJ.eyJ.sig",
        b64json({"alg": "HS256"}) + "." + b64url(b"\xff\xfe not json") + ".sig",
        b64json(["alg", "HS256"]) + "." + b64json({}) + ".sig",
        b64json({"alg": "HS256"}) + "." + b64json([1, 2, 3]) + ".sig",
        "\u00e9\u00e9.\u00e9\u00e9.\u00e9\u00e9",
    ],
    ids=[
        "word",
        "two-parts",
        "four-parts",
        "dots",
        "percent",
        "stubs",
        "binary-payload",
        "array-header",
        "array-payload",
        "non-ascii",
    ],
)
def test_malformed_tokens_are_refused(app, checked_client, version, alice, token):
    assert_refused(app, checked_client, version, {"Authorization": f"Bearer {token}"})


def test_revoked_token_reencoded_with_padding_stays_revoked(
    app, checked_client, version, checked_auth, alice
):
    token = checked_auth.login("alice")["access_token"]
    assert checked_client.post("/api/v2/auth/logout", headers=bearer(token)).status_code == 204
    header, payload, signature = token.split(".")
    padded = signature + "=" * (-len(signature) % 4)
    assert padded != signature  # an HS256 signature is 43 characters: one "=" of padding
    assert_refused(
        app,
        checked_client,
        version,
        bearer(f"{header}.{payload}.{padded}"),
        "Token has been revoked",
    )
    # Re-serialising the header (same JSON, other spacing) changes the signature: refused.
    spaced = b64url(json.dumps(header_of(token), indent=1).encode())
    assert_refused(app, checked_client, version, bearer(f"{spaced}.{payload}.{signature}"))


def test_with_a_jwt_secret_key_the_secret_key_no_longer_signs(app_factory, version):
    from ..helpers import Auth, checked_client_for

    app = app_factory(JWT_SECRET_KEY="a-separate-jwt-signing-key-0123456789abcdef")
    checked_auth = Auth(app, checked_client_for(app))
    user_id = checked_auth.create_user("alice")
    signed_with_secret_key = forge(app, valid_claims(user_id), key=app.config["SECRET_KEY"])
    assert_refused(app, checked_auth.client, version, bearer(signed_with_secret_key))
    assert_accepted(checked_auth.client, version, checked_auth.headers("alice"), user_id)
