"""``flask create-admin`` (the only way to make an admin) and ``flask prune-tokens`` (which
deletes expired revocation rows and changes no answer)."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import sessions, tokens
from app.extensions import db
from app.models import RevokedToken, User, UserSession

from .helpers import PASSWORD, Auth, bearer, checked_client_for, claims_of, count_rows, user_row

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


def test_create_admin_with_password_option(runner, app, client, auth):
    victim = auth.create_user("victim")
    result = runner.invoke(
        args=["create-admin", "root", "--password", ADMIN_PASSWORD, "--email", "Root@Example.com"]
    )

    assert result.exit_code == 0, result.output
    assert "Created admin root (id 2)." in result.output
    assert ADMIN_PASSWORD not in result.output
    assert users(app) == [("victim", None, False, 0), ("root", "root@example.com", True, 0)]
    with app.app_context():
        root = db.session.scalar(sa.select(User).where(User.username == "root"))
        assert root.password_hash.startswith("$argon2id$")
    login = v1_login(client, "root", ADMIN_PASSWORD)
    assert login.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(login.json["token"])).json["is_admin"] is True
    # ... and acts as one: an admin may delete another user.
    deleted = client.delete(f"/api/v2/users/{victim}", headers=bearer(login.json["token"]))
    assert deleted.status_code == 204
    assert count_rows(app, User) == 1


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
    assert client.get("/api/v2/me", headers=headers).json["is_admin"] is False

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


def issue(app, user_id, token_type, *, hours_ago=0.0):
    """A token the app itself signed ``hours_ago`` (so it may be expired by now)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        now = datetime.now(UTC) - timedelta(hours=hours_ago)
        sid = sessions.start_session(user.id, user.token_version).id
        return tokens.encode_token(user.id, user.token_version, token_type, sid=sid, now=now)


def revoke(app, token):
    with app.app_context():
        assert sessions.revoke(claims_of(token))


def answers(client, tokens):
    """What each token gets from every place an access token is read: (path, status, body).

    Refresh is left out: presenting a revoked refresh token is itself a write (reuse
    detection); ``test_prune_tokens_keeps_a_replayable_refresh_token_revoked`` covers it.
    """
    return [
        (path, response.status_code, response.json)
        for token in tokens
        for path in ("/api/v1/me", "/api/v2/me")
        for response in [client.get(path, headers=bearer(token))]
    ]


@pytest.mark.parametrize("leeway", [0, 3600])
def test_prune_tokens_deletes_expired_rows_and_changes_no_answer(app_factory, leeway):
    app = app_factory(JWT_LEEWAY=leeway, JWT_ACCESS_TOKEN_EXPIRES=1800)
    client = checked_client_for(app)
    auth = Auth(app, client)
    alice = auth.create_user("alice")

    # Revoked and long expired (past any leeway): prunable.
    long_dead = [issue(app, alice, "access", hours_ago=5), issue(app, alice, "access", hours_ago=3)]
    # Revoked, expired 30 minutes ago: prunable only without leeway (with 1 h of leeway the
    # token would be accepted again if its row went away).
    recently_dead = issue(app, alice, "access", hours_ago=1)
    # Revoked through the API and still within their lifetime: kept.
    live = auth.login("alice")
    assert (
        client.post(
            "/api/v2/auth/logout",
            json={"refresh_token": live["refresh_token"]},
            headers=bearer(live["access_token"]),
        ).status_code
        == 204
    )
    for token in [*long_dead, recently_dead]:
        revoke(app, token)
    unrevoked_valid = auth.login("alice")["access_token"]
    tokens = [
        *long_dead,
        recently_dead,
        live["access_token"],
        live["refresh_token"],
        unrevoked_valid,
    ]
    assert count_rows(app, RevokedToken) == 5

    before = answers(client, tokens)
    result = app.test_cli_runner().invoke(args=["prune-tokens"])
    after = answers(client, tokens)

    pruned = 2 if leeway else 3
    assert result.exit_code == 0, result.output
    assert f"Pruned {pruned} expired revoked token(s)." in result.output
    assert count_rows(app, RevokedToken) == 5 - pruned
    assert after == before
    statuses = [status for _, status, _ in before]
    assert statuses.count(200) == 2  # only the unrevoked valid token, on v1 and v2
    assert app.test_cli_runner().invoke(args=["prune-tokens"]).output.startswith("Pruned 0 ")


def test_prune_tokens_keeps_a_replayable_refresh_token_revoked(app_factory):
    app = app_factory(JWT_REFRESH_REUSE_GRACE=0)  # the replay is theft at once
    client = checked_client_for(app)
    auth = Auth(app, client)
    alice = auth.create_user("alice")
    pair = auth.login("alice")
    rotated = client.post("/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    app.test_cli_runner().invoke(args=["prune-tokens"])
    replay = client.post("/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401
    assert user_row(app, alice).token_version == 1  # reuse detection still fired


def test_prune_tokens_with_nothing_to_prune(runner, app):
    result = runner.invoke(args=["prune-tokens"])

    assert result.exit_code == 0
    assert "Pruned 0 expired revoked token(s)." in result.output
    assert count_rows(app, RevokedToken) == 0


def test_prune_tokens_deletes_sessions_that_can_have_no_valid_token(app_factory):
    app = app_factory()
    client = checked_client_for(app)
    auth = Auth(app, client)
    auth.create_user("alice")
    live, old, stale = (auth.login("alice") for _ in range(3))
    sid = {
        name: claims_of(pair["access_token"])["sid"]
        for name, pair in {"live": live, "old": old, "stale": stale}.items()
    }
    with app.app_context():
        long_ago = int(time.time()) - 31 * 24 * 3600
        db.session.execute(
            sa.update(UserSession)
            .where(UserSession.id == sid["old"])
            .values(refresh_issued_at=long_ago)
        )
        db.session.execute(
            sa.update(UserSession).where(UserSession.id == sid["stale"]).values(token_version=-1)
        )
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["prune-tokens"])

    assert "Pruned 2 ended session(s)" in result.output
    with app.app_context():
        assert db.session.scalars(sa.select(UserSession.id)).all() == [sid["live"]]
    assert client.get("/api/v2/me", headers=bearer(live["access_token"])).status_code == 200
