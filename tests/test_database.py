"""Database behaviour that must hold on every backend: case-insensitive uniqueness, pooling."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import User

from .helpers import PASSWORD, assert_deleted_ids_are_not_reused, count_rows


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Alice", "alice"),
        ("alice", "ALICE"),
        ("alice", "  Alice  "),
        ("straße", "STRASSE"),  # casefold, not just lower()
        ("ｆｏｏ", "foo"),  # NFKC: full-width letters are the same name
    ],
)
def test_usernames_are_unique_without_regard_to_case(client, app, first, second):
    created = client.post("/api/v2/users", json={"username": first, "password": PASSWORD})
    duplicate = client.post("/api/v2/users", json={"username": second, "password": PASSWORD})
    v1_duplicate = client.post("/api/v1/users", json={"username": second, "password": PASSWORD})

    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert duplicate.json["code"] == "username_taken"
    assert v1_duplicate.status_code == 400
    assert v1_duplicate.json["message"] == "Username already exists"
    assert count_rows(app, User) == 1


def test_emails_are_unique_without_regard_to_case(client, app):
    first = client.post(
        "/api/v2/users",
        json={"username": "bob", "password": PASSWORD, "email": "Bob@Example.COM"},
    )
    second = client.post(
        "/api/v2/users",
        json={"username": "robert", "password": PASSWORD, "email": "bob@example.com"},
    )

    assert first.status_code == 201
    assert first.json["email"] == "bob@example.com"
    assert second.status_code == 409
    assert second.json["code"] == "email_taken"
    assert count_rows(app, User) == 1


def test_renaming_onto_another_name_in_other_case_is_a_conflict(client, app, auth):
    auth.create_user("carol")
    headers = auth.user("dave")

    response = client.patch("/api/v2/me", json={"username": "CAROL"}, headers=headers)

    assert response.status_code == 409
    with app.app_context():
        names = set(db.session.scalars(sa.select(User.username)))
    assert names == {"carol", "dave"}


def test_database_itself_refuses_a_duplicate_username_key(app):
    """Two requests racing past the pre-check still cannot both commit."""
    with app.app_context():
        for name in ("Erin", "ERIN"):
            user = User(password_hash="x")
            user.set_username(name)
            db.session.add(user)
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert count_rows(app, User) == 0


def test_engine_options_come_from_config(app_factory):
    app = app_factory(DB_POOL_SIZE=3, DB_MAX_OVERFLOW=4)

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            # Idle connections are pinged before use (tests/test_pool_ping.py); busy ones not.
            assert engine.pool._pre_ping is False
            assert len(engine.pool.dispatch.checkout) > 0  # the idle ping listener
            assert engine.pool.size() == 3
            assert engine.pool._max_overflow == 4
        else:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


def test_zero_idle_seconds_means_pool_pre_ping_on_every_checkout(app_factory):
    app = app_factory(DB_POOL_PING_IDLE_SECONDS=0)

    with app.app_context():
        # SQLite opens a file: nothing to ping, and no listener is installed either way.
        postgres = db.engine.dialect.name == "postgresql"
        assert db.engine.pool._pre_ping is postgres
        assert len(db.engine.pool.dispatch.checkout) == 0
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1


def test_a_deleted_post_or_todo_id_is_never_given_to_a_new_one(client, auth):
    assert_deleted_ids_are_not_reused(client, auth.user("alice"))
