"""ETags on single resources: If-None-Match answers 304; If-Match that no longer matches
answers 412 and changes nothing (two tabs editing one post cannot overwrite each other)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Post

V2 = "/api/v2"


@pytest.fixture
def post(app, auth):
    headers = auth.user("alice")
    client = app.test_client()
    created = client.post(f"{V2}/posts", json={"title": "t", "content": "c"}, headers=headers)
    return client, headers, created.json["id"]


def test_a_single_post_carries_a_strong_etag_and_if_none_match_is_304(post):
    client, headers, post_id = post

    first = client.get(f"{V2}/posts/{post_id}")
    again = client.get(f"{V2}/posts/{post_id}", headers={"If-None-Match": first.headers["ETag"]})

    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_the_etag_changes_with_the_post(post):
    client, headers, post_id = post
    before = client.get(f"{V2}/posts/{post_id}").headers["ETag"]

    changed = client.patch(f"{V2}/posts/{post_id}", json={"title": "new"}, headers=headers)
    after = client.get(f"{V2}/posts/{post_id}", headers={"If-None-Match": before})

    assert changed.headers["ETag"] != before
    assert after.status_code == 200
    assert after.headers["ETag"] == changed.headers["ETag"]


def test_two_tabs_the_second_save_is_412_and_changes_nothing(app, post):
    client, headers, post_id = post
    etag = client.get(f"{V2}/posts/{post_id}").headers["ETag"]

    tab1 = client.patch(
        f"{V2}/posts/{post_id}", json={"title": "tab 1"}, headers={**headers, "If-Match": etag}
    )
    tab2 = client.put(
        f"{V2}/posts/{post_id}",
        json={"title": "tab 2", "content": "x"},
        headers={**headers, "If-Match": etag},
    )

    assert tab1.status_code == 200
    assert tab2.status_code == 412
    assert tab2.json["code"] == "precondition_failed"
    assert tab2.headers["ETag"] == tab1.headers["ETag"]
    with app.app_context():
        assert db.session.get(Post, post_id).title == "tab 1"


def test_delete_with_a_stale_etag_is_412_and_keeps_the_post(app, post):
    client, headers, post_id = post
    etag = client.get(f"{V2}/posts/{post_id}").headers["ETag"]
    client.patch(f"{V2}/posts/{post_id}", json={"title": "changed"}, headers=headers)

    stale = client.delete(f"{V2}/posts/{post_id}", headers={**headers, "If-Match": etag})
    current = client.get(f"{V2}/posts/{post_id}").headers["ETag"]
    fresh = client.delete(f"{V2}/posts/{post_id}", headers={**headers, "If-Match": current})

    assert stale.status_code == 412
    assert fresh.status_code == 204


def test_todos_honour_if_match_too(app, auth):
    headers = auth.user("alice")
    client = app.test_client()
    todo = client.post(f"{V2}/todos", json={"title": "t"}, headers=headers).json
    etag = client.get(f"{V2}/todos/{todo['id']}", headers=headers).headers["ETag"]

    ok = client.patch(
        f"{V2}/todos/{todo['id']}", json={"completed": True}, headers={**headers, "If-Match": etag}
    )
    stale = client.patch(
        f"{V2}/todos/{todo['id']}", json={"title": "x"}, headers={**headers, "If-Match": etag}
    )

    assert ok.status_code == 200
    assert stale.status_code == 412


def test_if_match_on_someone_elses_draft_is_404_not_412(app, auth):
    alice = auth.user("alice")
    bob = auth.user("bob")
    client = app.test_client()
    draft = client.post(
        f"{V2}/posts", json={"title": "d", "content": "c", "published": False}, headers=alice
    ).json

    response = client.patch(
        f"{V2}/posts/{draft['id']}", json={"title": "x"}, headers={**bob, "If-Match": '"abc"'}
    )

    assert response.status_code == 404
