"""v2 todos: private to their owner; description, due_date; filters and sorting."""

from datetime import date

import pytest

from app.models import Todo

from ..helpers import V2, assert_error, assert_timestamp, count_rows, row

TODO_KEYS = {
    "id",
    "title",
    "description",
    "completed",
    "due_date",
    "user_id",
    "created_at",
    "updated_at",
}


def titles(response):
    assert response.status_code == 200, response.json
    return [t["title"] for t in response.json["items"]]


def test_create_todo_answers_201_with_location_and_defaults(client, app, alice, alice_id):
    response = client.post(f"{V2}/todos", json={"title": "Buy milk"}, headers=alice)
    assert response.status_code == 201
    body = response.json
    assert set(body) == TODO_KEYS
    assert (body["title"], body["description"], body["completed"], body["due_date"]) == (
        "Buy milk",
        None,
        False,
        None,
    )
    assert body["user_id"] == alice_id
    assert_timestamp(body["created_at"])
    assert response.headers["Location"].endswith(f"{V2}/todos/{body['id']}")
    shown = client.get(response.headers["Location"], headers=alice)
    assert shown.status_code == 200
    assert shown.json == body


def test_create_todo_with_every_field(client, app, alice):
    body = {
        "title": "Taxes",
        "description": "File the return",
        "completed": True,
        "due_date": "2026-04-30",
    }
    response = client.post(f"{V2}/todos", json=body, headers=alice)
    assert response.status_code == 201
    assert {k: response.json[k] for k in body} == body
    stored = row(app, Todo, response.json["id"])
    assert stored["due_date"] == date(2026, 4, 30)
    assert stored["description"] == "File the return"
    assert stored["completed"] is True


@pytest.mark.parametrize(
    "sent", ["2026-04-30T10:00:00Z", "2026-04-30T23:30:00+02:00", "2026-04-30T00:00:00"]
)
def test_a_datetime_due_date_is_kept_as_the_date_written(client, app, alice, sent):
    response = client.post(f"{V2}/todos", json={"title": "t", "due_date": sent}, headers=alice)
    assert response.status_code == 201, response.json
    assert response.json["due_date"] == "2026-04-30"
    assert row(app, Todo, response.json["id"])["due_date"] == date(2026, 4, 30)


@pytest.mark.parametrize(
    "due_date",
    [
        "2026-13-01",
        "2026-02-30",
        "tomorrow",
        "30/04/2026",
        "2026-04-30T25:00:00Z",
        "2026-04-30Tnoon",
        "",
        20260430,
        True,
    ],
)
def test_invalid_due_date_is_422(client, app, alice, due_date):
    response = client.post(f"{V2}/todos", json={"title": "t", "due_date": due_date}, headers=alice)
    assert "due_date" in assert_error(response, 422, "validation_error")["errors"]
    assert count_rows(app, Todo) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "t", "completed": "yes"}, "completed"),
        ({"title": "t", "completed": 1}, "completed"),
        ({"title": "t", "description": "d" * 10_001}, "description"),
        ({"title": "t", "description": "nul\x00"}, "description"),
        ({"title": "t", "user_id": 2}, "user_id"),
        ({"title": "t", "id": 2}, "id"),
        ({"title": "t", "created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_create_todo_invalid_input_is_422_per_field(client, app, alice, body, field):
    response = client.post(f"{V2}/todos", json=body, headers=alice)
    assert field in assert_error(response, 422)["errors"]
    assert count_rows(app, Todo) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/todos"), ("post", "/todos"), ("get", "/todos/1"), ("delete", "/todos/1")],
)
def test_todos_need_a_token(client, method, path):
    response = getattr(client, method)(f"{V2}{path}", json={"title": "t"})
    assert_error(response, 401, "token_missing")


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("put", {"title": "stolen"}),
        ("patch", {"completed": True}),
        ("delete", None),
    ],
)
def test_another_users_todo_is_404_and_unchanged(client, app, auth, seed, alice_id, method, body):
    todo = seed.todo(alice_id, "private")
    before = row(app, Todo, todo)
    for headers in (auth.user("bob"), auth.user("root", admin=True)):
        response = getattr(client, method)(f"{V2}/todos/{todo}", json=body, headers=headers)
        assert assert_error(response, 404, "not_found")["message"] == "Todo not found"
    assert row(app, Todo, todo) == before


@pytest.mark.parametrize("ident", ["999", "0", "-1", str(2**31)])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_unknown_todo_is_404(client, alice, ident, method):
    body = {"title": "t"} if method in ("put", "patch") else None
    response = getattr(client, method)(f"{V2}/todos/{ident}", json=body, headers=alice)
    assert assert_error(response, 404, "not_found")["message"] == "Todo not found"


def test_list_shows_only_the_callers_todos(client, auth, seed, alice, alice_id):
    bob_id = auth.create_user("bob")
    seed.todo(alice_id, "mine", minute=1)
    seed.todo(bob_id, "bobs", minute=2)
    response = client.get(f"{V2}/todos", headers=alice)
    assert titles(response) == ["mine"]
    assert response.json["total"] == 1
    assert set(response.json["items"][0]) == TODO_KEYS


def test_put_replaces_the_whole_todo(client, app, seed, alice, alice_id):
    todo = seed.todo(alice_id, "old", completed=True, due=date(2026, 1, 1))
    response = client.put(f"{V2}/todos/{todo}", json={"title": "new"}, headers=alice)
    assert response.status_code == 200
    # Omitted fields take their defaults.
    assert (
        response.json["title"],
        response.json["completed"],
        response.json["due_date"],
        response.json["description"],
    ) == ("new", False, None, None)
    stored = row(app, Todo, todo)
    assert (stored["title"], stored["completed"], stored["due_date"]) == ("new", False, None)


def test_put_needs_a_title(client, app, seed, alice, alice_id):
    todo = seed.todo(alice_id, "keep")
    before = row(app, Todo, todo)
    response = client.put(f"{V2}/todos/{todo}", json={"completed": True}, headers=alice)
    assert assert_error(response, 422)["errors"] == {"title": ["Missing data for required field."]}
    assert row(app, Todo, todo) == before


def test_patch_changes_only_the_given_fields(client, app, seed, alice, alice_id):
    todo = seed.todo(alice_id, "keep", due=date(2026, 5, 1))
    response = client.patch(f"{V2}/todos/{todo}", json={"completed": True}, headers=alice)
    assert response.status_code == 200
    assert (response.json["title"], response.json["completed"], response.json["due_date"]) == (
        "keep",
        True,
        "2026-05-01",
    )
    stored = row(app, Todo, todo)
    assert (stored["title"], stored["completed"]) == ("keep", True)

    cleared = client.patch(
        f"{V2}/todos/{todo}", json={"due_date": None, "description": "notes"}, headers=alice
    )
    assert (cleared.json["due_date"], cleared.json["description"]) == (None, "notes")
    assert row(app, Todo, todo)["due_date"] is None


@pytest.mark.parametrize(
    "body", [{"due_date": "someday"}, {"title": ""}, {"completed": "true"}, {"user_id": 9}]
)
def test_patch_invalid_values_change_nothing(client, app, seed, alice, alice_id, body):
    todo = seed.todo(alice_id)
    before = row(app, Todo, todo)
    response = client.patch(f"{V2}/todos/{todo}", json=body, headers=alice)
    assert set(assert_error(response, 422)["errors"]) == set(body)
    assert row(app, Todo, todo) == before


def test_delete_todo_answers_204_with_no_body(client, app, seed, alice, alice_id):
    todo = seed.todo(alice_id)
    response = client.delete(f"{V2}/todos/{todo}", headers=alice)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert row(app, Todo, todo) is None
    assert_error(client.get(f"{V2}/todos/{todo}", headers=alice), 404)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("completed=true", ["done 2", "done 1"]),
        ("completed=false", ["open"]),
        ("completed=1", ["done 2", "done 1"]),
        ("completed=0", ["open"]),
        ("", ["done 2", "open", "done 1"]),
    ],
)
def test_list_filters_by_completed(client, seed, alice, alice_id, query, expected):
    seed.todo(alice_id, "done 1", completed=True, minute=1)
    seed.todo(alice_id, "open", minute=2)
    seed.todo(alice_id, "done 2", completed=True, minute=3)
    assert titles(client.get(f"{V2}/todos?{query}", headers=alice)) == expected


@pytest.mark.parametrize("value", ["yes", "TRUE!", "2", "", "null"])
def test_list_bad_completed_is_422(client, alice, value):
    response = client.get(f"{V2}/todos", query_string={"completed": value}, headers=alice)
    assert "completed" in assert_error(response, 422)["errors"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # Todos without a due date come last in both directions, on every database.
        ("due_date", ["soon", "later", "none 1", "none 2"]),
        ("-due_date", ["later", "soon", "none 2", "none 1"]),
        ("created_at", ["none 1", "later", "soon", "none 2"]),
        ("-created_at", ["none 2", "soon", "later", "none 1"]),
        ("title", ["later", "none 1", "none 2", "soon"]),
        ("-title", ["soon", "none 2", "none 1", "later"]),
        ("updated_at", ["none 1", "later", "soon", "none 2"]),
        ("-updated_at", ["none 2", "soon", "later", "none 1"]),
    ],
)
def test_list_sorts(client, seed, alice, alice_id, sort, expected):
    seed.todo(alice_id, "none 1", minute=1)
    seed.todo(alice_id, "later", due=date(2026, 9, 1), minute=2)
    seed.todo(alice_id, "soon", due=date(2026, 3, 1), minute=3)
    seed.todo(alice_id, "none 2", minute=4)
    assert titles(client.get(f"{V2}/todos?sort={sort}", headers=alice)) == expected


@pytest.mark.parametrize("sort", ["priority", "user_id", "due", "+due_date", ""])
def test_list_unknown_sort_is_422(client, alice, sort):
    response = client.get(f"{V2}/todos", query_string={"sort": sort}, headers=alice)
    assert "sort" in assert_error(response, 422)["errors"]
