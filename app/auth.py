"""Authenticating a request: the token from its header, checked against the database.

Every protected request decodes the token (``app.tokens``), then runs one SQL statement
that loads the user and tests the revocation table and the token's session together, so a
logout, an ended session or a password change on any worker is seen by the next request.
``login_required`` puts the user in ``g.current_user`` and the token's claims in
``g.token_claims``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from functools import partial, wraps
from operator import itemgetter
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import g, request
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

from .extensions import PENDING_USER, attach, db
from .models import RevokedToken, User, UserSession
from .readconn import own_connections
from .tokens import ACCESS, INVALID, MISSING, REVOKED, SESSION, AuthError, decode_token

F = TypeVar("F", bound=Callable[..., Any])

BEARER = ("bearer",)


def bearer_token(schemes: Iterable[str] = BEARER) -> str | None:
    """Return the token of an ``Authorization: <scheme> <token>`` header, or None.

    The scheme word is case-insensitive; only the header is read (never a query string).
    """
    header = request.environ.get("HTTP_AUTHORIZATION", "")  # what headers["Authorization"] reads
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in schemes:
        return None
    return token.strip() or None


# One statement per protected request: the user's row, "is this jti revoked?" and "does the
# token's session still exist?" together (both by primary or unique key).
# It is a Core SELECT on the users table, not an ORM one: an ORM load sets up result
# metadata and row processors for every execution, which cost more than the query itself;
# the row becomes the session's User in ``_persistent_user`` instead. Measurements in
# docs/performance.md; tests/test_auth_fast_path.py pins what the User must behave like.
_USERS = User.__table__
_SESSIONS = UserSession.__table__
_USER_AND_REVOKED = sa.select(
    *_USERS.c,
    sa.exists().where(RevokedToken.jti == sa.bindparam("jti")).correlate(None).label("revoked"),
    sa.exists()
    .where(_SESSIONS.c.id == sa.bindparam("sid"), _SESSIONS.c.user_id == sa.bindparam("uid"))
    .correlate(None)
    .label("session_live"),
).where(_USERS.c.id == sa.bindparam("uid"))
_USER_MAPPER = User.__mapper__
_USER_ATTRIBUTES = tuple(_USER_MAPPER.get_property_by_column(c).key for c in _USERS.c)
_VERSION = _USER_ATTRIBUTES.index("token_version")
_NEW_USER = _USER_MAPPER.class_manager.new_instance
assert _USER_MAPPER.identity_key_from_primary_key([1]) == (User, (1,), None)


def _persistent_user(values: dict[str, Any]) -> User:
    """Return the request's User for a freshly read users row, without a second query.

    The object is made as the ORM makes a loaded one (``make_transient_to_detached``: the
    values count as loaded, nothing pending). When the request's session exists it joins
    its identity map at once (``attach``); otherwise it waits in ``g`` and the session
    takes it in when the request first uses one (``app.extensions.Session``), so a request
    that never touches the session (``GET /me``) neither makes nor closes one. Either way
    views read and change it as they would a loaded one, and relationships load lazily;
    ``tests/test_auth_fast_path.py`` pins that behaviour. ORM ``load`` and attach events do
    not fire for it (nothing in this project listens to them).
    """
    key = (User, (values["id"],), None)
    scoped = db.session
    if scoped.registry.has():
        session = scoped()
        user = session.identity_map.get(key)
        if user is None:
            user = _detached_user(values)
            attach(session, user)
        return user  # type: ignore[return-value]
    here = g._get_current_object()  # one proxy lookup for the reads and writes below
    waiting = here.get(PENDING_USER)
    if waiting is not None and instance_state(waiting).key == key:
        return waiting  # type: ignore[no-any-return]
    user = _detached_user(values)
    setattr(here, PENDING_USER, user)
    return user


def _detached_user(values: dict[str, Any]) -> User:
    user = _NEW_USER()
    user.__dict__.update(values)
    if _detach_is_the_key():
        instance_state(user).key = (User, (values["id"],), None)
    else:
        make_transient_to_detached(user)
    return user  # type: ignore[no-any-return]


_DETACH_IS_THE_KEY: list[bool] = []


def _detach_is_the_key() -> bool:
    """Whether ``make_transient_to_detached`` of a User whose columns were all just set does
    nothing but give its state the identity key (decided once, with the mappers configured).

    On a fresh state it clears history that is empty and resets flags to their defaults;
    what it could add is expired attributes (an unloaded attribute with a scalar loader,
    e.g. a deferred column or a ``column_property`` left out of the auth read) and ``expire``
    events. When the User has neither, setting the key is the whole of it, without
    computing ``state.unloaded`` (set differences over every attribute) on each request;
    ``tests/test_auth_fast_path.py`` compares both states attribute by attribute.
    """
    if not _DETACH_IS_THE_KEY:
        manager = _USER_MAPPER.class_manager
        unloaded = set(manager) - set(_USER_ATTRIBUTES)
        _DETACH_IS_THE_KEY.append(
            not manager.dispatch.expire
            and all(not manager[key].impl.accepts_scalar_loader for key in unloaded)
        )
    return _DETACH_IS_THE_KEY[0]


class _CompiledRead:
    """A Core SELECT compiled once for one dialect and run on a pooled DBAPI connection.

    SQLAlchemy's execute path (connection wrapper, execution context, result metadata,
    row processors) costs several times the statement itself: 43 µs against 7 µs on SQLite,
    266 µs against 79 µs of client CPU on PostgreSQL, measured in one process. Here the SQL
    text, the order of its parameters and each column's result processor (``UTCDateTime``,
    SQLite's booleans) are fixed once; a request takes one of the engine's own DBAPI
    connections (``app.readconn``; the pool's when those are busy), runs the text and
    converts the row as Core would (``tests/test_auth_fast_path.py``
    compares both reads column by column on each database). A DBAPI error invalidates that
    connection and the read is retried once through Core, whose error handling (503 while
    the database is away, a reconnect after it returns) then applies unchanged; with a
    ``before_cursor_execute`` listener on the engine the read goes through Core from the
    start.
    """

    def __init__(self, stmt: sa.Select, dialect: sa.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.sqlite = dialect.name == "sqlite"
        names = compiled.positiontup
        # the parameters' tuple in the statement's order, for qmark (SQLite)
        self.order = _tuple_of(names) if names and dialect.paramstyle == "qmark" else None
        processors = [c.type._cached_result_processor(dialect, None) for c in stmt.selected_columns]
        self.width = len(processors)
        self.converters = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        self.error = dialect.loaded_dbapi.Error
        self.cursors: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def run(self, engine: sa.Engine, params: dict[str, Any]) -> tuple[Any, ...] | None:
        own = own_connections(engine)
        if own is not None:
            row = own.run(engine, partial(self._execute, params=params))  # autocommit on PG
            if row is not None:
                return self._convert(row[0])
        fairy = engine.raw_connection()
        try:
            raw = fairy.driver_connection
            if self.sqlite:
                (row,) = self._execute(raw, params)
            else:
                # Autocommit for the one statement: no BEGIN and ROLLBACK round trips,
                # and psycopg keeps the statement prepared (a ROLLBACK forgets it).
                raw.autocommit = True
                try:
                    (row,) = self._execute(raw, params)
                finally:
                    raw.autocommit = False
        except self.error:
            fairy.invalidate()
            raise
        finally:
            fairy.close()
        return self._convert(row)

    def _execute(self, raw: Any, params: dict[str, Any]) -> Any:
        """The row (or None) in a 1-tuple, so that None means "no connection" to the caller."""
        if self.sqlite:
            return (raw.execute(self.sql, self.order(params)).fetchone(),)
        cursor = self.cursors.get(raw)
        if cursor is None:  # one per connection, kept: a new cursor per read cost ~30 µs
            cursor = self.cursors[raw] = raw.cursor()
        cursor.execute(self.sql, params, prepare=True)
        return (cursor.fetchone(),)

    def _convert(self, row: Any) -> tuple[Any, ...] | None:
        if row is None:
            return None
        if len(row) != self.width:
            raise RuntimeError(f"auth read: {len(row)} columns, {self.width} expected")
        values = list(row)
        for i, convert in self.converters:
            values[i] = convert(values[i])
        return tuple(values)


def _tuple_of(names: Iterable[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """``params -> tuple(params[name] for name in names)``, as one C call."""
    names = tuple(names)
    get = itemgetter(*names)
    return (lambda params: (get(params),)) if len(names) == 1 else get  # type: ignore[return-value]


_compiled_reads: dict[tuple[int, str], _CompiledRead] = {}


def _read_committed_row(stmt: sa.Select, params: dict[str, Any]) -> tuple[Any, ...] | None:
    """Run the auth SELECT outside the session's transaction: it sees the latest commit.

    It is cheaper than a read through the session (no session transaction to set up and
    roll back; on PostgreSQL no BEGIN and ROLLBACK) and cheaper still below Core
    (``_CompiledRead``). pysqlite begins no transaction for a SELECT anyway.
    """
    engine = db.engine
    if engine.dispatch.before_cursor_execute:
        # Something watches every statement (a test counting them, a fault injected there,
        # instrumentation): let it see this one too, through Core.
        return _read_through_core(stmt, params)
    key = (id(stmt), engine.dialect.name)
    read = _compiled_reads.get(key)
    if read is None:
        read = _compiled_reads[key] = _CompiledRead(stmt, engine.dialect)
    try:
        return read.run(engine, params)
    except read.error:
        pass  # the connection was invalidated; Core reconnects, or raises what maps to 503
    return _read_through_core(stmt, params)


def _read_through_core(stmt: sa.Select, params: dict[str, Any]) -> tuple[Any, ...] | None:
    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        row = conn.execute(stmt, params).first()
        return tuple(row) if row is not None else None


def load_token_user(claims: dict[str, Any]) -> tuple[User, bool, bool]:
    """Return the token's user (checked against ``ver``), whether its jti is revoked and
    whether its session still exists."""
    params = {"uid": int(claims["sub"]), "jti": claims["jti"], "sid": claims[SESSION]}
    row = _read_committed_row(_USER_AND_REVOKED, params)
    if row is None or row[_VERSION] != claims["ver"]:
        raise AuthError(INVALID)
    values = dict(zip(_USER_ATTRIBUTES, row, strict=False))
    return _persistent_user(values), bool(row[-2]), bool(row[-1])


def authenticate(token: str, expected_type: str = ACCESS) -> tuple[User, dict[str, Any]]:
    """Decode and check ``token`` completely; return its user and claims or raise AuthError."""
    claims = decode_token(token, expected_type)
    user, revoked, session_live = load_token_user(claims)
    if revoked or not session_live:  # logged out, or its session was ended
        raise AuthError(REVOKED)
    return user, claims


def token_auth(*, optional: bool = False, schemes: Iterable[str] = BEARER) -> Callable[[F], F]:
    """Authenticate the request's access token (sent with one of ``schemes``).

    Required: no token is 401 ``Missing token``. Optional: a token that is sent must be
    valid, and without one ``g.current_user`` is None.
    """
    schemes = tuple(s.lower() for s in schemes)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token(schemes)
            if token is None and not optional:
                raise AuthError(MISSING, token_sent=False)
            here = g._get_current_object()
            here.current_user, here.token_claims = authenticate(token) if token else (None, None)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def login_required(view: F) -> F:
    """Require a valid Bearer access token; the user lands in ``g.current_user``."""
    return token_auth()(view)


def auth_optional(view: F) -> F:
    """Accept a Bearer access token when one is sent (it must then be valid), or none."""
    return token_auth(optional=True)(view)
