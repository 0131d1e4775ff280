"""Small response builders shared by the routes of both versions."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, url_for


def created(body: Any, endpoint: str, **values: Any) -> Response:
    """201 with the new resource's ``Location``."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for(endpoint, **values, _external=True)
    return response


def no_content() -> Response:
    """204 with no body and no content type."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def tokens(body: dict[str, Any]) -> Response:
    """A body that carries tokens: never stored by any cache."""
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
