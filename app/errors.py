"""One JSON error shape for every failure, registered app-wide.

``{"error": "<HTTP reason phrase>", "message": "<human text>", "code": "<machine_code>"}``
plus ``"errors": {"field": ["..."]}`` for validation failures.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
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
}


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class APIError(Exception):
    """An error answer: raise it anywhere below a view and it becomes the JSON error body."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or DEFAULT_CODES.get(status, "error")
        self.errors = errors
        self.headers = dict(headers or {})


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


def api_version() -> str:
    """Return ``"v1"`` or ``"v2"`` for the blueprint serving this request (v2 rules elsewhere)."""
    name = request.blueprint or ""
    return "v1" if name.split(".")[0] == "v1" else "v2"


def validation_error(errors: Mapping[str, Any], message: str | None = None) -> APIError:
    """Build the version's validation error: v1 answers 400 with a specific message, v2 422."""
    if api_version() == "v1":
        return APIError(400, message or summarize(errors), "validation_error", errors=errors)
    return APIError(422, message or "Validation failed", "validation_error", errors=errors)


def conflict(message: str, code: str) -> APIError:
    """A duplicate: 409 in v2, and v1's 400 (seed 001 answers ``Username already exists``)."""
    return APIError(400 if api_version() == "v1" else 409, message, code)


def summarize(errors: Mapping[str, Any]) -> str:
    """Turn marshmallow's ``{"field": ["msg"]}`` into one readable sentence for v1."""
    for field, messages in errors.items():
        first = messages
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        if isinstance(first, Mapping):
            return summarize(first)
        label = "Request body" if field == "_schema" else f"Invalid {field}"
        return f"{label}: {first}"
    return "Invalid request"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(APIError)
    def handle_api_error(exc: APIError) -> Response:
        return error_response(
            exc.status, exc.message, exc.code, errors=exc.errors, headers=exc.headers
        )

    @app.errorhandler(ValidationError)
    def handle_validation_error(exc: ValidationError) -> Response:
        err = validation_error(exc.normalized_messages())
        return handle_api_error(err)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description
        if status in DEFAULT_MESSAGES and message == type(exc).description:
            # abort(404) with no description: say it briefly, in API terms.
            message = DEFAULT_MESSAGES[status]
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        return error_response(status, message or reason(status), headers=headers)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        # Never leak a traceback, SQL or a secret: log it, answer a bare 500.
        log.exception("Unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # pragma: no cover - the session itself is broken
            log.exception("Rollback after an unhandled error failed")
        return error_response(500, DEFAULT_MESSAGES[500])
