"""Relevance order is one rule on both databases (docs/api-v2.md, "Ranking"): every query
word in the title scores 10, in the tags 5, in the summary 4 (added up; a column counts only
when it holds every word; the body alone scores 0); ties newest first. Run on SQLite and on
PostgreSQL (``TEST_DATABASE_URL``): the expected orders below are the same for both."""

from ..helpers import V2, create_post, search_titles

search = search_titles
create = create_post


def test_title_outranks_tags_outranks_summary_outranks_the_body(client, alice):
    # Written mostly best last, so that newest first alone would give another order; the
    # tags before the summary (ts_rank weighed both B, and newest first put the summary
    # first).
    create(client, alice, title="body", content="a garden")
    create(client, alice, title="tags", tags=["garden"])
    create(client, alice, title="summary", summary="a garden")
    create(client, alice, title="tags and summary", summary="garden", tags=["garden"])  # 9
    create(client, alice, title="title garden")  # 10
    create(client, alice, title="title and summary garden", summary="garden")  # 14
    create(client, alice, title="title and tags garden", tags=["garden"])  # 15
    create(client, alice, title="all garden", summary="garden", tags=["garden"])  # 19
    assert search(client, "garden") == [
        "all garden",
        "title and tags garden",
        "title and summary garden",
        "title garden",
        "tags and summary",
        "tags",
        "summary",
        "body",
    ]


def test_ties_come_newest_first(client, alice):
    create(client, alice, title="older title garden")
    create(client, alice, title="older body", content="garden")
    create(client, alice, title="newer title garden")
    create(client, alice, title="newer body", content="garden")
    assert search(client, "garden") == [
        "newer title garden",
        "older title garden",
        "newer body",
        "older body",
    ]


def test_a_column_counts_only_when_it_holds_every_word(client, alice):
    # Both words in the post, but never both in one column: scores 0, like a body match.
    create(client, alice, title="garden", summary="shed", tags=["shed"], content="old")
    create(client, alice, title="a", summary="garden shed")  # the summary holds both: 4
    create(client, alice, title="b", content="garden shed")  # body only: 0, but newer
    assert search(client, "garden shed") == ["a", "b", "garden"]
    assert search(client, "shed garden") == ["a", "b", "garden"]


def test_the_score_stems_and_reads_the_last_word_as_a_prefix_as_matching_does(client, alice):
    create(client, alice, title="x", content="gardens everywhere")
    create(client, alice, title="Gardens of the world")
    create(client, alice, title="y", tags=["gardenia"])
    # Stemmed: "gardens" is "garden" in the title.
    assert search(client, "garden") == ["Gardens of the world", "x"]
    # "gardeni" is no post's whole word: a prefix, in the tags (5) and the title (0 here).
    assert search(client, "gardeni") == ["y"]
    # "wor" a prefix of "world": every word of "gardens wor" is in the title.
    assert search(client, "gardens wor") == ["Gardens of the world"]


def test_the_score_follows_edits_of_title_tags_and_summary(client, alice):
    first = create(client, alice, title="first", content="garden")
    create(client, alice, title="second", content="garden")
    assert search(client, "garden") == ["second", "first"]
    url = f"{V2}/posts/{first['id']}"
    response = client.patch(url, json={"summary": "garden"}, headers=alice)
    assert response.status_code == 200, response.json
    assert search(client, "garden") == ["first", "second"]
    response = client.patch(url, json={"summary": "nothing"}, headers=alice)
    assert response.status_code == 200, response.json
    assert search(client, "garden") == ["second", "first"]
    response = client.patch(url, json={"tags": ["garden"]}, headers=alice)
    assert response.status_code == 200, response.json
    assert search(client, "garden") == ["first", "second"]
    response = client.patch(url, json={"tags": [], "title": "garden first"}, headers=alice)
    assert response.status_code == 200, response.json
    assert search(client, "garden") == ["garden first", "second"]


def test_relevance_pages_keep_the_score_order(client, alice):
    for n in range(3):
        create(client, alice, title=f"body {n}", content="garden")
        create(client, alice, title=f"title {n} garden")
    first = search(client, "garden", limit=4)
    rest = search(client, "garden", limit=4, offset=4)
    assert first + rest == [
        "title 2 garden",
        "title 1 garden",
        "title 0 garden",
        "body 2",
        "body 1",
        "body 0",
    ]
