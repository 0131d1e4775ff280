"""v1 todos: private to their owner."""

import sqlalchemy as sa
from flask import Blueprint, g

from ...extensions import db
from ...models import Todo
from ...pagination import paginate
from ...permissions import own_todo_or_404
from ...schemas import (
    MessageSchema,
    todo_create_schema,
    todo_schema,
    todo_update_schema,
    v1_page_args_schema,
)
from .face import api

bp = Blueprint("todos", __name__)


@bp.get("/todos")
@api.auth()
@api.query(v1_page_args_schema)
@api.response(todo_schema, envelope="todos", page=True)
def list_todos(args):
    """List the caller's todos, a page at a time."""
    stmt = sa.select(Todo).where(Todo.user_id == g.current_user.id).order_by(Todo.id)
    return paginate(stmt, limit=args["limit"], offset=args["offset"])


@bp.post("/todos")
@api.auth()
@api.body(todo_create_schema, require=("title",), missing="Missing title")
@api.response(todo_schema, 201)
def create_todo(data):
    """Create a todo for the caller."""
    todo = Todo(**data, owner=g.current_user)
    db.session.add(todo)
    db.session.commit()
    return todo


@bp.get("/todos/<id:todo_id>")
@api.auth()
@api.response(todo_schema)
def get_todo(todo_id):
    """Show one of the caller's todos."""
    return own_todo_or_404(todo_id, g.current_user)


@bp.put("/todos/<id:todo_id>")
@api.auth()
@api.body(todo_update_schema)
@api.response(todo_schema)
def update_todo(data, todo_id):
    """Change one of the caller's todos (only the fields given)."""
    todo = own_todo_or_404(todo_id, g.current_user)
    todo.update(data)
    db.session.commit()
    return todo


@bp.delete("/todos/<id:todo_id>")
@api.auth()
@api.response(MessageSchema())
def delete_todo(todo_id):
    """Delete one of the caller's todos."""
    db.session.delete(own_todo_or_404(todo_id, g.current_user))
    db.session.commit()
    return {"message": "Todo deleted"}
