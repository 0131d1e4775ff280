"""``flask prune-tokens`` changes no answer; ``flask create-admin`` is the only way to admin."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app import auth as auth_module
from app.extensions import db
from app.models import RevokedToken, User

from ..helpers import PASSWORD, Auth, bearer, checked_client_for, claims_of, count_rows, user_row


def issue(app, user_id, token_type, *, hours_ago=0.0):
    """A token the app itself signed ``hours_ago`` (so it may be expired by now)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        now = datetime.now(UTC) - timedelta(hours=hours_ago)
        return auth_module.encode_token(user, token_type, now=now)


def revoke(app, token):
    with app.app_context():
        assert auth_module.revoke(claims_of(token))


def answers(checked_client, tokens):
    """What each token gets from every place an access token is read: (path, status, body).

    Refresh is left out: presenting a revoked refresh token is itself a write (reuse
    detection); ``test_prune_tokens_keeps_a_replayable_refresh_token_revoked`` covers it.
    """
    return [
        (path, response.status_code, response.json)
        for token in tokens
        for path in ("/api/v1/me", "/api/v2/me")
        for response in [checked_client.get(path, headers=bearer(token))]
    ]


@pytest.mark.parametrize("leeway", [0, 3600])
def test_prune_tokens_deletes_expired_rows_and_changes_no_answer(app_factory, leeway):
    app = app_factory(JWT_LEEWAY=leeway, JWT_ACCESS_TOKEN_EXPIRES=1800)
    checked_client = checked_client_for(app)
    checked_auth = Auth(app, checked_client)
    alice = checked_auth.create_user("alice")

    # Revoked and long expired (past any leeway): prunable.
    long_dead = [issue(app, alice, "access", hours_ago=5), issue(app, alice, "access", hours_ago=3)]
    # Revoked, expired 30 minutes ago: prunable only without leeway (with 1 h of leeway the
    # token would be accepted again if its row went away).
    recently_dead = issue(app, alice, "access", hours_ago=1)
    # Revoked through the API and still within their lifetime: kept.
    live = checked_auth.login("alice")
    assert (
        checked_client.post(
            "/api/v2/auth/logout",
            json={"refresh_token": live["refresh_token"]},
            headers=bearer(live["access_token"]),
        ).status_code
        == 204
    )
    for token in [*long_dead, recently_dead]:
        revoke(app, token)
    unrevoked_valid = checked_auth.login("alice")["access_token"]
    tokens = [
        *long_dead,
        recently_dead,
        live["access_token"],
        live["refresh_token"],
        unrevoked_valid,
    ]
    assert count_rows(app, RevokedToken) == 5

    before = answers(checked_client, tokens)
    result = app.test_cli_runner().invoke(args=["prune-tokens"])
    after = answers(checked_client, tokens)

    pruned = 2 if leeway else 3
    assert result.exit_code == 0, result.output
    assert f"Pruned {pruned} expired revoked token(s)." in result.output
    assert count_rows(app, RevokedToken) == 5 - pruned
    assert after == before
    statuses = [status for _, status, _ in before]
    assert statuses.count(200) == 2  # only the unrevoked valid token, on v1 and v2
    assert app.test_cli_runner().invoke(args=["prune-tokens"]).output.startswith("Pruned 0 ")


def test_prune_tokens_keeps_a_replayable_refresh_token_revoked(app_factory):
    app = app_factory()
    checked_client = checked_client_for(app)
    checked_auth = Auth(app, checked_client)
    alice = checked_auth.create_user("alice")
    pair = checked_auth.login("alice")
    rotated = checked_client.post(
        "/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert rotated.status_code == 200
    app.test_cli_runner().invoke(args=["prune-tokens"])
    replay = checked_client.post(
        "/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]}
    )
    assert replay.status_code == 401
    assert user_row(app, alice).token_version == 1  # reuse detection still fired


# --- create-admin ---------------------------------------------------------------------------


def admin_can_delete_users(checked_client, admin_name, password, victim_id):
    token = checked_client.post(
        "/api/v2/auth/login", json={"username": admin_name, "password": password}
    ).json["access_token"]
    return checked_client.delete(f"/api/v2/users/{victim_id}", headers=bearer(token)).status_code


def test_create_admin_with_password_option(app, checked_client, runner, checked_auth):
    victim = checked_auth.create_user("victim")
    result = runner.invoke(
        args=["create-admin", "root", "--email", "Root@Example.com", "--password", "s3cret-pass"]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin root" in result.output
    assert "s3cret-pass" not in result.output
    with app.app_context():
        root = db.session.scalar(sa.select(User).where(User.username == "root"))
        assert root.is_admin is True
        assert root.email == "root@example.com"
        assert root.password_hash.startswith("$argon2id$")
    me = checked_client.get("/api/v1/me", headers=checked_auth.headers("root", "s3cret-pass"))
    assert me.json["is_admin"] is True
    assert admin_can_delete_users(checked_client, "root", "s3cret-pass", victim) == 204


def test_create_admin_prompts_for_the_password(app, runner, checked_client):
    result = runner.invoke(args=["create-admin", "root"], input="prompted-pass\nprompted-pass\n")
    assert result.exit_code == 0, result.output
    assert "prompted-pass" not in result.output
    login = checked_client.post(
        "/api/v2/auth/login", json={"username": "root", "password": "prompted-pass"}
    )
    assert login.status_code == 200


def test_create_admin_prompt_must_match_and_be_long_enough(app, runner):
    mismatch = runner.invoke(args=["create-admin", "root"], input="aaaaaaaaa\nbbbbbbbbb\n")
    assert mismatch.exit_code != 0
    short = runner.invoke(args=["create-admin", "root", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 8 characters" in short.output
    assert count_rows(app, User) == 0


def test_create_admin_promotes_an_existing_user(app, checked_client, runner, checked_auth):
    alice = checked_auth.create_user("alice")
    headers = checked_auth.headers("alice")
    assert checked_client.get("/api/v2/me", headers=headers).json["is_admin"] is False
    refused = runner.invoke(args=["create-admin", "alice", "--password", "whatever123"])
    assert refused.exit_code != 0
    assert "--promote" in refused.output
    result = runner.invoke(args=["create-admin", "ALICE", "--promote"])
    assert result.exit_code == 0, result.output
    assert user_row(app, alice).is_admin is True
    assert checked_client.get("/api/v2/me", headers=headers).json["is_admin"] is True
    # The password is unchanged: she logs in as before.
    assert (
        checked_client.post(
            "/api/v2/auth/login", json={"username": "alice", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_create_admin_promote_of_an_unknown_user_fails(app, runner):
    result = runner.invoke(args=["create-admin", "ghost", "--promote"])
    assert result.exit_code != 0
    assert "No user named 'ghost'" in result.output
    assert count_rows(app, User) == 0
