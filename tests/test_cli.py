"""``flask create-admin`` and ``flask prune-tokens``."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import RevokedToken, User
from app.sessions import revoke
from app.tokens import ACCESS, encode_token

from .conftest import PASSWORD, bearer, count_rows

ADMIN_PASSWORD = "admin password 123"


def users(app):
    with app.app_context():
        rows = db.session.execute(
            sa.select(User.username, User.email, User.is_admin, User.token_version).order_by(
                User.id
            )
        ).all()
        return [tuple(row) for row in rows]


def v1_login(client, username, password):
    return client.post("/api/v1/login", json={"username": username, "password": password})


# --- create-admin -------------------------------------------------------------------------


def test_create_admin_with_password_option(runner, app, client):
    result = runner.invoke(
        args=["create-admin", "root", "--password", ADMIN_PASSWORD, "--email", "Root@Example.com"]
    )

    assert result.exit_code == 0, result.output
    assert "Created admin root (id 1)." in result.output
    assert users(app) == [("root", "root@example.com", True, 0)]
    login = v1_login(client, "root", ADMIN_PASSWORD)
    assert login.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(login.json["token"])).json["is_admin"] is True


def test_create_admin_prompts_for_the_password(runner, app, client):
    result = runner.invoke(args=["create-admin", "root"], input=f"{ADMIN_PASSWORD}\n" * 2)

    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert ADMIN_PASSWORD not in result.output
    assert users(app) == [("root", None, True, 0)]
    assert v1_login(client, "root", ADMIN_PASSWORD).status_code == 200


def test_create_admin_reads_admin_password_from_the_environment(runner, app, client):
    result = runner.invoke(args=["create-admin", "root"], env={"ADMIN_PASSWORD": ADMIN_PASSWORD})

    assert result.exit_code == 0, result.output
    assert v1_login(client, "root", ADMIN_PASSWORD).status_code == 200


def test_create_admin_with_mismatched_confirmation_creates_nobody(runner, app):
    result = runner.invoke(
        args=["create-admin", "root"], input=f"{ADMIN_PASSWORD}\nsomething else\n"
    )

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert count_rows(app, User) == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (["root", "--password", "short"], "at least 8 characters"),
        (["root", "--password", "p" * 1025], "at most 1024 characters"),
        (["u" * 65, "--password", ADMIN_PASSWORD], "at most 64 characters"),
        (["   ", "--password", ADMIN_PASSWORD], "Must not be empty"),
        (["ro\x00ot", "--password", ADMIN_PASSWORD], "NUL"),
        (["root", "--password", ADMIN_PASSWORD, "--email", "not-an-email"], "email"),
    ],
    ids=["short-password", "long-password", "long-username", "blank", "nul", "bad-email"],
)
def test_create_admin_refuses_invalid_values(runner, app, args, message):
    result = runner.invoke(args=["create-admin", *args])

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert count_rows(app, User) == 0


@pytest.mark.parametrize("name", ["alice", "Alice", " ALICE "])
def test_create_admin_refuses_an_existing_username(runner, app, auth, name):
    auth.create_user("alice")

    result = runner.invoke(args=["create-admin", name, "--password", ADMIN_PASSWORD])

    assert result.exit_code == 1, result.output
    assert "already exists" in result.output
    assert "--promote" in result.output
    assert users(app) == [("alice", None, False, 0)]


def test_create_admin_refuses_an_existing_email(runner, app, auth):
    auth.create_user("alice", email="alice@example.com")

    result = runner.invoke(
        args=["create-admin", "root", "--password", ADMIN_PASSWORD, "--email", "ALICE@example.com"]
    )

    assert result.exit_code == 1, result.output
    assert "already in use" in result.output
    assert users(app) == [("alice", "alice@example.com", False, 0)]


def test_promote_makes_an_existing_user_admin(runner, app, auth, client):
    headers = auth.user("alice")

    result = runner.invoke(args=["create-admin", "ALICE", "--promote"])

    assert result.exit_code == 0, result.output
    assert "alice is now an admin." in result.output
    assert users(app) == [("alice", None, True, 0)]
    assert client.get("/api/v1/me", headers=headers).json["is_admin"] is True
    assert v1_login(client, "alice", PASSWORD).status_code == 200  # password untouched


def test_promote_unknown_user_fails(runner, app):
    result = runner.invoke(args=["create-admin", "ghost", "--promote"])

    assert result.exit_code == 1
    assert "No user named 'ghost'" in result.output
    assert count_rows(app, User) == 0


# --- prune-tokens -------------------------------------------------------------------------


def add_revoked(app, jti, expires_at):
    with app.app_context():
        db.session.add(RevokedToken(jti=jti, token_type="access", expires_at=expires_at))
        db.session.commit()


def test_prune_tokens_deletes_only_expired_rows(runner, app, auth, client):
    headers = auth.user("alice")
    assert client.post("/api/v1/logout", headers=headers).status_code == 200
    now = datetime.now(UTC)
    add_revoked(app, "a" * 32, now - timedelta(days=1))
    add_revoked(app, "b" * 32, now - timedelta(seconds=5))
    add_revoked(app, "c" * 32, now + timedelta(hours=1))

    result = runner.invoke(args=["prune-tokens"])

    assert result.exit_code == 0, result.output
    assert "Pruned 2 expired revoked token(s)." in result.output
    with app.app_context():
        left = db.session.scalars(sa.select(RevokedToken.jti).order_by(RevokedToken.id)).all()
    # c..., the logged-out access token and the refresh token of its login
    assert len(left) == 3 and "c" * 32 in left
    # the logged-out token is still refused: its row was kept
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert after.json["message"] == "Token has been revoked"


def test_prune_tokens_with_nothing_to_prune(runner, app):
    result = runner.invoke(args=["prune-tokens"])

    assert result.exit_code == 0
    assert "Pruned 0 expired revoked token(s)." in result.output
    assert count_rows(app, RevokedToken) == 0


def test_pruning_changes_no_answer(runner, app, auth, client):
    auth.create_user("alice")
    with app.app_context():
        user = db.session.get(User, 1)
        old = encode_token(
            user.id, user.token_version, ACCESS, now=datetime.now(UTC) - timedelta(hours=2)
        )
    headers = bearer(old)
    with app.app_context():
        revoke(decode_token_unverified(old))
    before = client.get("/api/v1/me", headers=headers)

    assert runner.invoke(args=["prune-tokens"]).output.startswith("Pruned 1 ")
    after = client.get("/api/v1/me", headers=headers)

    assert before.status_code == after.status_code == 401
    assert before.json == after.json
    assert after.json["message"] == "Token has expired"
    assert count_rows(app, RevokedToken) == 0


def decode_token_unverified(token):
    return jwt.decode(token, options={"verify_signature": False})
