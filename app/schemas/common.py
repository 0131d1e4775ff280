"""Shapes every face and endpoint shares: the error body, a message, a tag count."""

from __future__ import annotations

from marshmallow import fields

from ..extensions import ma


class TagCountSchema(ma.Schema):
    """A tag and how many published posts carry it."""

    class Meta:
        ordered = True

    name = fields.String(required=True)
    count = fields.Integer(required=True)


class ErrorSchema(ma.Schema):
    error = fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    message = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": "per field"}
    )


class MessageSchema(ma.Schema):
    message = fields.String(required=True)


tag_count_schema = TagCountSchema()
