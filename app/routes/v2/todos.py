"""v2 todos: private to their owner, paged, filterable and sortable."""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify

from ...auth import login_required
from ...body import load
from ...extensions import db
from ...models import Todo
from ...pagination import order_by, paginate, query_args
from ...permissions import own_todo_or_404
from ...responses import created, no_content
from ...schemas import (
    todo_create_schema,
    todo_list_args_schema,
    todo_schema,
    todo_update_schema,
    todos_schema,
)

bp = Blueprint("todos", __name__)


@bp.get("/todos")
@login_required
def list_todos():
    """List the caller's todos (``completed``, ``sort``)."""
    args = query_args(todo_list_args_schema)
    stmt = sa.select(Todo).where(Todo.user_id == g.current_user.id)
    if "completed" in args:
        stmt = stmt.where(Todo.completed.is_(args["completed"]))
    stmt = stmt.order_by(*order_by(Todo, args["sort"]))
    return paginate(stmt, todos_schema, limit=args["limit"], offset=args["offset"])


@bp.post("/todos")
@login_required
def create_todo():
    """Create a todo for the caller."""
    todo = Todo(**load(todo_create_schema), owner=g.current_user)
    db.session.add(todo)
    db.session.commit()
    return created(todo_schema.dump(todo), "v2.todos.get_todo", todo_id=todo.id)


@bp.get("/todos/<id:todo_id>")
@login_required
def get_todo(todo_id):
    """Show one of the caller's todos."""
    return jsonify(todo_schema.dump(own_todo_or_404(todo_id, g.current_user)))


@bp.put("/todos/<id:todo_id>")
@login_required
def replace_todo(todo_id):
    """Replace a todo: title required; omitted fields take their defaults."""
    todo = own_todo_or_404(todo_id, g.current_user)
    todo.update(load(todo_create_schema))
    db.session.commit()
    return jsonify(todo_schema.dump(todo))


@bp.patch("/todos/<id:todo_id>")
@login_required
def update_todo(todo_id):
    """Change only the fields given."""
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
    return no_content()
