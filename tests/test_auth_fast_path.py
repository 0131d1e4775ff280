"""The fast auth path stays a full check: what changes in the database is seen at once.

A token that verified once is remembered (its signature and claim shapes cannot change),
and the user row is read with Core and attached to the session; these tests pin that
nothing a user would notice changed: expiry, revocation, password change, deletion,
secret rotation, and that ``g.current_user`` is a normal session object.
"""

import time

import pytest
import sqlalchemy as sa

from app import tokens as auth_module
from app.extensions import db
from app.models import Post, RevokedToken, User

from .helpers import PASSWORD, bearer, count_rows

ME = "/api/v2/me"


def test_remembered_token_still_expires_on_time(client, auth, monkeypatch):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200  # now remembered
    later = time.time() + 3601
    monkeypatch.setattr(auth_module.time, "time", lambda: later)
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_expired"
    assert response.json["message"] == "Token has expired"


def test_remembered_token_is_not_valid_before_its_nbf(client, auth, monkeypatch):
    """The memo must re-check ``nbf`` too: a clock set back before it refuses the token."""
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200  # now remembered
    earlier = time.time() - 3600
    monkeypatch.setattr(auth_module.time, "time", lambda: earlier)
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"
    assert response.json["message"] == "Invalid token"


def test_remembered_token_is_refused_after_logout(client, app, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    assert client.post("/api/v2/auth/logout", headers=headers).status_code == 204
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_revoked"
    assert count_rows(app, RevokedToken) == 2  # the access token and its refresh token


def test_remembered_token_is_refused_after_password_change(client, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    changed = client.patch(
        ME,
        headers=headers,
        json={"password": "a brand new password", "current_password": PASSWORD},
    )
    assert changed.status_code == 200
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"
    assert client.get(ME, headers=auth.headers("alice", "a brand new password")).status_code == 200


def test_remembered_token_is_refused_once_its_user_is_gone(client, app, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.username == "alice"))
        db.session.commit()
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"


def test_remembered_token_is_refused_after_the_secret_changes(client, app, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"


def test_remembered_token_is_refused_when_an_audience_is_required(client, app, auth):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    app.config["JWT_AUDIENCE"] = "blog-frontend"
    response = client.get(ME, headers=headers)
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"


@pytest.mark.parametrize("tamper", ["signature", "payload"])
def test_tampered_copy_of_a_remembered_token_is_refused(client, auth, tamper):
    headers = auth.user("alice")
    assert client.get(ME, headers=headers).status_code == 200
    token = headers["Authorization"].split()[1]
    head, payload, signature = token.split(".")
    if tamper == "signature":
        signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    else:
        payload = ("e" if payload[0] != "e" else "f") + payload[1:]
    response = client.get(ME, headers=bearer(f"{head}.{payload}.{signature}"))
    assert response.status_code == 401
    assert response.json["code"] == "token_invalid"


def test_current_user_changes_are_saved(client, app, auth):
    headers = auth.user("alice")
    renamed = client.patch(ME, headers=headers, json={"username": "alice2"})
    assert renamed.status_code == 200
    assert renamed.json["username"] == "alice2"
    with app.app_context():
        assert db.session.scalar(sa.select(User.username).where(User.id == renamed.json["id"])) == (
            "alice2"
        )


def test_current_user_owns_what_they_create(client, app, auth):
    headers = auth.user("alice")
    created = client.post(
        "/api/v2/posts", headers=headers, json={"title": "Hello", "content": "World"}
    )
    assert created.status_code == 201
    assert created.json["author"]["username"] == "alice"
    with app.app_context():
        post = db.session.get(Post, created.json["id"])
        assert post.author.username == "alice"
        assert [p.id for p in post.author.posts] == [post.id]


def test_protected_request_reads_the_user_in_one_statement(client, app, auth):
    """The whole check is one statement: v1 /me answers from it alone. (v2 /me reads the
    profile's follower counts too: one statement more, for the counts, not for the check.)"""
    headers = auth.user("alice")
    seen = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.json["username"] == "alice"
    statements = [s for s in seen if not s.strip().upper().startswith("SELECT 1")]
    assert len(statements) == 1
    assert "revoked_tokens" in statements[0]
    assert "sessions" in statements[0]  # the session is checked in the same statement
    seen.clear()
    assert client.get(ME, headers=headers).status_code == 200
    assert len([s for s in seen if not s.strip().upper().startswith("SELECT 1")]) == 2


def test_verifier_remembers_only_tokens_that_passed(app, auth):
    auth.create_user("alice")
    token = auth.login("alice")["access_token"]
    with app.test_request_context():
        with pytest.raises(auth_module.AuthError):
            auth_module.decode_token("not.a.token", auth_module.ACCESS)
        first = auth_module.decode_token(token, auth_module.ACCESS)
        first["sub"] = "changed by a caller"
        again = auth_module.decode_token(token, auth_module.ACCESS)
        info = auth_module._verifier().verified.cache_info()
    assert again["sub"] != "changed by a caller"
    assert (info.hits, info.currsize) == (1, 1)


def test_refresh_replay_revokes_every_token_of_the_user(client, app, auth):
    app.config["JWT_REFRESH_REUSE_GRACE"] = 0  # every replay is theft (no grace)
    auth.create_user("alice")
    tokens = auth.login("alice")
    rotated = client.post("/api/v2/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert rotated.status_code == 200
    assert client.get(ME, headers=bearer(rotated.json["access_token"])).status_code == 200
    replay = client.post("/api/v2/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 401
    assert replay.json["code"] == "token_revoked"
    after = client.get(ME, headers=bearer(rotated.json["access_token"]))
    assert after.status_code == 401
    assert after.json["code"] == "token_invalid"
    with app.app_context():
        version = db.session.scalar(sa.select(User.token_version).where(User.username == "alice"))
    assert version == 1


def test_authenticated_user_is_a_clean_persistent_session_object(app, auth):
    """``auth._persistent_user`` builds the User from the Core row without the ORM's loader
    (docs/performance.md: cheaper than an ORM load); pin what it must still be: persistent,
    in the identity map, every column equal to an ORM load, nothing pending, one object per
    identity, lazy relationships working and changes flushed like any loaded object's."""
    from app import auth as request_auth

    token = auth.user("alice", email="alice@example.com") and auth.login("alice")
    with app.test_request_context():
        user, _claims = request_auth.authenticate(token["access_token"])
        state = sa.inspect(user)
        assert not db.session.registry.has()  # no session made for it
        assert state.detached and state.key == (User, (user.id,), None)
        assert user in db.session  # the session, made now, takes it in
        assert state.persistent and not state.modified
        assert not db.session.dirty and not db.session.new
        assert request_auth.authenticate(token["access_token"])[0] is user
        with db.engine.connect() as conn:
            row = conn.execute(sa.select(User.__table__).where(User.id == user.id)).one()
        for column, value in row._mapping.items():
            assert (
                getattr(user, User.__mapper__.get_property_by_column(User.__table__.c[column]).key)
                == value
            )
        assert user.posts == []  # lazy load through the session
        user.username = "alice2"
        assert user in db.session.dirty
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(User, user.id).username == "alice2"


def test_the_compiled_read_returns_what_core_returns(app, auth):
    """The auth read below Core (``_CompiledRead``) converts each column as Core does: the
    same values and types, datetimes aware, booleans as bools, on each database."""
    from app import auth as auth_reading
    from app.sessions import session_access_token

    auth.create_user("alice")
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).filter_by(username="alice"))
        user.bio, user.image = "a bio", "https://example.com/a.png"
        claims = auth_module.decode_token(session_access_token(user), auth_module.ACCESS)
        db.session.commit()
        params = {"uid": int(claims["sub"]), "jti": claims["jti"], "sid": claims["sid"]}
        stmt = auth_reading._USER_AND_REVOKED
        fast = auth_reading._read_committed_row(stmt, params)
        core = auth_reading._read_through_core(stmt, params)
        missing = auth_reading._read_committed_row(stmt, {**params, "uid": 10**6})
    assert fast == core
    assert [type(v) for v in fast] == [type(v) for v in core]
    assert fast[auth_reading._USER_ATTRIBUTES.index("created_at")].tzinfo is not None
    assert fast[-2:] == (False, True)  # not revoked, session live
    assert missing is None


def test_a_change_made_before_the_request_has_a_session_is_flushed(app, auth):
    """The authenticated user waits outside any session until the request uses one; a
    change made to it before then is still saved by the session's commit."""
    from app import auth as request_auth

    token = auth.user("alice") and auth.login("alice")
    with app.test_request_context():
        user, _claims = request_auth.authenticate(token["access_token"])
        user.bio = "changed while waiting"
        assert not db.session.registry.has()
        db.session.commit()  # makes the session, which takes the user in with its change
    with app.app_context():
        assert db.session.get(User, user.id).bio == "changed while waiting"


def test_a_request_that_needs_no_session_makes_none(client, app, auth, monkeypatch):
    """``GET /api/v1/me`` answers from the auth statement alone: no ORM session is made
    (nor closed) for it; a view that uses the session gets the same user object."""
    from app.extensions import Session

    headers = auth.user("alice")
    made = []
    original = Session.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Session, "__init__", counting)
    assert client.get("/api/v1/me", headers=headers).json["username"] == "alice"
    assert made == []
    assert client.get(ME, headers=headers).status_code == 200  # v2 /me reads counts
    assert len(made) == 1


def test_the_detached_user_is_what_make_transient_to_detached_makes(app, auth):
    """``_detached_user`` sets only the identity key when that is all
    ``make_transient_to_detached`` would do; the two states must not differ in anything the
    ORM reads (key, history, expired and unloaded attributes, flags, loaders)."""
    from sqlalchemy.orm import make_transient_to_detached

    from app import auth as request_auth

    auth.create_user("alice")
    with app.app_context():
        uid = db.session.scalar(sa.select(User.id).filter_by(username="alice"))
        with db.engine.connect() as conn:
            row = conn.execute(request_auth._USER_AND_REVOKED, {"uid": uid, "jti": "x", "sid": 0})
            values = dict(zip(request_auth._USER_ATTRIBUTES, row.one(), strict=False))
        fast = request_auth._detached_user(values)
        slow = request_auth._NEW_USER()
        slow.__dict__.update(values)
        make_transient_to_detached(slow)
    assert request_auth._detach_is_the_key()  # the fast way is the one taken here
    a, b = sa.inspect(fast), sa.inspect(slow)
    for name in ("key", "expired_attributes", "committed_state", "modified", "expired",
                 "callables", "unloaded", "detached", "persistent", "transient",
                 "_strong_obj", "identity"):  # fmt: skip
        assert getattr(a, name) == getattr(b, name), name
    for key in fast.__dict__.keys() - {"_sa_instance_state"}:
        assert fast.__dict__[key] == slow.__dict__[key], key
    assert fast.__dict__.keys() == slow.__dict__.keys()


def test_a_user_with_an_expirable_unloaded_attribute_is_detached_the_orm_way(monkeypatch):
    """If the User ever gains an attribute the auth read leaves out and that loads on access
    (a deferred column), the fast way must not be taken."""
    from app import auth as request_auth

    monkeypatch.setattr(request_auth, "_DETACH_IS_THE_KEY", [])
    monkeypatch.setattr(request_auth, "_USER_ATTRIBUTES", request_auth._USER_ATTRIBUTES[1:])
    assert not request_auth._detach_is_the_key()
