"""The v2 face: 422 with per-field errors, 409 for duplicates, 415 for a non-JSON body."""

from flask import Response, jsonify
from marshmallow import RAISE

from ...faces import Face

# Every domain error is answered in the house shape at its own status (app.errors).

api = Face(
    "v2",
    "/api/v2",
    unknown=RAISE,  # an unknown field is a client bug: 422 names it
    body_errors=(400, 413, 415, 422),
    query_errors=(422,),
    error_descriptions={
        400: "Malformed JSON, or a body that is not a JSON object; `token_invalid`: a "
        "mailed token that is unknown, used or expired",
        401: "Missing, invalid, expired or revoked token",
        403: "Not allowed for this user; `csrf_failed`: the refresh cookie was sent "
        "without its session's `X-CSRF-Token`",
        404: "Not found (also another user's todo, or someone else's draft)",
        409: "Username, email or slug already taken",
        413: "Request body too large",
        415: "Content-Type is not application/json",
        422: "Validation failed: `errors` maps each field to its messages",
        429: "Rate limited (login, sign-up or post budget); see `Retry-After`",
    },
    title="Blog API v2",
    api_version="2.0.0",
    description="Users, posts (slugs, tags, Markdown, comments, likes) and todos for "
    "browser frontends. Send `Authorization: Bearer <access_token>` where an operation "
    "needs it. Every error has the body `Error`.",
)


def moved_permanently(location: str) -> Response:
    """301 to ``location``, with a JSON body that says where (never an HTML page)."""
    response = jsonify({"message": "Moved permanently", "location": location})
    response.status_code = 301
    response.headers["Location"] = location
    return response
