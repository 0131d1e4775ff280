"""v1 lists keep the seeds' shape ({"posts": [...]}) but answer at most a page:
``limit`` (default and maximum 100) and ``offset``, with an RFC 8288 ``Link`` for the rest."""

import pytest

from app.extensions import db
from app.models import Post, Todo, User

from ..helpers import unique_slug

V1 = "/api/v1"


def add_rows(app, count, username="writer"):
    with app.app_context():
        user = User(password_hash="x")
        user.set_username(username)
        db.session.add(user)
        db.session.flush()
        for i in range(count):
            db.session.add(Post(title=f"Post {i}", slug=unique_slug(), content="C", author=user))
            db.session.add(Todo(title=f"Todo {i}", owner=user))
            extra = User(password_hash="x")
            extra.set_username(f"user{i}")
            db.session.add(extra)
        db.session.commit()
        return user.id


def test_lists_answer_at_most_100_items_and_link_to_the_rest(app, client):
    add_rows(app, 105)

    for path, key in (("/posts", "posts"), ("/users", "users")):
        response = client.get(f"{V1}{path}")
        assert response.status_code == 200
        assert list(response.json) == [key]
        assert len(response.json[key]) == 100
        assert 'rel="next"' in response.headers["Link"]
        assert "offset=100" in response.headers["Link"]


def test_limit_and_offset_page_through_a_list(app, client):
    add_rows(app, 5)
    first = client.get(f"{V1}/posts?limit=2")
    rest = client.get(f"{V1}/posts?limit=2&offset=4")
    assert [p["title"] for p in first.json["posts"]] == ["Post 0", "Post 1"]
    assert [p["title"] for p in rest.json["posts"]] == ["Post 4"]
    assert "content" in first.json["posts"][0]  # the seed's post shape, content included
    assert 'rel="next"' not in rest.headers["Link"]


def test_todos_are_paged_too(app, client, auth):
    headers = auth.user("alice")
    for i in range(3):
        client.post(f"{V1}/todos", json={"title": f"t{i}"}, headers=headers)
    response = client.get(f"{V1}/todos?limit=2", headers=headers)
    assert len(response.json["todos"]) == 2
    assert 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=x", "offset=-1"])
def test_bad_paging_values_are_400(client, query):
    response = client.get(f"{V1}/posts?{query}")
    assert response.status_code == 400
    assert response.json["code"] == "validation_error"
