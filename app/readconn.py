"""A few DBAPI connections of their own, per engine, for the per-request auth read.

Checking a connection out of SQLAlchemy's pool and back in costs more than the auth
statement itself on SQLite (8 of 15 µs, measured in one process); on PostgreSQL it adds
the idle-connection check (``app.ping_idle_connections``) and switching the connection to
autocommit and back. The auth read (``app.auth``) therefore runs on connections taken from
the pool once and detached from it (``detach``: the pool forgets them and opens others
when it needs more), kept on a free list, in autocommit on PostgreSQL (a statement sees
the latest commit and stays prepared). A gunicorn sync worker uses one; threads take one
each while they read, up to ``MAX_OWN``, and past that read through the pool.

Lifetime: made on first use in the serving process; closed after any DBAPI error on it
(the caller then reads through Core, whose pool ping and 503 handling apply), and all
closed when the engine is disposed or collected. Only a ``QueuePool`` engine gets them
(SQLite files, PostgreSQL); a single-connection pool (in-memory SQLite) keeps its pool.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa

MAX_OWN = 4
T = TypeVar("T")


class OwnConnections:
    """The detached DBAPI connections of one engine: a free list and a count."""

    def __init__(self, engine: sa.Engine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        self.error = engine.dialect.loaded_dbapi.Error
        self.free: list[Any] = []
        self.made: list[Any] = []  # every open one, to close them all on dispose
        self.lock = threading.Lock()
        self.generation = 0
        sa.event.listen(engine, "engine_disposed", self._disposed)
        # Closed explicitly when the engine goes away (a psycopg connection left to the
        # garbage collector warns), without keeping the engine alive.
        weakref.finalize(engine, _close_all, self.made, self.lock)

    def run(self, engine: sa.Engine, use: Callable[[Any], T]) -> T | None:
        """``use(dbapi_connection)`` on one of them, or None when ``MAX_OWN`` are busy.

        An error in ``use`` closes that connection (a DBAPI error may have broken it; no
        other is expected) and propagates. The request path's form of ``connection``.
        """
        fairy = self._acquire(engine)
        if fairy is None:
            return None
        generation = self.generation
        try:
            result = use(fairy.dbapi_connection)
        except BaseException:
            self._discard(fairy)
            raise
        self._release(fairy, generation)
        return result

    @contextmanager
    def connection(self, engine: sa.Engine) -> Iterator[Any]:
        """A DBAPI connection for one statement, or None when ``MAX_OWN`` are busy."""
        fairy = self._acquire(engine)
        if fairy is None:
            yield None
            return
        generation = self.generation
        try:
            yield fairy.dbapi_connection
        except BaseException:
            self._discard(fairy)
            raise
        self._release(fairy, generation)

    def _acquire(self, engine: sa.Engine) -> Any:
        try:
            return self.free.pop()  # atomic: no two threads get the same one
        except IndexError:
            return self._make(engine)

    def _release(self, fairy: Any, generation: int) -> None:
        if generation == self.generation:
            self.free.append(fairy)
        else:  # the engine was disposed meanwhile
            self._discard(fairy)

    def _make(self, engine: sa.Engine) -> Any:
        with self.lock:
            if len(self.made) >= MAX_OWN:
                return None
            fairy = engine.raw_connection()
            fairy.detach()
            self.made.append(fairy)
        if not self.sqlite:
            fairy.dbapi_connection.autocommit = True
        return fairy

    def _discard(self, fairy: Any) -> None:
        with self.lock:
            if fairy in self.made:
                self.made.remove(fairy)
        _close_quietly(fairy)

    def _disposed(self, _engine: sa.Engine) -> None:
        self.generation += 1
        self.free[:] = []
        _close_all(self.made, self.lock)


def _close_all(made: list[Any], lock: threading.Lock) -> None:
    with lock:
        closing, made[:] = list(made), []
    for fairy in closing:
        _close_quietly(fairy)


def _close_quietly(fairy: Any) -> None:
    try:
        fairy.close()
    except Exception:  # a connection already broken has nothing left to close
        pass


_by_engine: weakref.WeakKeyDictionary[sa.Engine, OwnConnections | None] = (
    weakref.WeakKeyDictionary()
)


def own_connections(engine: sa.Engine) -> OwnConnections | None:
    """The engine's ``OwnConnections``, or None when its pool is not a ``QueuePool``."""
    try:
        return _by_engine[engine]
    except KeyError:
        found = OwnConnections(engine) if isinstance(engine.pool, sa.pool.QueuePool) else None
        _by_engine[engine] = found
        return found


class CompiledRows:
    """A Core SELECT compiled once for one dialect, whose rows are read below Core on one
    of the engine's own connections (``run``), converted as Core converts them.

    What SQLAlchemy does per execution — the connection wrapper, the execution context,
    the result's metadata and row processors — is fixed here once: the SQL text with its
    constant literals rendered (``aggregate_strings``' separator), the order of its
    parameters, their defaults and bind processors (``UTCDateTime``), and each column's
    result processor (``UTCDateTime``, SQLite's booleans). ``run`` answers None when it
    cannot: a parameter the SQL would inline per execution (``literal_execute``, such as a
    tag's id), no connection of its own free, something listening to every statement, or
    a DBAPI error (that connection is then closed); the caller reads through Core then.
    """

    def __init__(self, stmt: sa.Select, dialect: sa.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        defaults = compiled.construct_params(_check=False)
        late = compiled.literal_execute_params | compiled.post_compile_params
        literals = {compiled.bind_names[b] for b in late}
        # Literals of constants (with a value in the statement) are rendered once; one
        # whose value comes with each execution cannot be.
        self.inlined = frozenset(k for k in literals if defaults.get(k) is None)
        expanded = compiled._process_parameters_for_postcompile(defaults)
        self.sql = expanded.statement
        self.sqlite = dialect.name == "sqlite"
        self.order = tuple(expanded.positiontup or ()) if dialect.paramstyle == "qmark" else None
        # The statement's own values (a LIMIT's default OFFSET 0, ``coalesce``'s 0); the
        # caller gives every other one, as Core would require.
        self.defaults = {k: v for k, v in defaults.items() if k not in literals and v is not None}
        self.binds = tuple(compiled._bind_processors.items())
        processors = [c.type._cached_result_processor(dialect, None) for c in stmt.selected_columns]
        self.width = len(processors)
        self.converters = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        self.error = dialect.loaded_dbapi.Error

    def run(self, engine: sa.Engine, params: dict[str, Any]) -> list[tuple[Any, ...]] | None:
        """Every row for ``params``, or None: read it through Core instead."""
        own = own_connections(engine)
        if own is None or self.inlined or engine.dispatch.before_cursor_execute:
            return None
        values = {**self.defaults, **params}
        for key, process in self.binds:
            if key in values:
                values[key] = process(values[key])
        try:
            with own.connection(engine) as raw:
                if raw is None:
                    return None
                if self.sqlite:
                    cursor = raw.execute(self.sql, tuple(values[k] for k in self.order))
                else:
                    cursor = raw.execute(self.sql, values, prepare=True)
                rows = cursor.fetchall()
        except self.error:
            return None  # that connection is closed; Core reconnects, or answers 503
        if rows and len(rows[0]) != self.width:
            raise RuntimeError(f"{len(rows[0])} columns, {self.width} expected")
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            values_ = list(row)
            for i, convert in self.converters:
                values_[i] = convert(values_[i])
            converted.append(tuple(values_))
        return converted


_compiled_rows: dict[tuple[int, str], CompiledRows] = {}


def rows_below_core(
    engine: sa.Engine, stmt: sa.Select, params: dict[str, Any]
) -> list[tuple[Any, ...]] | None:
    """``stmt``'s rows for ``params`` read by ``CompiledRows`` (``stmt`` must live as long
    as the process: it is compiled once, keyed by its id), or None."""
    key = (id(stmt), engine.dialect.name)
    read = _compiled_rows.get(key)
    if read is None:
        read = _compiled_rows[key] = CompiledRows(stmt, engine.dialect)
    return read.run(engine, params)
