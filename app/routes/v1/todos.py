"""v1 todos: private to their owner."""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify

from ...auth import login_required
from ...body import json_object, load, require_fields
from ...extensions import db
from ...models import Todo
from ...permissions import own_todo_or_404
from ...schemas import todo_create_schema, todo_schema, todo_update_schema, todos_schema

bp = Blueprint("todos", __name__)


@bp.get("/todos")
@login_required
def list_todos():
    """List the caller's todos."""
    todos = db.session.scalars(
        sa.select(Todo).where(Todo.user_id == g.current_user.id).order_by(Todo.id)
    ).all()
    return jsonify({"todos": todos_schema.dump(todos)})


@bp.post("/todos")
@login_required
def create_todo():
    """Create a todo for the caller."""
    data = json_object()
    require_fields(data, ("title",), "Missing title")
    todo = Todo(**load(todo_create_schema, data), owner=g.current_user)
    db.session.add(todo)
    db.session.commit()
    return jsonify(todo_schema.dump(todo)), 201


@bp.get("/todos/<id:todo_id>")
@login_required
def get_todo(todo_id):
    """Show one of the caller's todos."""
    return jsonify(todo_schema.dump(own_todo_or_404(todo_id, g.current_user)))


@bp.put("/todos/<id:todo_id>")
@login_required
def update_todo(todo_id):
    """Change one of the caller's todos (only the fields given)."""
    todo = own_todo_or_404(todo_id, g.current_user)
    todo.update(load(todo_update_schema))
    db.session.commit()
    return jsonify(todo_schema.dump(todo))


@bp.delete("/todos/<id:todo_id>")
@login_required
def delete_todo(todo_id):
    """Delete one of the caller's todos."""
    db.session.delete(own_todo_or_404(todo_id, g.current_user))
    db.session.commit()
    return jsonify({"message": "Todo deleted"})
