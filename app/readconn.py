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
