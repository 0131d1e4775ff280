"""Bounded search (``app.search.SEARCH_CANDIDATES``): past the cap, a search still answers
posts with every word, never a draft, with a stable ``total`` and ``Link``; a sorted search
still reaches every match. The cap is lowered here so a handful of posts passes it; the
speed of it is shown by ``python -m bench`` only. And the feed's two shapes agree."""

import pytest

from app import queries, search
from app.extensions import db

from ..helpers import V2, assert_error, parse_links, titles, user_id

CAP = 4


@pytest.fixture
def capped(monkeypatch):
    """SEARCH_CANDIDATES lowered to CAP for this test."""
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", CAP)
    return CAP


@pytest.fixture
def flask_posts(seed, alice_id, auth):
    """Eight posts with both words (one a draft, one bob's), and noise with only one word.

    Returned: the titles of the published matches, newest first.
    """
    auth.create_user("bob")
    bob = user_id(seed.app, "bob")
    seed.post(alice_id, "flask tips 0", "the body", minute=0)
    seed.post(alice_id, "plain title 1", "flask tips in the body", minute=1)
    seed.post(alice_id, "only flask 2", "nothing else", minute=2)
    seed.post(bob, "flask tips 3", "from bob", minute=3)
    seed.post(alice_id, "flask tips 4", "the body", minute=4)
    seed.post(alice_id, "only tips 5", "no framework", minute=5)
    seed.post(alice_id, "plain title 6", "tips on flask here", minute=6)
    seed.post(alice_id, "flask tips draft 7", "a draft", published=False, minute=7)
    seed.post(alice_id, "flask tips 8", "the body", minute=8)
    seed.post(alice_id, "plain title 9", "flask and tips", minute=9)
    return [
        "plain title 9",
        "flask tips 8",
        "plain title 6",
        "flask tips 4",
        "flask tips 3",
        "plain title 1",
        "flask tips 0",
    ]


def walk(client, url, headers=None):
    """Follow ``next`` links from ``url``; the titles seen and every page's JSON."""
    seen, pages = [], []
    while url:
        response = client.get(url, headers=headers or {})
        seen += titles(response)
        pages.append(response.json)
        links = parse_links(response.headers["Link"])
        if "next" not in links:
            break
        path, query = links["next"]
        url = path + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return seen, pages


def test_relevance_ranks_the_newest_matches_up_to_the_cap(client, capped, flask_posts):
    response = client.get(f"{V2}/posts", query_string={"q": "flask tips", "limit": 10})
    body = response.json
    newest = flask_posts[:CAP]
    # Every word in each; the draft and the one-word posts never; titles first, then newest.
    assert titles(response) == ["flask tips 8", "flask tips 4", "plain title 9", "plain title 6"]
    assert sorted(titles(response)) == sorted(newest)
    assert (body["total"], body["count"], body["offset"]) == (CAP, CAP, 0)
    links = parse_links(response.headers["Link"])
    assert "next" not in links and links["last"][1]["offset"] == "0"


def test_relevance_pages_end_at_the_cap(client, capped, flask_posts):
    url = f"{V2}/posts?q=flask+tips&limit=3"
    seen, pages = walk(client, url)
    assert sorted(seen) == sorted(flask_posts[:CAP])
    assert [p["total"] for p in pages] == [CAP, CAP]
    first = client.get(url)
    assert parse_links(first.headers["Link"])["last"][1]["offset"] == "3"
    past = client.get(f"{url}&offset={CAP}")
    assert (titles(past), past.json["total"]) == ([], CAP)


def test_under_the_cap_the_total_is_exact(client, monkeypatch, flask_posts):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 50)
    response = client.get(f"{V2}/posts", query_string={"q": "flask tips"})
    assert response.json["total"] == len(flask_posts)
    assert sorted(titles(response)) == sorted(flask_posts)


def test_no_draft_past_the_cap_not_even_for_its_author(client, capped, flask_posts, auth, alice):
    admin = auth.user("root", admin=True)
    for headers in ({}, alice, admin):
        response = client.get(f"{V2}/posts?q=flask+tips&limit=10", headers=headers)
        assert "flask tips draft 7" not in titles(response)
        assert response.json["total"] == CAP


@pytest.mark.parametrize("q", ["flask tips", "tips fla"])  # a whole last word, a prefix
@pytest.mark.parametrize("sort", ["-created_at", "created_at", "title"])
def test_a_sorted_search_reaches_every_match_past_the_cap(
    app, client, monkeypatch, capped, flask_posts, q, sort
):
    probes = []
    probing = search.probing
    monkeypatch.setattr(search, "probing", lambda *a: probes.append(a) or probing(*a))
    seen, pages = walk(client, f"{V2}/posts?q={q.replace(' ', '+')}&sort={sort}&limit=2")
    # SQLite walks the time index with probes (a whole last word, sorted by time, more
    # matches than the cap); otherwise the matches are sorted. The same answers either way.
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    assert bool(probes) == (sqlite and sort.endswith("created_at") and q == "flask tips")
    expected = {
        "-created_at": flask_posts,
        "created_at": list(reversed(flask_posts)),
        "title": sorted(flask_posts),
    }[sort]
    assert seen == expected
    totals = [p["total"] for p in pages]
    # A lower bound (offset + limit + cap) while more than the cap follow, exact after.
    assert totals[0] == 2 + CAP and totals[-1] == len(flask_posts)
    assert totals == sorted(totals)
    assert all(p["total"] >= p["offset"] + p["count"] for p in pages)


def test_a_sorted_search_by_offset_counts_up_to_the_cap_past_the_page(client, capped, flask_posts):
    url = f"{V2}/posts?q=flask+tips&sort=title&limit=2"
    first = client.get(url).json
    assert first["total"] == 2 + CAP
    deep = client.get(f"{url}&offset=4")
    assert deep.json["total"] == len(flask_posts)
    assert titles(deep) == sorted(flask_posts)[4:6]
    past = client.get(f"{url}&offset=40")
    assert (titles(past), past.json["total"]) == ([], len(flask_posts))
    assert "next" not in parse_links(past.headers["Link"])


def test_a_damaged_cursor_of_a_sorted_search_is_422(client, capped, flask_posts):
    for after in ("x", "WyJ0aXRsZSIsMSwiYSIsMV0", "e30"):
        response = client.get(
            f"{V2}/posts", query_string={"q": "flask", "sort": "-created_at", "after": after}
        )
        assert list(assert_error(response, 422)["errors"]) == ["after"]


def test_the_last_word_is_a_prefix_only_when_no_post_holds_it_whole(client, seed, alice_id):
    seed.post(alice_id, "Database tuning", "indexes", minute=1)
    seed.post(alice_id, "Data pipelines", "batches", minute=2)
    assert client.get(f"{V2}/posts?q=data").json["total"] == 1
    assert titles(client.get(f"{V2}/posts?q=data")) == ["Data pipelines"]
    assert titles(client.get(f"{V2}/posts?q=datab")) == ["Database tuning"]
    assert titles(client.get(f"{V2}/posts?q=tuning+datab&sort=-created_at")) == ["Database tuning"]


@pytest.mark.parametrize("share", [0, 10**9])  # per author / along the time index
def test_the_feed_reads_the_same_in_both_shapes(client, monkeypatch, seed, auth, share):
    monkeypatch.setattr(queries, "COMMON_TAG_SHARE", share)
    reader = auth.user("reader")
    ids = {}
    for name in ("bob", "carol", "dave"):
        auth.create_user(name)
        ids[name] = user_id(seed.app, name)
    for minute in range(9):
        name = ("bob", "carol", "dave")[minute % 3]
        seed.post(ids[name], f"{name} {minute}", published=minute != 4, minute=minute)
    for name in ("bob", "carol"):
        assert client.put(f"{V2}/users/{ids[name]}/follow", headers=reader).status_code == 200
    seen, pages = walk(client, f"{V2}/feed?limit=2", reader)
    assert seen == ["carol 7", "bob 6", "bob 3", "carol 1", "bob 0"]
    assert {p["total"] for p in pages} == {5}
