"""Todos."""

from __future__ import annotations

from marshmallow import fields

from ..extensions import ma
from ..fields import (
    DueDate,
    StrictBool,
    Text,
    Title,
)
from ..models import (
    DESCRIPTION_MAX,
    Todo,
)

# --- todos --------------------------------------------------------------------------------


class TodoSchema(ma.SQLAlchemySchema):
    class Meta:
        model = Todo
        ordered = True

    id = ma.auto_field(dump_only=True)
    title = ma.auto_field(dump_only=True)
    description = ma.auto_field(dump_only=True)
    completed = ma.auto_field(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    user_id = ma.auto_field(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TodoCreateSchema(ma.Schema):
    title = Title(required=True)
    description = Text(load_default=None, allow_none=True, max_length=DESCRIPTION_MAX)
    completed = StrictBool(load_default=False)
    due_date = DueDate(load_default=None, allow_none=True)


class TodoUpdateSchema(ma.Schema):
    title = Title()
    description = Text(allow_none=True, max_length=DESCRIPTION_MAX)
    completed = StrictBool()
    due_date = DueDate(allow_none=True)


todo_schema = TodoSchema()
todos_schema = TodoSchema(many=True)
todo_create_schema = TodoCreateSchema()
todo_update_schema = TodoUpdateSchema()
