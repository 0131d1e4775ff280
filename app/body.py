"""Reading JSON request bodies, the same way for every route of both versions."""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError

from .errors import APIError, api_version, validation_error


def json_object() -> dict[str, Any]:
    """Return the request body as a JSON object, or raise the version's 4xx error.

    v1 answers 400 ``Request must be JSON`` (as seed 001 does); v2 answers 415 for a
    non-JSON content type. Malformed JSON and non-object bodies are 400 in both.
    """
    v1 = api_version() == "v1"
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH, whatever the type
    if not request.is_json:
        if v1:
            raise APIError(400, "Request must be JSON", "invalid_content_type")
        raise APIError(
            415,
            "Request body must be JSON (Content-Type: application/json)",
            "unsupported_media_type",
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise APIError(
            400, "Request must be JSON" if v1 else "Malformed JSON body", "invalid_json"
        ) from None
    if not isinstance(data, dict):
        raise APIError(400, "Request body must be a JSON object", "invalid_json")
    try:
        # "\ud800" is valid JSON but not Unicode: no database or encoder can store it.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise APIError(
            400, "Request body must not contain unpaired surrogates", "invalid_json"
        ) from None
    return data


def optional_json_object() -> dict[str, Any]:
    """Like ``json_object`` but an empty body (no JSON at all) means ``{}``."""
    if not request.get_data(cache=True) and not request.content_length:
        return {}
    return json_object()


def load(schema: Schema, data: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Validate the body through ``schema``; unknown fields are ignored in v1, refused in v2."""
    if data is None:
        data = json_object()
    unknown = EXCLUDE if api_version() == "v1" else RAISE
    try:
        return schema.load(data, unknown=unknown, **kwargs)
    except ValidationError as err:
        raise validation_error(err.normalized_messages()) from None


def require_fields(data: dict[str, Any], fields: tuple[str, ...], message: str) -> None:
    """Raise v1's 400 ``message`` when any of ``fields`` is absent, null or blank."""
    for name in fields:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise APIError(400, message, "missing_fields")
