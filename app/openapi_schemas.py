"""Schemas the OpenAPI documents need beyond the routes' own: list envelopes, and the
field details (code-checked lengths) apispec cannot see."""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields

from .fields import Password, Text

# --- schemas derived from app.schemas -----------------------------------------------------

_derived: dict[str, type[Schema]] = {}


def _derived_schema(name: str, attrs: dict[str, fields.Field]) -> type[Schema]:
    """One class per name, so apispec registers each envelope once."""
    if name not in _derived:
        _derived[name] = type(
            name, (Schema,), {"Meta": type("Meta", (), {"ordered": True}), **attrs}
        )
    return _derived[name]


def _item_class(schema: Schema) -> type[Schema]:
    return type(schema)


def page_schema(item: Schema) -> Schema:
    """v2's list body (``app.pagination.paginate``) around ``item``."""
    cls = _item_class(item)
    name = cls.__name__.removesuffix("Schema") + "PageSchema"
    return _derived_schema(
        name,
        {
            "items": fields.List(fields.Nested(cls), required=True),
            "total": fields.Integer(required=True),
            "count": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
        },
    )()


def envelope_schema(key: str, item: Schema) -> Schema:
    """v1's list body: ``{"posts": [...]}``."""
    cls = _item_class(item)
    name = "V1" + cls.__name__.removesuffix("Schema") + "ListSchema"
    return _derived_schema(name, {key: fields.List(fields.Nested(cls), required=True)})()


# --- field details apispec cannot see -----------------------------------------------------


def text_lengths(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """Expose the lengths that ``Text`` and ``Password`` check in code."""
    if not isinstance(field, Text):
        return {}
    props: dict[str, Any] = {}
    if isinstance(field, Password):
        cfg = current_app.config
        return {
            "minLength": int(cfg["PASSWORD_MIN_LENGTH"]),
            "maxLength": int(cfg["PASSWORD_MAX_LENGTH"]),
        }
    if field.min_length:
        props["minLength"] = field.min_length
    if field.max_length is not None:
        props["maxLength"] = field.max_length
    return props
