"""Helpers shared by the fault tests: simulated failures in process, real ones in servers."""

from __future__ import annotations

from typing import Any


def dropped(dbapi: Any, message: str) -> Exception:
    """The DBAPI error a lost or refused connection raises (sqlite3: an I/O error)."""
    exc = dbapi.OperationalError(message)
    if dbapi.__name__ == "sqlite3":
        exc.sqlite_errorname, exc.sqlite_errorcode = "SQLITE_IOERR", 10
    return exc
