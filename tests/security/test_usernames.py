"""Usernames: no "@" (a username must never shadow someone's e-mail login) and a real
identifier profile (PRECIS UsernameCaseMapped, RFC 8265, per space-separated part, plus a
single-script rule): no invisible, format or bidi-control characters, no mixed scripts."""

import pytest

from ..helpers import PASSWORD, bearer

REGISTER = {"v1": "/api/v1/users", "v2": "/api/v2/users"}
REFUSED = {"v1": 400, "v2": 422}

BAD = {
    "email-like": "victim@example.com",
    "at-sign": "al@ice",
    "zero-width-space": "ali\u200bce",
    "soft-hyphen": "ali\u00adce",
    "bom": "\ufeffalice",
    "word-joiner": "ali\u2060ce",
    "mongolian-vowel-separator": "ali\u180ece",
    "tag-character": "alice\U000e0041",
    "rtl-override": "ali\u202ece",
    "cyrillic-a-in-latin": "p\u0430ypal",
    "greek-omicron-in-latin": "g\u03bfogle",
    "emoji": "alice\U0001f600",
    "scripts-mixed-across-words": "alice \u0438\u0432\u0430\u043d",
    "double-space": "alice  smith",
}
GOOD = ["alice", "Zoë", "Иван", "山田たろう", "alice_1.b-c", "Alice Smith", "ＡＢＣdef"]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("username", list(BAD.values()), ids=list(BAD))
def test_new_usernames_are_refused(client, version, username):
    response = client.post(REGISTER[version], json={"username": username, "password": PASSWORD})
    assert response.status_code == REFUSED[version], response.json
    assert "username" in response.json["errors"]


@pytest.mark.parametrize("username", GOOD)
def test_ordinary_names_in_any_one_script_are_fine(client, username):
    response = client.post(REGISTER["v2"], json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    assert response.json["username"] == username


@pytest.mark.parametrize("username", ["victim@example.com", "ali\u200bce", "p\u0430ypal"])
def test_renames_are_refused_too(client, auth, username):
    headers = auth.user("alice")
    response = client.patch("/api/v2/me", json={"username": username}, headers=headers)
    assert response.status_code == 422
    assert "username" in response.json["errors"]


def test_a_username_cannot_take_over_a_login_by_email(client, auth):
    auth.create_user("victim", email="victim@example.com")
    squat = client.post(
        REGISTER["v2"], json={"username": "victim@example.com", "password": "mallory's pw"}
    )
    assert squat.status_code == 422
    login = client.post(
        "/api/v2/auth/login", json={"username": "victim@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200


def test_existing_usernames_with_an_at_sign_keep_working(client, auth):
    auth.create_user("old@style")  # from before the rule: written straight to the database
    headers = bearer(auth.login("old@style")["access_token"])
    response = client.patch(
        "/api/v2/me", json={"email": "o@example.com", "current_password": PASSWORD}, headers=headers
    )
    assert response.status_code == 200
    assert response.json["username"] == "old@style"
