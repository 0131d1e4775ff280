"""E-mail verification: registering with an address or changing it mails a single-use link;
``/me`` shows ``email_verified``."""

import pytest

from app.extensions import db
from app.models import User

from ..helpers import PASSWORD, bearer, sent_mail, token_in

V2 = "/api/v2"


def verify(client, token):
    return client.post(f"{V2}/auth/verify-email", json={"token": token})


def register(client, email="alice@example.com"):
    body = {"username": "alice", "password": PASSWORD, "email": email}
    response = client.post(f"{V2}/users", json=body)
    assert response.status_code == 201
    return response.json


def access(client):
    response = client.post(f"{V2}/auth/login", json={"username": "alice", "password": PASSWORD})
    return bearer(response.json["access_token"])


def test_registering_mails_a_link_that_verifies_the_address_once(mail_app, smtp):
    client = mail_app.test_client()
    assert register(client)["email_verified"] is False
    sent_mail(mail_app)
    [mail] = smtp.to("alice@example.com")
    assert mail["Subject"] == "Confirm your e-mail address"
    token = token_in(mail)
    assert f"/#/verify-email?token={token}" in mail.get_content()
    headers = access(client)
    assert client.get(f"{V2}/me", headers=headers).json["email_verified"] is False

    assert verify(client, token).status_code == 204

    assert client.get(f"{V2}/me", headers=headers).json["email_verified"] is True
    assert client.get("/api/v1/me", headers=headers).json["email_verified"] is True
    again = verify(client, token)
    assert again.status_code == 400 and again.json["code"] == "token_invalid"


def test_registering_without_an_address_sends_nothing(mail_app, smtp):
    client = mail_app.test_client()
    client.post(f"{V2}/users", json={"username": "alice", "password": PASSWORD})
    sent_mail(mail_app)
    assert smtp.messages == []


def test_a_new_address_is_unverified_until_its_own_link_is_opened(mail_app, smtp):
    client = mail_app.test_client()
    register(client)
    sent_mail(mail_app)
    old_token = token_in(smtp.to("alice@example.com")[0])
    headers = access(client)
    changed = client.patch(
        f"{V2}/me",
        json={"email": "new@example.com", "current_password": PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200 and changed.json["email_verified"] is False
    sent_mail(mail_app)

    # The link mailed to the old address no longer verifies anything.
    assert verify(client, old_token).status_code == 400
    assert verify(client, token_in(smtp.to("new@example.com")[0])).status_code == 204
    assert client.get(f"{V2}/me", headers=headers).json["email_verified"] is True


@pytest.mark.parametrize("body", [{}, {"token": 5}, {"token": "x" * 201}, {"token": "a", "x": 1}])
def test_a_bad_body_is_422(client, body):
    assert client.post(f"{V2}/auth/verify-email", json=body).status_code == 422


def test_an_unknown_token_is_400(client):
    response = verify(client, "no-such-token")
    assert response.status_code == 400 and response.json["code"] == "token_invalid"


def test_a_realworld_sign_up_mails_the_link_too(mail_app, smtp):
    client = mail_app.test_client()
    body = {"user": {"username": "alice", "email": "alice@example.com", "password": PASSWORD}}
    assert client.post("/api/users", json=body).status_code == 201
    sent_mail(mail_app)
    assert verify(client, token_in(smtp.to("alice@example.com")[0])).status_code == 204
    with mail_app.app_context():
        assert db.session.query(User).one().email_verified is True
