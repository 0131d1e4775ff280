"""/api/v1/todos: private to their owner."""

import pytest

from app.extensions import db
from app.models import Todo

from ..helpers import count_rows

V1 = "/api/v1"
TODO_KEYS = {"id", "title", "completed", "user_id", "created_at", "updated_at"}


def make_todo(app, user_id, title="Todo", completed=False):
    with app.app_context():
        todo = Todo(title=title, completed=completed, user_id=user_id)
        db.session.add(todo)
        db.session.commit()
        return todo.id


def read_todo(app, todo_id):
    with app.app_context():
        todo = db.session.get(Todo, todo_id)
        return None if todo is None else (todo.title, todo.completed, todo.user_id)


def test_create_todo(client, app, auth):
    headers = auth.user("alice")

    response = client.post(f"{V1}/todos", json={"title": "Buy milk"}, headers=headers)

    assert response.status_code == 201
    assert TODO_KEYS <= set(response.json)
    assert response.json["title"] == "Buy milk"
    assert response.json["completed"] is False
    assert response.json["user_id"] == 1
    assert read_todo(app, 1) == ("Buy milk", False, 1)


def test_create_completed_todo(client, app, auth):
    headers = auth.user("alice")

    response = client.post(
        f"{V1}/todos", json={"title": "Done", "completed": True}, headers=headers
    )

    assert response.status_code == 201
    assert response.json["completed"] is True
    assert read_todo(app, 1) == ("Done", True, 1)


def test_create_todo_ignores_owner_and_server_fields(client, app, auth):
    auth.create_user("bob")
    headers = auth.user("alice")

    response = client.post(
        f"{V1}/todos",
        json={"title": "Mine", "user_id": 1, "id": 50, "created_at": "2000-01-01T00:00:00Z"},
        headers=headers,
    )

    assert response.status_code == 201
    assert (response.json["id"], response.json["user_id"]) == (1, 2)
    assert read_todo(app, 1) == ("Mine", False, 2)
    assert read_todo(app, 50) is None


def test_list_todos_shows_callers_only(client, app, auth):
    alice = auth.user("alice")
    auth.create_user("bob")
    make_todo(app, 1, "A1")
    make_todo(app, 2, "B1")
    make_todo(app, 1, "A2", completed=True)

    response = client.get(f"{V1}/todos", headers=alice)

    assert response.status_code == 200
    assert [t["title"] for t in response.json["todos"]] == ["A1", "A2"]
    assert [t["completed"] for t in response.json["todos"]] == [False, True]
    assert all(TODO_KEYS <= set(t) for t in response.json["todos"])


def test_list_todos_when_there_are_none(client, auth):
    response = client.get(f"{V1}/todos", headers=auth.user("alice"))

    assert response.status_code == 200
    assert response.json == {"todos": []}


def test_get_own_todo(client, app, auth):
    headers = auth.user("alice")
    make_todo(app, 1, "Mine")

    response = client.get(f"{V1}/todos/1", headers=headers)

    assert response.status_code == 200
    assert response.json["title"] == "Mine"


NOT_FOUND = {"error": "Not Found", "message": "Todo not found", "code": "not_found"}


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_unknown_todo_is_404(client, app, auth, method):
    headers = auth.user("alice")

    response = getattr(client, method)(f"{V1}/todos/4", headers=headers, json={"title": "x"})

    assert response.status_code == 404
    assert response.json == NOT_FOUND
    assert count_rows(app, Todo) == 0


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_someone_elses_todo_is_404(client, app, auth, method):
    make_todo(app, auth.create_user("alice"), "Alice's")
    bob = auth.user("bob")

    response = getattr(client, method)(
        f"{V1}/todos/1", headers=bob, json={"title": "Bob's", "completed": True}
    )

    assert response.status_code == 404
    assert response.json == NOT_FOUND
    assert read_todo(app, 1) == ("Alice's", False, 1)


def test_someone_elses_todo_is_404_even_for_an_admin(client, app, auth):
    make_todo(app, auth.create_user("alice"), "Alice's")
    admin = auth.user("root", admin=True)

    response = client.get(f"{V1}/todos/1", headers=admin)

    assert response.status_code == 404
    assert response.json == NOT_FOUND


def test_update_own_todo(client, app, auth):
    headers = auth.user("alice")
    make_todo(app, 1, "Old")

    completed = client.put(f"{V1}/todos/1", json={"completed": True}, headers=headers)
    assert completed.status_code == 200
    assert completed.json["completed"] is True
    assert completed.json["title"] == "Old"
    assert read_todo(app, 1) == ("Old", True, 1)

    renamed = client.put(f"{V1}/todos/1", json={"title": "New"}, headers=headers)
    assert renamed.status_code == 200
    assert read_todo(app, 1) == ("New", True, 1)


def test_update_todo_ignores_owner_and_id(client, app, auth):
    bob = auth.user("bob")
    alice = auth.user("alice")
    make_todo(app, 1, "Bob's")

    stolen = client.put(
        f"{V1}/todos/1", json={"title": "Alice's", "user_id": 2, "id": 3}, headers=alice
    )
    assert stolen.status_code == 404  # alice cannot reach bob's todo at all
    assert read_todo(app, 1) == ("Bob's", False, 1)

    given = client.put(f"{V1}/todos/1", json={"title": "Mine", "user_id": 2, "id": 3}, headers=bob)
    assert given.status_code == 200
    assert (given.json["id"], given.json["user_id"]) == (1, 1)
    assert read_todo(app, 1) == ("Mine", False, 1)
    assert read_todo(app, 3) is None


def test_delete_own_todo(client, app, auth):
    headers = auth.user("alice")
    make_todo(app, 1)
    make_todo(app, 1, "Keep")

    response = client.delete(f"{V1}/todos/1", headers=headers)

    assert response.status_code == 200
    assert response.json == {"message": "Todo deleted"}
    assert read_todo(app, 1) is None
    assert count_rows(app, Todo) == 1
