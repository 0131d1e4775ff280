"""v2 todos: private to their owner, paged, filterable and sortable."""

import sqlalchemy as sa
from flask import Blueprint, g

from ...extensions import db
from ...models import Todo
from ...pagination import order_by, paginate
from ...permissions import own_todo_or_404
from ...schemas import todo_create_schema, todo_list_args_schema, todo_schema, todo_update_schema
from .face import api

bp = Blueprint("todos", __name__)


def _own(todo_id):
    return own_todo_or_404(todo_id, g.current_user)


@bp.get("/todos")
@api.auth()
@api.query(todo_list_args_schema)
@api.response(todo_schema, page=True)
def list_todos(args):
    """List the caller's todos (``completed``, ``sort``)."""
    stmt = sa.select(Todo).where(Todo.user_id == g.current_user.id)
    if "completed" in args:
        stmt = stmt.where(Todo.completed.is_(args["completed"]))
    stmt = stmt.order_by(*order_by(Todo, args["sort"]))
    return paginate(stmt, limit=args["limit"], offset=args["offset"])


@bp.post("/todos")
@api.auth()
@api.idempotent()
@api.body(todo_create_schema)
@api.response(todo_schema, 201, location=("v2.todos.get_todo", "todo_id"))
def create_todo(data):
    """Create a todo for the caller."""
    todo = Todo(**data, owner=g.current_user)
    db.session.add(todo)
    db.session.commit()
    return todo


@bp.get("/todos/<id:todo_id>")
@api.auth()
@api.response(todo_schema, etag=True)
def get_todo(todo_id):
    """Show one of the caller's todos."""
    return own_todo_or_404(todo_id, g.current_user)


@bp.put("/todos/<id:todo_id>")
@api.auth()
@api.if_match(Todo, "todo_id", _own, todo_schema)
@api.body(todo_create_schema)
@api.response(todo_schema, etag=True)
def replace_todo(data, todo_id):
    """Replace a todo: title required; omitted fields take their defaults."""
    todo = own_todo_or_404(todo_id, g.current_user)
    todo.update(data)
    db.session.commit()
    return todo


@bp.patch("/todos/<id:todo_id>")
@api.auth()
@api.if_match(Todo, "todo_id", _own, todo_schema)
@api.body(todo_update_schema)
@api.response(todo_schema, etag=True)
def update_todo(data, todo_id):
    """Change only the fields given."""
    todo = own_todo_or_404(todo_id, g.current_user)
    todo.update(data)
    db.session.commit()
    return todo


@bp.delete("/todos/<id:todo_id>")
@api.auth()
@api.if_match(Todo, "todo_id", _own, todo_schema)
@api.response(None, 204)
def delete_todo(todo_id):
    """Delete one of the caller's todos."""
    db.session.delete(own_todo_or_404(todo_id, g.current_user))
    db.session.commit()
