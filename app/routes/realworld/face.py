"""The RealWorld ("Conduit") face at ``/api``: its error shape and its auth schemes.

Errors as the RealWorld spec has them: 422 ``{"errors": {"<field>": ["<message>"]}}`` for
validation (a duplicate username or e-mail included), and ``{"errors": {"body": [...]}}``
for everything else (401, 403, 404, …), at the status the domain error carries. 401 still
carries ``WWW-Authenticate``. Tokens come as ``Authorization: Token <jwt>`` or ``Bearer``.
"""

from typing import Any

from flask import Response, jsonify
from marshmallow import EXCLUDE
from werkzeug.exceptions import HTTPException

from ...errors import (
    DEFAULT_MESSAGES,
    Conflict,
    DomainError,
    Invalid,
    reason,
)
from ...faces import Face
from ...limits import retry_after
from .schemas import GenericErrorModel


def _answer(status: int, errors: dict[str, Any], headers: dict[str, str] | None = None):
    response = jsonify(errors=errors)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if status == 401:
        response.headers.setdefault("WWW-Authenticate", 'Token realm="api"')
    return response


def _messages(value: Any) -> list[str]:
    """Every message under ``value`` (marshmallow nests them by index for lists)."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, (list, tuple)):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def _flat(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Per-field messages as the spec has them: ``{"user": {"email": [...]}}`` (a wrapped
    body) becomes ``{"email": [...]}``, and nested messages become one list per field."""
    flat: dict[str, list[str]] = {}
    for key, value in errors.items():
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            for field, messages in value.items():
                flat[field] = _messages(messages)
        else:
            flat[key] = _messages(value)
    return flat


def render(exc: DomainError) -> Response:
    if isinstance(exc, Invalid):
        errors = _flat(dict(exc.errors or {})) or {"body": [exc.message]}
        return _answer(422, errors)
    if isinstance(exc, Conflict):
        field = exc.code.removesuffix("_taken") if exc.code.endswith("_taken") else "body"
        return _answer(422, {field: ["has already been taken"]})
    return _answer(exc.status, {"body": [exc.message]}, exc.headers)


class RealWorldFace(Face):
    def render_http(self, exc: HTTPException) -> Response:
        status = exc.code or 500
        message = exc.description
        if status in DEFAULT_MESSAGES and message == type(exc).description:
            message = DEFAULT_MESSAGES[status]
        headers = {"Retry-After": retry_after()} if status == 429 else {}
        return _answer(status, {"body": [message or reason(status)]}, headers)


api = RealWorldFace(
    "realworld",
    "/api",
    unknown=EXCLUDE,  # frontends send whole objects back (token, createdAt, …): ignore extras
    schemes=("token", "bearer"),
    body_errors=(400, 413, 415, 422),
    query_errors=(422,),
    error_descriptions={
        401: 'Missing, invalid, expired or revoked token: `{"errors": {"body": [...]}}`',
        403: "Not the author",
        404: "Not found (also a draft that is not yours)",
        413: "Request body too large",
        415: "Content-Type is not application/json",
        422: 'Validation failed: `{"errors": {"<field>": ["<message>"]}}`',
        429: "Too many login attempts; see `Retry-After`",
    },
    renderers={DomainError: render},
    title="RealWorld (Conduit) API",
    description="The blog as the RealWorld backend API, for existing RealWorld frontends. "
    "Send `Authorization: Token <token>` where an operation needs it.",
    api_version="1.1.0",
    security_scheme={
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <jwt>` (or `Bearer <jwt>`), the token of the login answer",
    },
    error_schema=GenericErrorModel,
)
