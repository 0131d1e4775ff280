"""Reading JSON request bodies: the same rules for every face (each renders the errors)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import RAISE, Schema, ValidationError

from .errors import Invalid, MalformedJSON, NotJSON, UnparsableJSON


def load(
    schema: Schema,
    data: Mapping[str, Any],
    *,
    unknown: str = RAISE,
    message: str | None = None,
    **kwargs: Any,
) -> Any:
    """Validate ``data`` through ``schema``; the one place a ValidationError becomes Invalid."""
    try:
        return schema.load(data, unknown=unknown, **kwargs)
    except ValidationError as err:
        raise Invalid(capped(err.normalized_messages()), message) from None


#: An error answer names at most this many fields, each name at most NAME_MAX characters:
#: a 1 MB body of 90,000 unknown keys must not get a 2.5 MB answer.
ERRORS_MAX = 20
NAME_MAX = 64


def capped(messages: Any) -> Any:
    """``messages`` with at most ERRORS_MAX fields per level and field names cut short."""
    if not isinstance(messages, Mapping):
        return messages
    out: dict[Any, Any] = {}
    for key, value in messages.items():
        if len(out) == ERRORS_MAX:
            out["_more"] = [f"... and {len(messages) - ERRORS_MAX} more errors."]
            break
        if isinstance(key, str) and len(key) > NAME_MAX:
            key = key[:NAME_MAX] + "..."
        out[key] = capped(value)
    return out


def json_object(*, allow_empty: bool = False) -> dict[str, Any]:
    """Return the request body as a JSON object, or raise NotJSON / MalformedJSON.

    ``allow_empty``: a request with no body at all reads as ``{}``.
    """
    raw = request.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH, whatever the type
    if allow_empty and not raw and not request.content_length:
        return {}
    if not request.is_json:
        raise NotJSON()
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise UnparsableJSON() from None
    if not isinstance(data, dict):
        raise MalformedJSON("Request body must be a JSON object")
    try:
        # "\ud800" is valid JSON but not Unicode: no database or encoder can store it.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedJSON("Request body must not contain unpaired surrogates") from None
    return data
