"""v2 posts: create/read/replace/patch/delete, drafts, ownership, filters, sorting.

Search (``q``) has its own module, test_search.py.
"""

import pytest

from app.models import Post

from ..helpers import V2, assert_error, assert_timestamp, count_rows, row, titles

LIST_KEYS = {
    "id",
    "slug",
    "title",
    "summary",
    "content",
    "tags",
    "published",
    "user_id",
    "author",
    "likes_count",
    "comments_count",
    "liked",
    "created_at",
    "updated_at",
}
POST_KEYS = LIST_KEYS | {"content_html"}


# --- create and read ----------------------------------------------------------------------


def test_create_post_answers_201_with_location_and_author(client, app, alice, alice_id):
    response = client.post(
        f"{V2}/posts", json={"title": " Hello ", "content": "World"}, headers=alice
    )
    assert response.status_code == 201
    body = response.json
    assert set(body) == POST_KEYS
    assert body["title"] == "Hello"
    assert body["content"] == "World"
    assert body["published"] is True
    assert body["user_id"] == alice_id
    assert body["author"] == {"id": alice_id, "username": "alice"}
    assert_timestamp(body["created_at"])
    assert_timestamp(body["updated_at"])
    assert response.headers["Location"].endswith(f"{V2}/posts/{body['id']}")

    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200
    assert shown.json == body
    assert row(app, Post, body["id"])["user_id"] == alice_id


def test_create_draft(client, app, alice):
    response = client.post(
        f"{V2}/posts", json={"title": "t", "content": "c", "published": False}, headers=alice
    )
    assert response.status_code == 201
    assert response.json["published"] is False
    assert row(app, Post, response.json["id"])["published"] is False


def test_create_post_needs_a_token(client, app):
    response = client.post(f"{V2}/posts", json={"title": "t", "content": "c"})
    assert_error(response, 401, "token_missing")
    assert count_rows(app, Post) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": "c"}, "title"),
        ({"title": "t"}, "content"),
        ({"title": "   ", "content": "c"}, "title"),
        ({"title": None, "content": "c"}, "title"),
        ({"title": "t" * 201, "content": "c"}, "title"),
        ({"title": "t", "content": ""}, "content"),
        ({"title": "t\x00", "content": "c"}, "title"),
        ({"title": "t", "content": "c\x00"}, "content"),
        ({"title": ["t"], "content": "c"}, "title"),
        ({"title": "t", "content": "c", "published": "yes"}, "published"),
        ({"title": "t", "content": "c", "published": 1}, "published"),
    ],
)
def test_create_post_invalid_input_is_422_per_field(client, app, alice, body, field):
    response = client.post(f"{V2}/posts", json=body, headers=alice)
    assert field in assert_error(response, 422, "validation_error")["errors"]
    assert count_rows(app, Post) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user_id", 2),
        ("id", 5),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("updated_at", "2020-01-01T00:00:00Z"),
        ("is_admin", True),
        ("author", {"id": 2}),
    ],
)
def test_create_post_refuses_server_owned_fields(client, app, alice, field, value):
    body = {"title": "t", "content": "c", field: value}
    response = client.post(f"{V2}/posts", json=body, headers=alice)
    assert assert_error(response, 422)["errors"] == {field: ["Unknown field."]}
    assert count_rows(app, Post) == 0


@pytest.mark.parametrize("ident", ["999", "0", "-1", str(2**31), str(2**63)])
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_unknown_post_is_404(client, alice, ident, method):
    body = {"title": "t", "content": "c"} if method in ("put", "patch") else None
    response = getattr(client, method)(f"{V2}/posts/{ident}", json=body, headers=alice)
    assert assert_error(response, 404, "not_found")["message"] == "Post not found"


# --- drafts -------------------------------------------------------------------------------


def test_draft_is_404_for_anonymous_and_other_users(client, auth, seed, alice_id):
    draft = seed.post(alice_id, "draft", published=False)
    bob = auth.user("bob")
    for headers in ({}, bob):
        response = client.get(f"{V2}/posts/{draft}", headers=headers)
        assert assert_error(response, 404)["message"] == "Post not found"


def test_draft_is_visible_to_its_author_and_admins(client, auth, seed, alice, alice_id):
    draft = seed.post(alice_id, "draft", published=False)
    admin = auth.user("root", admin=True)
    for headers in (alice, admin):
        response = client.get(f"{V2}/posts/{draft}", headers=headers)
        assert response.status_code == 200
        assert (response.json["title"], response.json["published"]) == ("draft", False)


def test_drafts_appear_in_the_post_list_only_for_their_author(client, auth, seed, alice, alice_id):
    seed.post(alice_id, "public", minute=1)
    seed.post(alice_id, "draft", published=False, minute=2)
    bob = auth.user("bob")
    admin = auth.user("root", admin=True)
    # Anonymous visitors, other users and admins: published posts only.
    for headers in ({}, bob, admin):
        for query in ("", f"?author_id={alice_id}", "?q=draft", "?q=content"):
            response = client.get(f"{V2}/posts{query}", headers=headers)
            assert "draft" not in titles(response)
            assert response.json["total"] == (0 if query == "?q=draft" else 1)
    # The author sees their own draft in the feed ("optional Bearer (drafts)")...
    for query in ("", f"?author_id={alice_id}"):
        response = client.get(f"{V2}/posts{query}", headers=alice)
        assert titles(response) == ["draft", "public"]
        assert response.json["total"] == 2
    # ...but search results never hold a draft, not even for its author.
    for query in ("?q=draft", "?q=content"):
        response = client.get(f"{V2}/posts{query}", headers=alice)
        assert "draft" not in titles(response)


def test_someone_elses_draft_is_404_not_403_for_changes(client, app, auth, seed, alice_id):
    draft = seed.post(alice_id, "draft", published=False)
    bob = auth.user("bob")
    before = row(app, Post, draft)
    assert_error(client.patch(f"{V2}/posts/{draft}", json={"title": "x"}, headers=bob), 404)
    assert_error(
        client.put(f"{V2}/posts/{draft}", json={"title": "x", "content": "y"}, headers=bob), 404
    )
    assert_error(client.delete(f"{V2}/posts/{draft}", headers=bob), 404)
    assert row(app, Post, draft) == before


def test_author_publishes_a_draft_with_patch(client, seed, alice, alice_id):
    draft = seed.post(alice_id, "draft", published=False)
    response = client.patch(f"{V2}/posts/{draft}", json={"published": True}, headers=alice)
    assert response.status_code == 200
    assert response.json["published"] is True
    assert client.get(f"{V2}/posts/{draft}").status_code == 200
    assert titles(client.get(f"{V2}/posts")) == ["draft"]


# --- replace, patch, delete ---------------------------------------------------------------


def test_put_replaces_the_whole_post(client, app, seed, alice, alice_id):
    post = seed.post(alice_id, "old title", "old content", published=False)
    response = client.put(
        f"{V2}/posts/{post}", json={"title": "new title", "content": "new content"}, headers=alice
    )
    assert response.status_code == 200
    # Omitted optional fields take their defaults: published is true again.
    assert (response.json["title"], response.json["content"], response.json["published"]) == (
        "new title",
        "new content",
        True,
    )
    stored = row(app, Post, post)
    assert (stored["title"], stored["content"], stored["published"]) == (
        "new title",
        "new content",
        True,
    )
    assert stored["updated_at"] > stored["created_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "only a title"}, "content"),
        ({"content": "only content"}, "title"),
        ({}, "title"),
    ],
)
def test_put_needs_title_and_content(client, app, seed, alice, alice_id, body, field):
    post = seed.post(alice_id)
    before = row(app, Post, post)
    response = client.put(f"{V2}/posts/{post}", json=body, headers=alice)
    assert assert_error(response, 422)["errors"][field] == ["Missing data for required field."]
    assert row(app, Post, post) == before


def test_patch_changes_only_the_given_fields(client, app, seed, alice, alice_id):
    post = seed.post(alice_id, "old title", "kept content")
    response = client.patch(f"{V2}/posts/{post}", json={"title": "new title"}, headers=alice)
    assert response.status_code == 200
    assert (response.json["title"], response.json["content"], response.json["published"]) == (
        "new title",
        "kept content",
        True,
    )
    stored = row(app, Post, post)
    assert (stored["title"], stored["content"]) == ("new title", "kept content")


def test_patch_with_an_empty_object_changes_nothing(client, app, seed, alice, alice_id):
    post = seed.post(alice_id, "title", "content")
    response = client.patch(f"{V2}/posts/{post}", json={}, headers=alice)
    assert response.status_code == 200
    assert (response.json["title"], response.json["content"]) == ("title", "content")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"content": ""}, "content"),
        ({"published": "false"}, "published"),
        ({"user_id": 2}, "user_id"),
    ],
)
def test_patch_invalid_values_change_nothing(client, app, seed, alice, alice_id, body, field):
    post = seed.post(alice_id)
    before = row(app, Post, post)
    response = client.patch(f"{V2}/posts/{post}", json=body, headers=alice)
    assert field in assert_error(response, 422)["errors"]
    assert row(app, Post, post) == before


def test_delete_post_answers_204_with_no_body(client, app, seed, alice, alice_id):
    post = seed.post(alice_id)
    response = client.delete(f"{V2}/posts/{post}", headers=alice)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert "Content-Type" not in response.headers
    assert row(app, Post, post) is None
    assert_error(client.get(f"{V2}/posts/{post}"), 404)
    assert_error(client.delete(f"{V2}/posts/{post}", headers=alice), 404)


@pytest.mark.parametrize(
    ("method", "body", "message"),
    [
        ("put", {"title": "x", "content": "y"}, "You can only edit your own posts"),
        ("patch", {"title": "x"}, "You can only edit your own posts"),
        ("delete", None, "You can only delete your own posts"),
    ],
)
def test_non_owner_gets_403_and_nothing_changes(
    client, app, auth, seed, alice_id, method, body, message
):
    post = seed.post(alice_id)
    before = row(app, Post, post)
    bob = auth.user("bob")
    response = getattr(client, method)(f"{V2}/posts/{post}", json=body, headers=bob)
    assert assert_error(response, 403, "forbidden")["message"] == message
    assert row(app, Post, post) == before


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_changing_a_post_needs_a_token(client, app, seed, alice_id, method):
    post = seed.post(alice_id)
    before = row(app, Post, post)
    response = getattr(client, method)(f"{V2}/posts/{post}", json={"title": "x", "content": "y"})
    assert_error(response, 401, "token_missing")
    assert row(app, Post, post) == before


def test_admin_may_edit_and_delete_any_post(client, app, auth, seed, alice_id):
    post = seed.post(alice_id, "title", "content")
    draft = seed.post(alice_id, "draft", published=False)
    admin = auth.user("root", admin=True)

    patched = client.patch(f"{V2}/posts/{post}", json={"title": "moderated"}, headers=admin)
    assert patched.status_code == 200
    # The author stays the author.
    assert patched.json["author"] == {"id": alice_id, "username": "alice"}
    replaced = client.put(
        f"{V2}/posts/{draft}",
        json={"title": "t", "content": "c", "published": False},
        headers=admin,
    )
    assert replaced.status_code == 200
    assert row(app, Post, draft)["title"] == "t"
    assert row(app, Post, draft)["user_id"] == alice_id

    assert client.delete(f"{V2}/posts/{post}", headers=admin).status_code == 204
    assert client.delete(f"{V2}/posts/{draft}", headers=admin).status_code == 204
    assert count_rows(app, Post) == 0


# --- listing: filters, search, sorting ----------------------------------------------------


def test_list_embeds_the_author(client, auth, seed, alice_id):
    bob_id = auth.create_user("bob")
    seed.post(alice_id, "a", minute=1)
    seed.post(bob_id, "b", minute=2)
    response = client.get(f"{V2}/posts")
    assert response.status_code == 200
    assert [(p["title"], p["author"]) for p in response.json["items"]] == [
        ("b", {"id": bob_id, "username": "bob"}),
        ("a", {"id": alice_id, "username": "alice"}),
    ]
    assert all(set(p) == LIST_KEYS for p in response.json["items"])


def test_list_filters_by_author_id(client, auth, seed, alice_id):
    bob_id = auth.create_user("bob")
    seed.post(alice_id, "a1", minute=1)
    seed.post(bob_id, "b1", minute=2)
    seed.post(alice_id, "a2", minute=3)
    assert titles(client.get(f"{V2}/posts?author_id={alice_id}")) == ["a2", "a1"]
    assert titles(client.get(f"{V2}/posts?author_id={bob_id}")) == ["b1"]
    assert titles(client.get(f"{V2}/posts?author_id=999")) == []


@pytest.mark.parametrize("value", ["abc", "0", "-3", str(2**31), ""])
def test_list_bad_author_id_is_422(client, value):
    response = client.get(f"{V2}/posts?author_id={value}")
    assert "author_id" in assert_error(response, 422)["errors"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created_at", ["banana", "cherry", "apple"]),
        ("-created_at", ["apple", "cherry", "banana"]),
        ("title", ["apple", "banana", "cherry"]),
        ("-title", ["cherry", "banana", "apple"]),
        ("updated_at", ["cherry", "apple", "banana"]),
        ("-updated_at", ["banana", "apple", "cherry"]),
    ],
)
def test_list_sorts_by_every_allowed_key(client, app, seed, alice_id, sort, expected):
    from datetime import timedelta

    from app.extensions import db

    from ..helpers import BASE_TIME

    ids = {
        "banana": seed.post(alice_id, "banana", minute=1),
        "cherry": seed.post(alice_id, "cherry", minute=2),
        "apple": seed.post(alice_id, "apple", minute=3),
    }
    # Updated in a different order than created: cherry, apple, banana.
    with app.app_context():
        for minutes, name in ((10, "cherry"), (20, "apple"), (30, "banana")):
            db.session.get(Post, ids[name]).updated_at = BASE_TIME + timedelta(minutes=minutes)
            db.session.commit()
    assert titles(client.get(f"{V2}/posts?sort={sort}")) == expected


def test_default_sort_is_newest_first(client, seed, alice_id):
    seed.post(alice_id, "old", minute=1)
    seed.post(alice_id, "new", minute=2)
    assert titles(client.get(f"{V2}/posts")) == ["new", "old"]


@pytest.mark.parametrize("sort", ["id", "author", "password_hash", "-", "TITLE", "title,id", ""])
def test_list_unknown_sort_is_422(client, sort):
    response = client.get(f"{V2}/posts", query_string={"sort": sort})
    assert "sort" in assert_error(response, 422, "validation_error")["errors"]
