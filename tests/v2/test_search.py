"""Full-text search (``q``): every word, ranking, prefixes, drafts, hostile input, limits,
and the index kept in step through every write path (v2 and the RealWorld face)."""

import pytest
import sqlalchemy as sa

from app.extensions import db

from ..helpers import V2, assert_error, create_post, parse_links, search_titles, titles

search = search_titles
create = create_post


def assert_index_in_step(app):
    """SQLite: FTS5 compares its index with the posts table and raises on any difference.

    (On PostgreSQL the vector is a generated column of the row itself.)
    """
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO posts_fts(posts_fts, rank) VALUES ('integrity-check', 1)"
                )


def test_every_word_must_match(client, seed, alice_id):
    seed.post(alice_id, "Flask tutorial", "routing with blueprints", minute=1)
    seed.post(alice_id, "Flask", "templates", minute=2)
    seed.post(alice_id, "Django tutorial", "models", minute=3)
    assert search(client, "flask tutorial") == ["Flask tutorial"]
    assert search(client, "tutorial blueprints") == ["Flask tutorial"]
    assert sorted(search(client, "tutorial")) == ["Django tutorial", "Flask tutorial"]
    assert search(client, "flask django") == []
    assert client.get(f"{V2}/posts?q=flask").json["total"] == 2


def test_a_title_match_ranks_above_a_body_match(client, seed, alice_id):
    seed.post(alice_id, "Learning FLASK", "a title match", minute=1)
    seed.post(alice_id, "Nothing here", "but the body mentions flask", minute=2)
    seed.post(alice_id, "Django", "other framework", minute=3)
    assert search(client, "Flask") == ["Learning FLASK", "Nothing here"]
    assert search(client, "fLaSk") == ["Learning FLASK", "Nothing here"]
    # An explicit sort wins over relevance.
    assert search(client, "flask", sort="-created_at") == ["Nothing here", "Learning FLASK"]
    assert search(client, "flask", sort="title") == ["Learning FLASK", "Nothing here"]


def test_prefix_and_stemming(client, seed, alice_id):
    seed.post(alice_id, "Running Flask in production", "gunicorn workers", minute=1)
    seed.post(alice_id, "Fly fishing", "rivers", minute=2)
    assert search(client, "flas") == ["Running Flask in production"]  # the last word: a prefix
    assert search(client, "runs") == ["Running Flask in production"]  # stemmed
    assert search(client, "gunicorn work") == ["Running Flask in production"]
    assert search(client, "fl") == []  # too short to be a prefix: a whole word only
    assert search(client, "flas production") == []  # only the last word is a prefix


def test_summary_and_tags_are_searched(client, alice):
    create(client, alice, title="One", summary="about deployment", tags=["python"])
    create(client, alice, title="Two", content="python appears in the body")
    assert search(client, "deployment") == ["One"]
    # A tag counts as much as a summary, more than the body.
    assert search(client, "python") == ["One", "Two"]


def test_drafts_never_match_not_even_for_their_author(client, auth, alice, alice_id, seed):
    seed.post(alice_id, "Flask public", minute=1)
    seed.post(alice_id, "Flask draft", published=False, minute=2)
    admin = auth.user("root", admin=True)
    for headers in ({}, alice, admin):
        response = client.get(f"{V2}/posts?q=flask", headers=headers)
        assert titles(response) == ["Flask public"]
        assert response.json["total"] == 1
        response = client.get(f"{V2}/users/{alice_id}/posts?q=flask", headers=headers)
        assert titles(response) == ["Flask public"]


def test_search_combines_with_the_other_filters(client, auth, alice, alice_id):
    bob = auth.user("bob")
    create(client, alice, title="flask by alice", tags=["web"])
    mine = create(client, bob, title="flask by bob", tags=["web"])
    create(client, bob, title="flask untagged")
    from ..helpers import user_id

    bob_id = user_id(client.application, "bob")
    assert search(client, "flask", author_id=bob_id, tag="web") == ["flask by bob"]
    client.put(f"{V2}/posts/{mine['id']}/like", headers=alice)
    assert search(client, "flask", liked_by=user_id(client.application, "alice")) == [
        "flask by bob"
    ]


HOSTILE = [
    ('"', []),
    ('""', []),
    ('flask"', ["Flask tips"]),
    ('"flask', ["Flask tips"]),
    ('"flask tips', ["Flask tips"]),
    ("*", []),
    ("flask*", ["Flask tips"]),
    ("*flask", ["Flask tips"]),
    ("NEAR(flask tips)", []),
    ("NEAR", []),
    ("flask OR django", []),
    ("-flask", ["Flask tips"]),
    ("flask -tips", ["Flask tips"]),
    ("tips:flask", ["Flask tips"]),
    ("title:flask", []),
    ("flask:*", ["Flask tips"]),
    ("flask & !django", []),
    ("flask & !tips", ["Flask tips"]),
    ("flask | django", []),
    ("flask <-> tips", ["Flask tips"]),
    ("'", []),
    ("flask'", ["Flask tips"]),
    ("\\", []),
    ("flask\\", ["Flask tips"]),
    ("%", []),
    ("_", []),
    ("(", []),
    ("flask)", ["Flask tips"]),
    ("^flask", ["Flask tips"]),
    ("{title content}: flask", []),
    ("+flask", ["Flask tips"]),
    ("!!! ??? ...", []),
    ("\u2014", []),
    ("ﬂask", ["Flask tips"]),  # NFKC folds the "ﬂ" ligature
]


def test_query_syntax_is_never_injected(client, seed, alice_id):
    """FTS5 and tsquery operators in ``q`` are separators or plain words: never a 500."""
    seed.post(alice_id, "Flask tips", "for beginners", minute=1)
    seed.post(alice_id, "Django notes", "for everyone", minute=2)
    for q, expected in HOSTILE:
        response = client.get(f"{V2}/posts", query_string={"q": q})
        assert (q, titles(response)) == (q, expected)
        assert response.json["total"] == len(expected)


def test_an_empty_query_lists_everything(client, seed, alice_id):
    seed.post(alice_id, "one", minute=1)
    seed.post(alice_id, "two", minute=2)
    assert search(client, "   ") == ["two", "one"]


@pytest.mark.parametrize(
    "q",
    [
        "q" * 201,
        " ".join(["word"] * 21),
        "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u",  # 21 words without a space
        "nul\x00",
    ],
)
def test_overlong_queries_are_422(client, alice_id, q):
    for path in (f"{V2}/posts", f"{V2}/users/{alice_id}/posts"):
        response = client.get(path, query_string={"q": q})
        assert list(assert_error(response, 422)["errors"]) == ["q"]


def test_twenty_words_and_two_hundred_characters_are_fine(client, seed, alice_id):
    seed.post(alice_id, " ".join(f"w{n}" for n in range(20)), minute=1)
    assert len(search(client, " ".join(f"w{n}" for n in range(20)))) == 1
    assert search(client, "x" * 200) == []


def test_relevance_pages_by_offset_and_a_cursor_needs_a_sort(client, seed, alice_id):
    for n in range(5):
        seed.post(alice_id, f"flask {n}", "flask " * n, minute=n)
    response = client.get(f"{V2}/posts?q=flask&limit=2")
    links = parse_links(response.headers["Link"])
    assert links["next"][1]["offset"] == "2" and "after" not in links["next"][1]
    seen = titles(response)
    path, query = links["next"]
    seen += titles(client.get(path, query_string=query))
    seen += titles(client.get(f"{V2}/posts?q=flask&limit=2&offset=4"))
    assert sorted(seen) == [f"flask {n}" for n in range(5)]
    # With a sort the next link is a cursor, as without q.
    sorted_page = client.get(f"{V2}/posts?q=flask&limit=2&sort=-created_at")
    after = parse_links(sorted_page.headers["Link"])["next"][1]["after"]
    follow = client.get(
        f"{V2}/posts",
        query_string={"q": "flask", "sort": "-created_at", "limit": 2, "after": after},
    )
    assert titles(follow) == ["flask 2", "flask 1"]
    # A cursor without a sort under relevance order is refused, not misread.
    response = client.get(f"{V2}/posts", query_string={"q": "flask", "after": after})
    assert list(assert_error(response, 422)["errors"]) == ["after"]


def test_the_index_follows_v2_edits_tags_and_deletes(app, client, alice):
    post = create(client, alice, title="Gardening", content="tomatoes", tags=["summer"])
    assert search(client, "tomatoes") == ["Gardening"]
    assert search(client, "summer") == ["Gardening"]

    url = f"{V2}/posts/{post['id']}"
    assert client.patch(url, json={"title": "Cooking"}, headers=alice).status_code == 200
    assert search(client, "gardening") == []
    assert search(client, "cooking") == ["Cooking"]

    assert client.patch(url, json={"content": "peppers"}, headers=alice).status_code == 200
    assert search(client, "tomatoes") == []
    assert search(client, "peppers") == ["Cooking"]

    assert client.patch(url, json={"summary": "a recipe"}, headers=alice).status_code == 200
    assert search(client, "recipe") == ["Cooking"]

    # Only the tags change: the post is found by the new tag and no longer by the old one.
    assert client.patch(url, json={"tags": ["winter"]}, headers=alice).status_code == 200
    assert search(client, "summer") == []
    assert search(client, "winter") == ["Cooking"]
    assert client.patch(url, json={"tags": []}, headers=alice).status_code == 200
    assert search(client, "winter") == []

    # Unpublishing takes it out of search, publishing brings it back.
    assert client.patch(url, json={"published": False}, headers=alice).status_code == 200
    assert search(client, "peppers") == []
    assert client.patch(url, json={"published": True}, headers=alice).status_code == 200
    assert search(client, "peppers") == ["Cooking"]
    assert_index_in_step(app)

    assert client.delete(url, headers=alice).status_code == 204
    assert search(client, "peppers") == []
    assert_index_in_step(app)


def test_the_index_follows_the_realworld_face(app, client, auth):
    token = auth.login(auth.create_user("alice") and "alice")["access_token"]
    headers = {"Authorization": f"Token {token}"}
    article = {"title": "Bees", "description": "pollination", "body": "hives", "tagList": ["x1"]}
    response = client.post("/api/articles", json={"article": article}, headers=headers)
    assert response.status_code == 201, response.json
    slug = response.json["article"]["slug"]
    assert search(client, "pollination") == ["Bees"]
    assert search(client, "hives x1") == ["Bees"]

    change = {"article": {"title": "Wasps", "body": "nests"}}
    response = client.put(f"/api/articles/{slug}", json=change, headers=headers)
    assert response.status_code == 200, response.json
    assert search(client, "hives") == []
    assert search(client, "bees") == []
    assert search(client, "wasps nests") == ["Wasps"]
    assert_index_in_step(app)

    new_slug = response.json["article"]["slug"]
    assert client.delete(f"/api/articles/{new_slug}", headers=headers).status_code in (200, 204)
    assert search(client, "wasps") == []
    assert_index_in_step(app)


def test_a_deleted_author_takes_their_posts_out_of_the_index(app, client, auth, seed):
    gone = auth.create_user("gone")
    seed.post(gone, "Ephemeral notes", minute=1)
    assert search(client, "ephemeral") == ["Ephemeral notes"]
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM users WHERE id = :id"), {"id": gone})
        db.session.commit()
    assert search(client, "ephemeral") == []
    assert_index_in_step(app)


def test_a_word_common_in_stale_statistics_still_falls_back_to_a_prefix(
    app, client, seed, alice_id
):
    """PostgreSQL's statistics may list a word as common after every post holding it is
    gone; they only choose how the word is looked up: with no post holding ``work`` as a
    whole word, ``work`` is still the prefix of ``workers``. (SQLite has no statistics
    here; the same answer is checked there too.)"""
    for minute in range(40):
        seed.post(alice_id, f"Work log {minute}", "work work work", minute=minute)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE posts"))
        db.session.execute(sa.text("DELETE FROM posts"))
        db.session.commit()
    seed.post(alice_id, "Running Flask in production", "gunicorn workers", minute=50)
    assert search(client, "gunicorn work") == ["Running Flask in production"]
