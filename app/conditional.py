"""Conditional requests: strong ETags of JSON bodies and ``If-Match`` for writes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import request
from marshmallow import Schema

from .dumping import dump
from .errors import PreconditionFailed
from .extensions import db


def etag_of(body: Any) -> str:
    """A strong validator of a JSON body: equal bodies, equal tags (RFC 9110 8.8.3)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def lock_row(model: type, ident: int) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    (pk,) = table.primary_key.columns
    # Name every column that has an onupdate default, or the "no-op" would bump them.
    values = {c.name: c for c in table.columns if c.onupdate is not None} or {pk.name: pk}
    db.session.execute(sa.update(table).where(pk == ident).values(values))


def check_if_match(model: type, ident: int, load: Callable[[int], Any], schema: Schema) -> None:
    """Lock the row, then answer 412 unless ``If-Match`` names its current ETag."""
    lock_row(model, ident)
    current = etag_of(dump(schema, load(ident)))
    if not request.if_match.contains(current) and not request.if_match.star_tag:
        raise PreconditionFailed(
            "The resource changed since you read it; fetch it again",
            headers={"ETag": f'"{current}"'},
        )
