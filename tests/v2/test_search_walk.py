"""PostgreSQL's word table (``app.search.WORDS_TABLE``): a search whose words are common is
read by walking it newest first instead of ``posts``; the answers are the same as read from
``posts``, and the table follows every write. Which words are common comes from the column's
statistics, which the test database has not gathered, so ``WALK_MIN_SHARE`` decides here: 0
walks every whole-word search, 2 none. SQLite has no such table: the same answers either way.
"""

import pytest
import sqlalchemy as sa

from app import search
from app.extensions import db

from ..helpers import V2, parse_links, titles, user_id

CAP = 3
NEVER, ALWAYS = 2.0, 0.0

URLS = [
    "/posts?q=flask+tips&limit=2",
    "/posts?q=flask+tips&limit=2&offset=2",
    "/posts?q=flask&limit=10",
    "/posts?q=tips+fla&limit=10",  # a prefix: never walked
    "/posts?q=flask+tips&sort=-created_at&limit=2",
    "/posts?q=flask+tips&sort=created_at&limit=2",
    "/posts?q=flask+tips&sort=title&limit=2&offset=2",
    "/posts?q=framework+flask&limit=10",  # whole words, no post holds both
]


@pytest.fixture
def walks(app, monkeypatch):
    """Record every ``search.walking`` call; returns the list of calls."""
    calls = []
    walking = search.walking
    monkeypatch.setattr(search, "walking", lambda *a: calls.append(a) or walking(*a))
    return calls


@pytest.fixture
def posts(seed, alice_id, auth):
    """Posts with both words (one a draft), and noise with one only."""
    seed.post(alice_id, "flask tips 0", "the body", minute=0)
    seed.post(alice_id, "plain title 1", "flask tips in the body", minute=1)
    seed.post(alice_id, "only flask 2", "nothing else", minute=2)
    seed.post(alice_id, "flask tips 3", "again", minute=3)
    seed.post(alice_id, "only tips 4", "no framework", minute=4)
    seed.post(alice_id, "flask tips draft 5", "a draft", published=False, minute=5)
    seed.post(alice_id, "plain title 6", "tips on flask here", minute=6)
    seed.post(alice_id, "flask tips 7", "the body", minute=7)


def answer(client, url):
    response = client.get(V2 + url)
    assert response.status_code == 200, response.json
    body = response.json
    return titles(response), body["total"], parse_links(response.headers["Link"]).get("next")


def is_postgresql(app):
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.mark.parametrize("url", URLS)
def test_walking_the_word_table_answers_as_reading_posts(
    app, client, monkeypatch, walks, posts, url
):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", CAP)
    monkeypatch.setattr(search, "WALK_MIN_SHARE", NEVER)
    read = answer(client, url)
    assert walks == []
    monkeypatch.setattr(search, "WALK_MIN_SHARE", ALWAYS)
    walked = answer(client, url)
    assert walked == read
    assert bool(walks) == (is_postgresql(app) and "fla&" not in url + "&")


@pytest.mark.parametrize("sort", ["", "&sort=-created_at"])
def test_a_walked_search_with_an_author_filter_answers_as_reading_posts(
    app, client, monkeypatch, walks, posts, seed, auth, sort
):
    auth.create_user("bob")
    bob = user_id(app, "bob")
    seed.post(bob, "flask tips from bob", "the body", minute=9)
    url = f"/users/{bob}/posts?q=flask+tips&limit=10{sort}"
    monkeypatch.setattr(search, "WALK_MIN_SHARE", NEVER)
    assert answer(client, url) == (["flask tips from bob"], 1, None)
    monkeypatch.setattr(search, "WALK_MIN_SHARE", ALWAYS)
    assert answer(client, url) == (["flask tips from bob"], 1, None)
    assert bool(walks) == is_postgresql(app)


def test_a_walked_search_pages_by_cursor_to_every_match(client, monkeypatch, posts):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", CAP)
    monkeypatch.setattr(search, "WALK_MIN_SHARE", ALWAYS)
    url, seen, totals = "/posts?q=flask+tips&sort=-created_at&limit=2", [], []
    while url:
        found, total, following = answer(client, url)
        seen, totals = seen + found, totals + [total]
        url = following and following[0].removeprefix(V2) + "?" + "&".join(
            f"{k}={v}" for k, v in following[1].items()
        )
    expected = ["flask tips 7", "plain title 6", "flask tips 3", "plain title 1", "flask tips 0"]
    assert seen == expected
    assert totals[0] == 2 + CAP and totals[-1] == 5


def assert_words_in_step(app):
    """PostgreSQL: the word table holds every post's stripped vector and ``published``, and
    nothing else."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect() as conn:
            differences = conn.execute(
                sa.text(
                    f"SELECT p.id, w.id FROM posts AS p FULL JOIN {search.WORDS_TABLE} AS w "
                    f"ON w.id = p.id WHERE w.id IS NULL OR p.id IS NULL "
                    f"OR w.published IS DISTINCT FROM p.published "
                    f"OR w.words IS DISTINCT FROM strip(p.{search.VECTOR_COLUMN})"
                )
            ).all()
    assert differences == []


def search_titles(client, q):
    return titles(client.get(f"{V2}/posts", query_string={"q": q}))


def test_the_word_table_follows_edits_tags_and_deletes(app, client, monkeypatch, auth, alice):
    monkeypatch.setattr(search, "WALK_MIN_SHARE", ALWAYS)
    body = {"title": "Gardening", "content": "tomatoes", "tags": ["summer"]}
    response = client.post(f"{V2}/posts", json=body, headers=alice)
    assert response.status_code == 201, response.json
    url = f"{V2}/posts/{response.json['id']}"
    assert search_titles(client, "tomatoes summer") == ["Gardening"]
    assert_words_in_step(app)

    for change, gone, found in [
        ({"title": "Cooking"}, "gardening", "cooking"),
        ({"content": "peppers"}, "tomatoes", "peppers"),
        ({"tags": ["winter"]}, "summer", "winter"),
    ]:
        assert client.patch(url, json=change, headers=alice).status_code == 200
        assert search_titles(client, gone) == []
        assert search_titles(client, found) == ["Cooking"]
        assert_words_in_step(app)

    # Unpublishing takes it out of search, publishing brings it back.
    assert client.patch(url, json={"published": False}, headers=alice).status_code == 200
    assert search_titles(client, "peppers") == []
    assert_words_in_step(app)
    assert client.patch(url, json={"published": True}, headers=alice).status_code == 200
    assert search_titles(client, "peppers") == ["Cooking"]

    assert client.delete(url, headers=alice).status_code == 204
    assert search_titles(client, "peppers") == []
    assert_words_in_step(app)


def test_the_word_table_follows_a_deleted_author(app, client, monkeypatch, seed, auth):
    monkeypatch.setattr(search, "WALK_MIN_SHARE", ALWAYS)
    bob = auth.user("bob")
    response = client.post(f"{V2}/posts", json={"title": "Hives", "content": "bees"}, headers=bob)
    assert response.status_code == 201, response.json
    assert search_titles(client, "bees") == ["Hives"]
    me = client.get(f"{V2}/me", headers=bob).json
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": me["id"]})
        db.session.commit()
    assert search_titles(client, "bees") == []
    assert_words_in_step(app)
