"""Comments: CRUD, Markdown, paging, who may change or delete them, drafts, counts."""

import pytest

from app.models import Comment

from ..helpers import V2, assert_error, assert_timestamp, count_rows, parse_links, row, user_id

COMMENT_KEYS = {"id", "post_id", "content", "content_html", "author", "created_at", "updated_at"}


@pytest.fixture
def bob(auth):
    return auth.user("bob")


@pytest.fixture
def post_id(client, alice):
    response = client.post(f"{V2}/posts", json={"title": "Post", "content": "c"}, headers=alice)
    return response.json["id"]


def comment(client, post_id, headers, content="Nice *post*"):
    response = client.post(
        f"{V2}/posts/{post_id}/comments", json={"content": content}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def test_create_comment_answers_201_with_location_and_rendered_markdown(client, app, bob, post_id):
    response = client.post(
        f"{V2}/posts/{post_id}/comments", json={"content": "Nice *post*"}, headers=bob
    )
    assert response.status_code == 201
    body = response.json
    assert set(body) == COMMENT_KEYS
    assert body["post_id"] == post_id
    assert body["content"] == "Nice *post*"
    assert body["content_html"] == "<p>Nice <em>post</em></p>\n"
    assert body["author"] == {"id": user_id(app, "bob"), "username": "bob", "image": None}
    assert_timestamp(body["created_at"])
    assert response.headers["Location"].endswith(f"{V2}/comments/{body['id']}")
    assert client.get(response.headers["Location"]).json == body
    assert row(app, Comment, body["id"])["content_html"] == body["content_html"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"content": ""}, 422),
        ({"content": "x" * 10_001}, 422),
        ({"content": 5}, 422),
        ({"content": "a\x00b"}, 422),
        ({"content": "ok", "post_id": 3}, 422),
        ({"content": "ok", "user_id": 3}, 422),
    ],
)
def test_invalid_comments_are_422_and_create_nothing(client, app, bob, post_id, body, status):
    response = client.post(f"{V2}/posts/{post_id}/comments", json=body, headers=bob)
    assert_error(response, status)
    assert count_rows(app, Comment) == 0


def test_comment_of_ten_thousand_characters_is_fine(client, bob, post_id):
    assert len(comment(client, post_id, bob, "x" * 10_000)["content"]) == 10_000


def test_non_json_comment_is_415(client, app, bob, post_id):
    response = client.post(f"{V2}/posts/{post_id}/comments", data="hi", headers=bob)
    assert_error(response, 415)
    assert count_rows(app, Comment) == 0


def test_commenting_needs_a_token(client, app, post_id):
    response = client.post(f"{V2}/posts/{post_id}/comments", json={"content": "x"})
    assert_error(response, 401, "token_missing")
    assert count_rows(app, Comment) == 0


@pytest.mark.parametrize("ident", ["999", "0", str(2**31)])
def test_comments_of_an_unknown_post_are_404(client, bob, ident):
    assert_error(client.get(f"{V2}/posts/{ident}/comments"), 404)
    response = client.post(f"{V2}/posts/{ident}/comments", json={"content": "x"}, headers=bob)
    assert_error(response, 404)


def test_list_is_paged_oldest_first_and_sortable(client, bob, post_id):
    ids = [comment(client, post_id, bob, f"c{n}")["id"] for n in range(5)]
    page = client.get(f"{V2}/posts/{post_id}/comments?limit=2")
    assert page.status_code == 200
    assert [c["id"] for c in page.json["items"]] == ids[:2]
    assert (page.json["total"], page.json["count"], page.json["limit"]) == (5, 2, 2)
    path, query = parse_links(page.headers["Link"])["next"]
    assert path == f"{V2}/posts/{post_id}/comments"
    following = client.get(path, query_string=query)
    assert [c["id"] for c in following.json["items"]] == ids[2:4]
    newest = client.get(f"{V2}/posts/{post_id}/comments?sort=-created_at")
    assert [c["id"] for c in newest.json["items"]] == ids[::-1]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "offset=-1", "sort=title"])
def test_bad_list_arguments_are_422(client, post_id, query):
    assert_error(client.get(f"{V2}/posts/{post_id}/comments?{query}"), 422)


def test_author_edits_their_comment(client, app, bob, post_id):
    created = comment(client, post_id, bob)
    response = client.patch(
        f"{V2}/comments/{created['id']}", json={"content": "**Edited**"}, headers=bob
    )
    assert response.status_code == 200
    assert response.json["content"] == "**Edited**"
    assert response.json["content_html"] == "<p><strong>Edited</strong></p>\n"
    assert row(app, Comment, created["id"])["content"] == "**Edited**"


@pytest.mark.parametrize("editor", ["alice", "carol", "admin"])
def test_only_the_author_edits_a_comment(client, app, auth, bob, post_id, editor):
    created = comment(client, post_id, bob)
    if editor == "alice":
        headers = auth.headers("alice")  # the post's author
    else:
        headers = auth.user(editor, admin=editor == "admin")
    response = client.patch(
        f"{V2}/comments/{created['id']}", json={"content": "x"}, headers=headers
    )
    assert_error(response, 403, "forbidden")
    assert row(app, Comment, created["id"])["content"] == created["content"]


@pytest.mark.parametrize("body", [{}, {"content": ""}, {"content": "x", "post_id": 2}])
def test_invalid_edits_are_422_and_change_nothing(client, app, bob, post_id, body):
    created = comment(client, post_id, bob)
    response = client.patch(f"{V2}/comments/{created['id']}", json=body, headers=bob)
    assert_error(response, 422)
    assert row(app, Comment, created["id"])["content"] == created["content"]


@pytest.mark.parametrize("deleter", ["bob", "alice", "admin"])
def test_comment_author_post_author_and_admins_delete(client, app, auth, bob, post_id, deleter):
    created = comment(client, post_id, bob)
    if deleter == "admin":
        headers = auth.user("admin", admin=True)
    else:
        headers = auth.headers(deleter)
    response = client.delete(f"{V2}/comments/{created['id']}", headers=headers)
    assert response.status_code == 204
    assert response.data == b""
    assert row(app, Comment, created["id"]) is None
    assert_error(client.get(f"{V2}/comments/{created['id']}"), 404)


def test_others_cannot_delete_a_comment(client, app, auth, bob, post_id):
    created = comment(client, post_id, bob)
    response = client.delete(f"{V2}/comments/{created['id']}", headers=auth.user("carol"))
    assert_error(response, 403)
    assert row(app, Comment, created["id"]) is not None


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("ident", ["999", "0", "-1", str(2**31)])
def test_unknown_comment_is_404(client, bob, method, ident):
    body = {"content": "x"} if method == "patch" else None
    response = getattr(client, method)(f"{V2}/comments/{ident}", json=body, headers=bob)
    assert_error(response, 404)


def test_a_drafts_comments_are_404_for_those_who_cannot_see_it(client, app, auth, alice):
    draft = client.post(
        f"{V2}/posts", json={"title": "D", "content": "c", "published": False}, headers=alice
    ).json
    own = comment(client, draft["id"], alice, "note to self")
    bob = auth.user("bob")
    for headers in (bob, None):
        assert_error(client.get(f"{V2}/posts/{draft['id']}/comments", headers=headers), 404)
        assert_error(client.get(f"{V2}/comments/{own['id']}", headers=headers), 404)
    response = client.post(f"{V2}/posts/{draft['id']}/comments", json={"content": "x"}, headers=bob)
    assert_error(response, 404)
    assert_error(client.delete(f"{V2}/comments/{own['id']}", headers=bob), 404)
    assert count_rows(app, Comment) == 1
    assert client.get(f"{V2}/posts/{draft['id']}/comments", headers=alice).json["total"] == 1
    admin = auth.user("admin", admin=True)
    assert client.get(f"{V2}/comments/{own['id']}", headers=admin).status_code == 200


def test_comments_count_follows_creates_and_deletes(client, auth, alice, bob, post_id):
    first = comment(client, post_id, bob)
    comment(client, post_id, alice)
    assert client.get(f"{V2}/posts/{post_id}").json["comments_count"] == 2
    assert client.get(f"{V2}/posts").json["items"][0]["comments_count"] == 2
    client.delete(f"{V2}/comments/{first['id']}", headers=bob)
    assert client.get(f"{V2}/posts/{post_id}").json["comments_count"] == 1


def test_deleting_a_post_deletes_its_comments(client, app, alice, bob, post_id):
    comment(client, post_id, bob)
    assert client.delete(f"{V2}/posts/{post_id}", headers=alice).status_code == 204
    assert count_rows(app, Comment) == 0


def test_deleting_a_user_deletes_their_comments_and_counts_follow(
    client, app, auth, alice, bob, post_id
):
    comment(client, post_id, bob)
    comment(client, post_id, alice)
    response = client.delete(
        f"{V2}/me", json={"current_password": "correct horse battery"}, headers=bob
    )
    assert response.status_code == 204
    assert count_rows(app, Comment) == 1
    assert client.get(f"{V2}/posts/{post_id}").json["comments_count"] == 1
    assert client.get(f"{V2}/posts/{post_id}/comments").json["total"] == 1


def test_comment_markdown_is_sanitized(client, bob, post_id):
    created = comment(client, post_id, bob, '<img src=x onerror="alert(1)"> [a](javascript:x)')
    assert "onerror" not in created["content_html"]
    assert "href" not in created["content_html"]  # the javascript: link is left as text


def test_comment_author_carries_the_profile_image(client, bob, post_id):
    image = "https://example.com/bob.png"
    assert client.patch(f"{V2}/me", json={"image": image}, headers=bob).status_code == 200
    created = comment(client, post_id, bob)
    assert created["author"]["image"] == image
    listed = client.get(f"{V2}/posts/{post_id}/comments").json["items"]
    assert [c["author"]["image"] for c in listed] == [image]
