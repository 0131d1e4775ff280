"""Flask commands: ``create-admin``, ``prune-tokens``, ``prune-idempotency-keys``, ``fake``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError

from .extensions import db
from .models import AccountToken, IdempotencyKey, RevokedToken, User, UserSession, username_key
from .schemas import user_create_schema


@click.command("create-admin")
@click.argument("username")
@click.option("--email", default=None, help="E-mail address for a new admin.")
@click.option(
    "--password",
    envvar="ADMIN_PASSWORD",
    default=None,
    help="Password for a new admin (or ADMIN_PASSWORD); prompted when omitted.",
)
@click.option(
    "--promote", is_flag=True, help="Make an existing user an admin instead of creating one."
)
@with_appcontext
def create_admin(username: str, email: str | None, password: str | None, promote: bool) -> None:
    """Create an admin user, or promote an existing one with --promote."""
    username = _valid("username", username)
    user = db.session.scalar(sa.select(User).where(User.username_key == username_key(username)))
    if promote:
        if user is None:
            raise click.ClickException(f"No user named {username!r}.")
        user.is_admin = True
        db.session.commit()
        click.echo(f"{user.username} is now an admin.")
        return
    if user is not None:
        raise click.ClickException(
            f"User {username!r} already exists; use --promote to make them an admin."
        )
    if email is not None:
        email = _valid("email", email)
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            raise click.ClickException(f"E-mail {email!r} is already in use.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = _valid("password", password)
    user = User(email=email, is_admin=True)
    user.set_username(username)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created admin {user.username} (id {user.id}).")


def _valid(name: str, value: str) -> str:
    """Check ``value`` by the API's own rules for field ``name`` (length, NUL, e-mail form)."""
    try:
        return user_create_schema.fields[name].deserialize(value)
    except ValidationError as err:
        raise click.ClickException(f"Invalid {name}: {' '.join(err.messages)}") from None


@click.command("prune-tokens")
@with_appcontext
def prune_tokens() -> None:
    """Delete revocation rows whose tokens have expired (they would be refused anyway), ended
    sessions and spent mailed tokens."""
    # A token is accepted until exp + JWT_LEEWAY: its row must live that long too, or
    # pruning would bring a revoked token back to life.
    leeway = timedelta(seconds=int(current_app.config.get("JWT_LEEWAY") or 0))
    result = db.session.execute(
        sa.delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(UTC) - leeway)
    )
    db.session.commit()
    click.echo(f"Pruned {result.rowcount} expired revoked token(s).")
    sessions, mailed = _prune_sessions(leeway)
    click.echo(f"Pruned {sessions} ended session(s) and {mailed} spent or expired mailed token(s).")


def _prune_sessions(leeway: timedelta) -> tuple[int, int]:
    """Delete sessions none of whose tokens can be valid any more, and mailed tokens that
    can no longer be used. Deleting a session row only ever ends it, so this is safe."""
    cfg = current_app.config
    now = int(datetime.now(UTC).timestamp())
    lifetime = max(int(cfg["JWT_REFRESH_TOKEN_EXPIRES"]), int(cfg["JWT_ACCESS_TOKEN_EXPIRES"]))
    realworld = int(cfg["REALWORLD_TOKEN_EXPIRES"])
    slack = int(leeway.total_seconds())
    stale_version = (
        sa.select(User.token_version).where(User.id == UserSession.user_id).scalar_subquery()
    )
    sessions = db.session.execute(
        sa.delete(UserSession)
        .where(
            sa.or_(
                # Its newest refresh token, and every access token issued up to then, expired.
                UserSession.refresh_issued_at < now - lifetime - slack,
                # A RealWorld session (no refresh token): its one access token expired.
                sa.and_(
                    UserSession.refresh_jti.is_(None),
                    UserSession.created_at
                    < datetime.now(UTC) - timedelta(seconds=realworld + slack),
                ),
                # Started under a token version the user has since left behind.
                UserSession.token_version != stale_version,
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    mailed = db.session.execute(
        sa.delete(AccountToken).where(
            sa.or_(AccountToken.used_at.is_not(None), AccountToken.expires_at < datetime.now(UTC))
        )
    ).rowcount
    db.session.commit()
    return sessions, mailed


@click.command("prune-idempotency-keys")
@with_appcontext
def prune_idempotency_keys() -> None:
    """Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL (24 h by default)."""
    from .idempotency import expiry_cutoff

    result = db.session.execute(
        sa.delete(IdempotencyKey).where(IdempotencyKey.created_at <= expiry_cutoff())
    )
    db.session.commit()
    click.echo(f"Pruned {result.rowcount} expired idempotency key(s).")


@click.command("fake")
@click.option("--users", type=click.IntRange(0), default=0, help="Users to add.")
@click.option("--posts", type=click.IntRange(0), default=0, help="Posts to add (by any user).")
@click.option("--comments", type=click.IntRange(0), default=0, help="Comments to add.")
@click.option("--likes", type=click.IntRange(0), default=0, help="Likes to add.")
@click.option("--follows", type=click.IntRange(0), default=0, help="Follows to add.")
@click.option("--seed", type=int, default=None, help="Random seed, for the same data again.")
@with_appcontext
def fake(users: int, posts: int, comments: int, likes: int, follows: int, seed: int | None):
    """Fill the database with plausible demo data, in bulk (ids continue after existing rows)."""
    from .fake import FAKE_PASSWORD, describe, timed_fill

    def progress(message: str) -> None:
        click.echo(f"  {message}", err=True)

    try:
        filled, seconds = timed_fill(
            users=users,
            posts=posts,
            comments=comments,
            likes=likes,
            follows=follows,
            seed=seed,
            progress=progress,
        )
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    click.echo(describe(filled, seconds))
    click.echo(f"Every fake user's password: {FAKE_PASSWORD}")


def register(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(prune_tokens)
    app.cli.add_command(prune_idempotency_keys)
    app.cli.add_command(fake)
