"""What a route declares about itself, recorded by the decorators of ``app.faces``.

``app.openapi`` reads it to assemble the documents; nothing else keeps a table of routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema


@dataclass
class RouteDoc:
    """What one route reads, answers and may fail with: recorded by the decorators."""

    body: Schema | None = None
    body_required: bool = True
    query: Schema | None = None
    response: Schema | None = None
    status: int = 200
    auth: str | None = None  # REQUIRED, OPTIONAL or None
    rate_limited: bool = False
    errors: tuple[int, ...] = ()
    page: bool = False  # a paged list body + Link header
    envelope: str | None = None  # a list wrapped in one key: {"posts": [...]}
    location: bool = False  # 201 with a Location header
    credentials_401: bool = False  # 401 "Invalid credentials" (login)
    description: str | None = None
    idempotent: bool = False  # accepts Idempotency-Key (app.idempotency)
    etag: bool = False  # answers carry a strong ETag; GET honours If-None-Match (304)
    if_match: bool = False  # honours If-Match (412 when the resource changed)
    extra: dict[str, Any] = field(default_factory=dict)


def describe(view: Callable[..., Any]) -> RouteDoc:
    """The ``RouteDoc`` of ``view``; decorators stacked with ``functools.wraps`` share it."""
    doc = view.__dict__.get("__route_doc__")
    if doc is None:
        doc = view.__dict__["__route_doc__"] = RouteDoc()
    return doc
