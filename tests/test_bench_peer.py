"""The peer comparison's loader and checks (bench/realworld_data.py, bench/peer.py).

The peer itself is never in this repository, so what is tested here is ours: that our rows
become the peer's rows column for column (drafts left out), and that a server answering a
scenario with other data than the benchmark expects is caught before anything is timed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from app.extensions import db
from app.models import Comment, Follow, Like, Post, PostSlug, Tag, User
from bench import peer, realworld_data


def _user(name: str, **fields) -> User:
    user = User(password_hash="x", email=f"{name}@example.org", **fields)
    user.set_username(name)
    return user


def _post(author: User, title: str, tags: list[Tag], **fields) -> Post:
    slug = title.lower().replace(" ", "-")
    post = Post(title=title, slug=slug, content=f"Body of {title}", author=author, **fields)
    post.set_tags(tags)
    post.slug_history.append(PostSlug(slug=slug))
    return post


@pytest.fixture
def rows(app: Flask) -> dict:
    with app.app_context():
        alice = _user("alice", bio="Writes.", image="https://example.org/a.png")
        bob = _user("bob")  # no bio: the peer's column is NOT NULL, so it gets ""
        python, flask = Tag(name="python"), Tag(name="flask")
        public = _post(alice, "Public one", [python, flask], summary="About it")
        bare = _post(bob, "No summary", [python])
        draft = _post(alice, "A draft", [flask], published=False)
        db.session.add_all([alice, bob, public, bare, draft])
        db.session.flush()
        db.session.add_all(
            [
                Follow(follower_id=bob.id, followed_id=alice.id),
                Like(user_id=bob.id, post_id=public.id),
                Like(user_id=bob.id, post_id=draft.id),
                Comment(post_id=public.id, user_id=bob.id, content="Nice."),
                Comment(post_id=draft.id, user_id=bob.id, content="Hidden."),
            ]
        )
        db.session.commit()
        ids = {"alice": alice.id, "bob": bob.id, "public": public.id, "bare": bare.id}
        with db.engine.connect() as conn:
            return {"ids": ids, "peer": realworld_data.peer_rows(conn, "SALT", "HASH")}


def _table(rows: dict, name: str) -> list[dict]:
    columns, values = rows["peer"][name]
    return [dict(zip(columns, value, strict=True)) for value in values]


def test_users_keep_ids_names_and_get_the_peers_password_columns(rows):
    users = _table(rows, "users")
    assert [(u["id"], u["username"], u["email"]) for u in users] == [
        (rows["ids"]["alice"], "alice", "alice@example.org"),
        (rows["ids"]["bob"], "bob", "bob@example.org"),
    ]
    assert {(u["salt"], u["hashed_password"]) for u in users} == {("SALT", "HASH")}
    assert [(u["bio"], u["image"]) for u in users] == [
        ("Writes.", "https://example.org/a.png"),
        ("", None),
    ]
    for user in users:
        assert user["created_at"].tzinfo is not None
        assert user["created_at"].utcoffset().total_seconds() == 0
        assert user["updated_at"] == user["created_at"]


def test_published_articles_with_their_tags_favorites_and_comments_are_copied(rows):
    ids = rows["ids"]
    articles = _table(rows, "articles")
    assert [
        (a["id"], a["slug"], a["title"], a["description"], a["author_id"]) for a in articles
    ] == [
        (ids["public"], "public-one", "Public one", "About it", ids["alice"]),
        (ids["bare"], "no-summary", "No summary", "", ids["bob"]),
    ]
    assert articles[0]["body"] == "Body of Public one"
    assert articles[0]["created_at"] <= datetime.now(UTC)
    assert _table(rows, "tags") == [{"tag": "flask"}, {"tag": "python"}]
    assert _table(rows, "articles_to_tags") == [
        {"article_id": ids["public"], "tag": "flask"},
        {"article_id": ids["public"], "tag": "python"},
        {"article_id": ids["bare"], "tag": "python"},
    ]
    assert _table(rows, "favorites") == [{"user_id": ids["bob"], "article_id": ids["public"]}]
    assert _table(rows, "followers_to_followings") == [
        {"follower_id": ids["bob"], "following_id": ids["alice"]}
    ]
    [comment] = _table(rows, "commentaries")
    assert (comment["body"], comment["author_id"], comment["article_id"]) == (
        "Nice.",
        ids["bob"],
        ids["public"],
    )


def _articles(n: int, *, tag: str = "python", author: str = "author2", following=True):
    return {
        "articles": [
            {"tagList": [tag], "author": {"username": author, "following": following}}
            for _ in range(n)
        ]
    }


@pytest.mark.parametrize(
    ("scenario", "body", "problem"),
    [
        ("articles", _articles(19), "19 articles, not 20"),
        ("articles_tag", _articles(20, tag="flask"), "an article without the tag python"),
        ("feed", _articles(20, author="author50"), "an article by someone the user does not"),
        ("feed", _articles(20, following=False), "an article by someone the user does not"),
        ("user", {"user": {"username": "author2"}}, "user author2"),
        ("comments", {"comments": [{}] * 3}, "3 comments"),
    ],
)
def test_an_answer_with_other_data_is_caught_before_timing(scenario, body, problem):
    [s] = [s for s in peer.scenarios() if s.name == scenario]
    assert peer.check_answer(s, body).startswith(problem)


def test_the_expected_answers_pass_the_check():
    comments = {"comments": [{}] * realworld_data.MEASURED_COMMENTS}
    bodies = {
        "articles": _articles(20),
        "articles_tag": _articles(20),
        "feed": _articles(20),
        "user": {"user": {"username": realworld_data.BENCH_USER}},
        "comments": comments,
    }
    assert {s.name: peer.check_answer(s, bodies[s.name]) for s in peer.scenarios()} == {
        name: None for name in bodies
    }


def test_a_directory_that_is_not_the_peer_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="not a checkout of nsidnev/fastapi-realworld"):
        peer.check_peer_dir(str(tmp_path))
