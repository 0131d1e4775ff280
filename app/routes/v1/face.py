"""The v1 face: the seeds' contract — 400 with a specific message for every client error."""

from flask import Response
from marshmallow import EXCLUDE

from ...errors import (
    Conflict,
    DomainError,
    Invalid,
    NotJSON,
    UnparsableJSON,
    error_response,
    render_domain_error,
    summarize,
)
from ...faces import Face


def _invalid(exc: DomainError) -> Response:
    assert isinstance(exc, Invalid)
    message = exc.explicit_message or summarize(exc.errors or {})
    return error_response(400, message, exc.code, errors=exc.errors or None)


def _not_json(exc: DomainError) -> Response:
    code = "invalid_content_type" if isinstance(exc, NotJSON) else "invalid_json"
    return error_response(400, "Request must be JSON", code)


api = Face(
    "v1",
    "/api/v1",
    unknown=EXCLUDE,  # the seeds ignore fields they do not know
    body_errors=(400, 413),
    query_errors=(400,),
    error_descriptions={
        400: "Not JSON, missing or invalid fields (a specific `message`)",
        401: "Missing, invalid, expired or revoked token",
        403: "Not the owner (or an admin)",
        404: "Not found",
        413: "Request body too large",
        429: "Rate limited (login, sign-up or post budget); see `Retry-After`",
    },
    renderers={
        Invalid: _invalid,
        Conflict: lambda exc: render_domain_error(exc, 400),  # "Username already exists"
        NotJSON: _not_json,
        UnparsableJSON: _not_json,
    },
    title="Blog API v1",
    api_version="1.0.0",
    description="The seeds' API: users, posts and todos."
    " Send `Authorization: Bearer <access_token>` where an operation needs it."
    " Every error has the body `Error`.",
)
