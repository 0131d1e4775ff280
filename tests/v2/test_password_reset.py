"""Password reset by mail: identical answers for known and unknown addresses, a single-use
token stored as a hash, every session ended, a mail server that is down changes nothing.

The mail goes through a real SMTP server run in-process (aiosmtpd, the ``smtp`` fixture);
the tests read the token from the mail it received.
"""

import hashlib
import socket
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AccountToken, User, UserSession, utcnow

from ..helpers import (
    PASSWORD,
    Auth,
    assert_refused,
    bearer,
    count_rows,
    sent_mail,
    snapshot,
    token_in,
)
from ..servers import free_port

V2 = "/api/v2"
NEW = "a brand new password"
ADDRESS = "alice@example.com"


def ask(client, email=ADDRESS):
    return client.post(f"{V2}/auth/password-reset", json={"email": email})


def confirm(client, token, password=NEW):
    return client.post(
        f"{V2}/auth/password-reset/confirm", json={"token": token, "password": password}
    )


def login(client, password):
    return client.post(f"{V2}/auth/login", json={"username": "alice", "password": password})


def alice_with_address(app) -> int:
    """User alice with ADDRESS on record (the helpers' own create_user)."""
    return Auth(app, app.test_client()).create_user("alice", PASSWORD, ADDRESS)


@pytest.fixture
def alice(mail_app):
    return alice_with_address(mail_app)


def reset_token(app, smtp, address=ADDRESS):
    sent_mail(app)
    mails = smtp.to(address)
    assert len(mails) == 1
    assert mails[0]["Subject"] == "Reset your password"
    return token_in(mails[0])


def test_known_and_unknown_addresses_get_the_same_answer(mail_app, smtp, alice):
    client = mail_app.test_client()
    known, unknown = ask(client), ask(client, "nobody@example.com")

    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    volatile = {"X-Request-ID", "Date"}
    assert {k: v for k, v in known.headers if k not in volatile} == {
        k: v for k, v in unknown.headers if k not in volatile
    }
    sent_mail(mail_app)
    assert [m["To"] for m in smtp.messages] == [ADDRESS]  # the unknown one got nothing


def test_the_mailed_token_resets_the_password_once_and_ends_every_session(mail_app, smtp, alice):
    client = mail_app.test_client()
    sessions = [login(client, PASSWORD).json for _ in range(2)]
    assert ask(client, " Alice@Example.COM ").status_code == 202
    token = reset_token(mail_app, smtp)
    assert f"http://127.0.0.1:5000/#/reset-password?token={token}" in (
        smtp.messages[0].get_content()
    )

    response = confirm(client, token)

    assert response.status_code == 204
    assert login(client, PASSWORD).status_code == 401
    assert login(client, NEW).status_code == 200
    for pair in sessions:
        assert_refused(mail_app, client, "v2", bearer(pair["access_token"]))
        again = client.post(f"{V2}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert again.status_code == 401
    with mail_app.app_context():
        user = db.session.get(User, alice)
        assert user.email_verified is True  # the mail reached its owner
        # Only the new login's session is left.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 1
    used = confirm(client, token, "yet another password")
    assert used.status_code == 400
    assert used.json["code"] == "token_invalid"
    assert login(client, NEW).status_code == 200


def test_only_a_hash_of_the_token_is_stored(mail_app, smtp, alice):
    ask(mail_app.test_client())
    token = reset_token(mail_app, smtp)
    with mail_app.app_context():
        stored = db.session.scalars(sa.select(AccountToken.token_hash)).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


@pytest.mark.parametrize("token", ["", "x", "not-a-token-at-all", "a" * 43])
def test_an_unknown_token_is_400_and_changes_nothing(mail_app, alice, token):
    client = mail_app.test_client()
    before = snapshot(mail_app)
    response = confirm(client, token)
    assert response.status_code in (400, 422)
    if response.status_code == 400:
        assert response.json["code"] == "token_invalid"
    assert snapshot(mail_app) == before


def test_an_expired_token_is_400(mail_app, smtp, alice):
    client = mail_app.test_client()
    ask(client)
    token = reset_token(mail_app, smtp)
    with mail_app.app_context():
        db.session.execute(
            sa.update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    before = snapshot(mail_app)

    response = confirm(client, token)

    assert response.status_code == 400 and response.json["code"] == "token_invalid"
    assert snapshot(mail_app) == before


def test_the_token_expires_after_password_reset_expires(app_factory, smtp):
    app = app_factory(**smtp.config(), PASSWORD_RESET_EXPIRES=120)
    alice_with_address(app)
    ask(app.test_client())
    reset_token(app, smtp)
    with app.app_context():
        row = db.session.scalars(sa.select(AccountToken)).one()
        assert row.expires_at - row.created_at == pytest.approx(
            timedelta(seconds=120), abs=timedelta(seconds=2)
        )


def test_a_weak_new_password_is_422_and_the_token_stays_usable(mail_app, smtp, alice):
    client = mail_app.test_client()
    ask(client)
    token = reset_token(mail_app, smtp)
    weak = confirm(client, token, "short")
    assert weak.status_code == 422 and "password" in weak.json["errors"]
    assert confirm(client, token).status_code == 204


def test_a_token_mailed_to_an_address_the_account_no_longer_has_is_400(mail_app, smtp, alice):
    client = mail_app.test_client()
    ask(client)
    token = reset_token(mail_app, smtp)
    with mail_app.app_context():
        db.session.execute(sa.update(User).values(email="new@example.com"))
        db.session.commit()
    response = confirm(client, token)
    assert response.status_code == 400 and response.json["code"] == "token_invalid"


def test_two_confirmations_at_once_spend_the_token_once(mail_app, smtp, alice):
    client = mail_app.test_client()
    ask(client)
    token = reset_token(mail_app, smtp)
    results, barrier = [], threading.Barrier(2)

    def attempt(password):
        other = mail_app.test_client()
        barrier.wait()
        results.append(confirm(other, token, password).status_code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in (NEW, "a rival password")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [204, 400]


def test_a_second_request_within_a_minute_sends_no_second_mail(mail_app, smtp, alice):
    client = mail_app.test_client()
    assert ask(client).status_code == ask(client).status_code == 202
    sent_mail(mail_app)
    assert len(smtp.to(ADDRESS)) == 1


def test_reset_requests_and_confirmations_share_the_login_rate_limit(app_factory, smtp):
    app = app_factory(**smtp.config(), RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    assert ask(client).status_code == 202
    assert confirm(client, "x" * 43).status_code == 400
    limited = ask(client)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert confirm(client, "x" * 43).status_code == 429


def test_a_mail_server_that_is_down_changes_no_answer(app_factory):
    app = app_factory(
        MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2
    )
    alice_with_address(app)
    client = app.test_client()
    known, unknown = ask(client), ask(client, "nobody@example.com")
    sent_mail(app)  # the refused connection is logged, nothing else happens
    assert known.status_code == unknown.status_code == 202
    assert known.get_data() == unknown.get_data()
    assert count_rows(app, AccountToken) == 1  # the token exists; its mail was not sent


def test_a_mail_server_that_never_answers_is_given_up_after_mail_timeout(app_factory, smtp):
    """A server that accepts the connection and then says nothing: the outbox gives up
    after MAIL_TIMEOUT, the request was answered regardless, and the next mail goes out."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        app = app_factory(
            MAIL_BACKEND="smtp",
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=silent.getsockname()[1],
            MAIL_TIMEOUT=1,
        )
        alice_with_address(app)
        response = ask(app.test_client())
        assert response.status_code == 202
        sent_mail(app)  # returns once the SMTP greeting has timed out
    finally:
        silent.close()
    app.config.update(smtp.config())
    with app.app_context():
        db.session.execute(sa.delete(AccountToken))
        db.session.commit()
    ask(app.test_client())
    assert reset_token(app, smtp)
