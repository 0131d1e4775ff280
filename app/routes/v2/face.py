"""The v2 face: 422 with per-field errors, 409 for duplicates, 415 for a non-JSON body."""

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
        400: "Malformed JSON, or a body that is not a JSON object",
        401: "Missing, invalid, expired or revoked token",
        403: "Not allowed for this user",
        404: "Not found (also another user's todo, or someone else's draft)",
        409: "Username or email already taken",
        413: "Request body too large",
        415: "Content-Type is not application/json",
        422: "Validation failed: `errors` maps each field to its messages",
        429: "Rate limited (login, sign-up or post budget); see `Retry-After`",
    },
    title="Blog API v2",
    api_version="2.0.0",
    description="Users, posts and todos for browser frontends.",
)
