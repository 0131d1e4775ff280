"""Domain errors, the house JSON error shape, and the app-wide handlers.

Shared code (models, helpers, ``auth``) raises the domain errors below and never asks which
API face a request came through; each face under ``app/routes/`` registers a renderer that
turns them into its own answer (``Face.render``). What no face sees — routing 404/405, a
body over ``MAX_CONTENT_LENGTH`` before a view runs, an unexpected exception — is answered
here in the house shape::

    {"error": "<HTTP reason phrase>", "message": "<human text>", "code": "<machine_code>"}

plus ``"errors": {"field": ["..."]}`` for validation failures.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}

# Werkzeug's stock descriptions are written for browsers; these are for API clients.
DEFAULT_MESSAGES = {
    404: "The requested resource was not found",
    405: "The method is not allowed for the requested URL",
    413: "Request body is too large",
    415: "Request body must be JSON (Content-Type: application/json)",
    429: "Too many requests; slow down and retry later",
    500: "Something went wrong on our end",
    503: "The database is unavailable; retry shortly",
}

#: Failures of the connection or the server rather than of the statement: the database
#: restarting or failing over, a pooled connection killed, the pool exhausted, SQLite
#: locked or its disk full. Retrying later can succeed, so they answer 503 + Retry-After.
UNAVAILABLE_ERRORS = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
)


#: sqlite3 raises OperationalError for a missing table too: only these result codes mean
#: "the database cannot be used now" (base codes; extended ones such as SQLITE_IOERR_WRITE
#: start with them).
SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_READONLY",
    "SQLITE_NOMEM",
    "SQLITE_PROTOCOL",
)


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be used now (not that a statement is wrong)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, UNAVAILABLE_ERRORS):
        return False
    sqlite_name = getattr(getattr(exc, "orig", None), "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(SQLITE_UNAVAILABLE)
    return True


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# --- domain errors ------------------------------------------------------------------------


class DomainError(Exception):
    """Something a client asked for cannot be done; ``status`` is the house answer's status.

    Faces may answer another status for the same error (v1 answers a conflict with 400), so
    shared code chooses the kind of error, never the status.
    """

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        status: int | None = None,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code
        self.status = status or type(self).status
        self.errors = errors
        self.headers = dict(headers or {})


class NotFound(DomainError):
    status, code = 404, "not_found"


class InvalidAccountToken(DomainError):
    """A mailed token (password reset, e-mail verification) that is unknown, used or expired."""

    status, code = 400, "token_invalid"


class CSRFFailed(DomainError):
    """A request that authenticates with the refresh cookie lacks its session's CSRF token."""

    status, code = 403, "csrf_failed"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class Conflict(DomainError):
    """A duplicate (username, e-mail, slug)."""

    status, code = 409, "conflict"


class Invalid(DomainError):
    """Input that fails validation; ``errors`` maps each field to its messages."""

    status, code = 422, "validation_error"

    def __init__(
        self, errors: Mapping[str, Any], message: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message or "Validation failed", code, errors=errors)
        self.explicit_message = message


class NotJSON(DomainError):
    """A body was required and its content type is not JSON."""

    status, code = 415, "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__(DEFAULT_MESSAGES[415])


class MalformedJSON(DomainError):
    """The body says it is JSON and is not (or is not an object, or cannot be stored)."""

    status, code = 400, "invalid_json"


class UnparsableJSON(MalformedJSON):
    """The body says it is JSON and does not parse."""

    def __init__(self) -> None:
        super().__init__("Malformed JSON body")


class PreconditionFailed(DomainError):
    """``If-Match`` names a version of the resource that is no longer current."""

    status, code = 412, "precondition_failed"


class Unauthorized(DomainError):
    """A 401; ``headers`` carries the ``WWW-Authenticate`` challenge."""

    status, code = 401, "unauthorized"


def summarize(errors: Mapping[str, Any]) -> str:
    """Turn marshmallow's ``{"field": ["msg"]}`` into one readable sentence."""
    for field, messages in errors.items():
        first = messages
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        if isinstance(first, Mapping):
            return summarize(first)
        label = "Request body" if field == "_schema" else f"Invalid {field}"
        return f"{label}: {first}"
    return "Invalid request"


# --- the house shape ----------------------------------------------------------------------


def error_response(
    status: int,
    message: str,
    code: str | None = None,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "error": reason(status),
        "message": message,
        "code": code or DEFAULT_CODES.get(status, "error"),
    }
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        # RFC 9110: every 401 names a scheme (Invalid credentials at login included).
        response.headers.setdefault("WWW-Authenticate", "Bearer")
    return response


def render_domain_error(exc: DomainError, status: int | None = None) -> Response:
    """The house answer for ``exc`` (at ``status`` when a face answers another one)."""
    return error_response(
        status or exc.status, exc.message, exc.code, errors=exc.errors, headers=exc.headers
    )


def render_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = exc.description
    if status in DEFAULT_MESSAGES and message == type(exc).description:
        # abort(404) with no description: say it briefly, in API terms.
        message = DEFAULT_MESSAGES[status]
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    if status == 429 and "Retry-After" not in headers:
        from .limits import retry_after

        headers["Retry-After"] = retry_after()
    return error_response(status, message or reason(status), headers=headers)


def register_error_handlers(app: Flask) -> None:
    """Answer in the house shape whatever no face's renderer handles."""
    app.register_error_handler(DomainError, render_domain_error)
    app.register_error_handler(HTTPException, render_http_exception)

    @app.errorhandler(sa.exc.SQLAlchemyError)
    def handle_database_error(exc: sa.exc.SQLAlchemyError) -> Response:
        if not database_unavailable(exc):
            return handle_unexpected(exc)
        from .metrics import count_database_error

        count_database_error(exc)
        # No traceback: an outage would flood the log with identical ones.
        log.warning(
            "Database unavailable on %s %s: %s",
            request.method,
            request.path,
            type(getattr(exc, "orig", None) or exc).__name__,
        )
        _rollback()
        retry = str(current_app.config.get("DB_UNAVAILABLE_RETRY_AFTER", 2))
        return error_response(
            503, DEFAULT_MESSAGES[503], "database_unavailable", headers={"Retry-After": retry}
        )

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        # Never leak a traceback, SQL or a secret: log it, answer a bare 500.
        log.exception("Unhandled error on %s %s", request.method, request.path)
        _rollback()
        return error_response(500, DEFAULT_MESSAGES[500])


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # pragma: no cover - the session itself is broken
        log.exception("Rollback after an error failed")
