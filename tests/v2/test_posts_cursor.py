"""Post lists: the ``next`` link is an ``after`` cursor; ``offset`` keeps working."""

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post

from ..helpers import unique_slug

POSTS = "/api/v2/posts"
START = datetime(2026, 1, 1, tzinfo=UTC)


def make_posts(app, author_id, count=23, drafts=(4, 11)):
    """Posts whose created_at repeats in threes (ties broken by id) and a few drafts."""
    with app.app_context():
        for n in range(count):
            moment = START + timedelta(minutes=n // 3)
            db.session.add(
                Post(
                    title=f"Title {n % 7}",
                    slug=unique_slug(),
                    content=f"Body {n}",
                    published=n not in drafts,
                    user_id=author_id,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        db.session.commit()


def links(response):
    found = {}
    for part in response.headers["Link"].split(","):
        target, _, rel = part.partition(";")
        found[rel.strip().removeprefix('rel="').removesuffix('"')] = target.strip().strip("<>")
    return found


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def expected_ids(app, sort):
    column = getattr(Post, sort.lstrip("-"))
    order = [column.desc(), Post.id.desc()] if sort.startswith("-") else [column, Post.id]
    with app.app_context():
        return db.session.scalars(
            sa.select(Post.id).where(Post.published.is_(True)).order_by(*order)
        ).all()


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "title", "-title", "-updated_at"])
def test_next_links_walk_every_published_post_once_in_order(client, app, auth, sort):
    make_posts(app, auth.create_user("alice"))
    url, pages, seen = f"{POSTS}?limit=5&sort={sort}", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json
        assert list(body) == ["items", "total", "count", "offset", "limit"]
        pages.append((body["offset"], body["count"], body["total"]))
        seen += [item["id"] for item in body["items"]]
        assert all(item["author"]["username"] == "alice" for item in body["items"])
        nxt = links(response).get("next")
        if nxt:
            assert "after" in parse_qs(urlsplit(nxt).query)
            assert "offset" not in parse_qs(urlsplit(nxt).query)
        url = nxt and path_of(nxt)
    assert seen == expected_ids(app, sort)
    assert pages == [(0, 5, 21), (5, 5, 21), (10, 5, 21), (15, 5, 21), (20, 1, 21)]


def test_offset_pages_match_the_cursor_pages(client, app, auth):
    make_posts(app, auth.create_user("alice"))
    first = client.get(f"{POSTS}?limit=5")
    by_cursor = client.get(path_of(links(first)["next"]))
    by_offset = client.get(f"{POSTS}?limit=5&offset=5")
    assert by_offset.status_code == by_cursor.status_code == 200
    assert by_offset.json == by_cursor.json
    assert by_cursor.json["offset"] == 5


def test_cursor_page_links_back_by_offset(client, app, auth):
    make_posts(app, auth.create_user("alice"))
    second = client.get(path_of(links(client.get(f"{POSTS}?limit=5")).get("next")))
    found = {rel: parse_qs(urlsplit(url).query) for rel, url in links(second).items()}
    assert found["prev"]["offset"] == ["0"] and "after" not in found["prev"]
    assert found["first"]["offset"] == ["0"]
    assert found["last"]["offset"] == ["20"]
    assert "after" in found["next"]


def test_cursor_keeps_filters_of_the_query(client, app, auth):
    alice = auth.create_user("alice")
    make_posts(app, alice)
    make_posts(app, auth.create_user("bob"))
    url, seen = f"{POSTS}?limit=4&author_id={alice}", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        assert response.json["total"] == 21
        seen += [item["author"]["id"] for item in response.json["items"]]
        url = links(response).get("next") and path_of(links(response)["next"])
    assert seen == [alice] * 21


def test_user_posts_list_walks_by_cursor_too(client, app, auth):
    alice = auth.create_user("alice")
    make_posts(app, alice, count=12, drafts=())
    first = client.get(f"/api/v2/users/{alice}/posts?limit=10")
    assert first.status_code == 200
    second = client.get(path_of(links(first)["next"]))
    assert second.status_code == 200
    assert (second.json["offset"], second.json["count"], second.json["total"]) == (10, 2, 12)


def cursor(*parts):
    raw = json.dumps(list(parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "after",
    [
        "not-a-cursor",
        "%%%",
        cursor("-created_at", 5, "2026-01-01T00:00:00+00:00"),
        cursor("title", 5, "Title 1", 3),
        cursor("-created_at", -1, "2026-01-01T00:00:00+00:00", 3),
        cursor("-created_at", 5, "yesterday", 3),
        cursor("-created_at", 5, 17, 3),
        cursor("-created_at", 5, "2026-01-01T00:00:00+00:00", 2**31),
        cursor("title", 5, "Title\x00 1", 3),
        cursor("title", 5, "\ud800", 3),
        cursor("-created_at", 5, "0001-01-01T00:00:00+14:00", 3),
        cursor("-created_at", 5, "9999-12-31T23:59:59-14:00", 3),
        cursor("-created_at", True, "2026-01-01T00:00:00+00:00", 3),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "x" * 1001,
    ],
)
def test_bad_cursor_is_422(client, app, auth, after):
    make_posts(app, auth.create_user("alice"))
    response = client.get(POSTS, query_string={"limit": 5, "after": after})
    assert response.status_code == 422
    assert response.json["errors"]["after"]
    assert response.json["message"] == "Invalid query parameters"


def test_every_page_costs_two_statements(client, app, auth):
    make_posts(app, auth.create_user("alice"))
    seen = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    url, per_page = f"{POSTS}?limit=5", []
    while url:
        seen.clear()
        response = client.get(url)
        assert response.status_code == 200
        per_page.append(len([s for s in seen if not s.strip().upper().startswith("SELECT 1")]))
        url = links(response).get("next") and path_of(links(response)["next"])
    assert per_page == [2, 2, 2, 2, 2]  # the count, and the page with its tags and counts


def test_cursor_survives_a_post_deleted_before_it(client, app, auth):
    make_posts(app, auth.create_user("alice"), drafts=())
    first = client.get(f"{POSTS}?limit=5")
    with app.app_context():
        db.session.execute(sa.delete(Post).where(Post.id == first.json["items"][0]["id"]))
        db.session.commit()
    second = client.get(path_of(links(first)["next"]))
    assert second.status_code == 200
    assert [item["id"] for item in second.json["items"]] == expected_ids(app, "-created_at")[4:9]
