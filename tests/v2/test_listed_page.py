"""The post list read through Core (``queries.listed_page``) answers what the ORM read did.

Every page is built both ways over one varied dataset — drafts (the viewer's own and
others'), likes and none, comments and none, tags common and rare, unicode, equal times,
summaries and none — for nobody, a reader, an author and an admin, with every sort, every
filter the list accepts (and the route's author), offset pages and cursor pages followed to
the end, and compared field for field: the JSON items, ``total``, ``offset``, ``limit`` and
the ``next`` cursor.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.dumping import dump
from app.extensions import db
from app.models import Comment, Like, Post, User
from app.pagination import Page
from app.queries import (
    DEFAULT_POST_SORT,
    ListShape,
    TagShape,
    kept_count,
    kept_total_of,
    list_statements,
    listed_page,
    page_of_posts,
    visible_posts,
)
from app.readconn import rows_below_core
from app.schemas import blog_post_list_schema
from app.schemas.args import POST_SORTS

from ..helpers import BASE_TIME, tags_named, unique_slug

TITLES = ("Zebra", "äpfel", "Ωmega", "apple", "Apple", "日本語の記事", "emoji 🎉", "b", "B", "a-b")


def orm_post_list(viewer: User | None, args: dict[str, Any], author_id: int | None) -> Page:
    """The list as ``post_list`` read it through the ORM before ``listed_page`` (no ``q``)."""
    stmt = visible_posts(
        viewer,
        author_id=args.get("author_id"),
        tag=args.get("tag"),
        liked_by=args.get("liked_by"),
    )
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    args = {**args, "sort": args.get("sort") or DEFAULT_POST_SORT}
    kept = kept_total_of(viewer, args, author_id)
    total = None if kept is None else kept_count(kept[2], author_id=kept[0], tag=kept[1])
    return page_of_posts(stmt, args, viewer, total=total)


def answer(page: Page) -> dict[str, Any]:
    return {
        "items": dump(blog_post_list_schema, page.items, many=True),
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "next": page.next_after,
    }


@pytest.fixture
def dataset(app) -> dict[str, int]:
    """Users alice, bob, carol (no posts) and an admin; 36 posts with everything varied."""
    with app.app_context():
        users = {}
        for name in ("alice", "bob", "carol", "root"):
            user = User(password_hash="unused", is_admin=name == "root")
            user.set_username(name)
            db.session.add(user)
            users[name] = user
        db.session.flush()
        authors = [users["alice"], users["bob"], users["root"]]
        posts = []
        for n in range(36):
            # Times repeat (ties broken by id), updated_at differs from created_at.
            created = BASE_TIME + timedelta(minutes=n // 3)
            post = Post(
                title=TITLES[n % len(TITLES)] + ("" if n < 10 else f" {n % 4}"),
                slug=unique_slug(),
                content=f"Body {n} — ünïcödé *{n}*",
                summary=None if n % 2 else f"summary {n} ✓",
                published=n % 5 != 0,  # drafts of every author
                user_id=authors[n % 3].id,
                created_at=created,
                updated_at=created + timedelta(minutes=(n * 7) % 11),
            )
            names = {0: ["common"], 1: ["common", "rare-one"], 2: ["日本"], 3: []}[n % 4]
            if n % 6 == 0:
                names = [*names, "z-last", "a-first"]
            post.set_tags(tags_named(names))
            db.session.add(post)
            posts.append(post)
        db.session.flush()
        for n, post in enumerate(posts):
            for liker in (users["carol"], users["bob"], users["alice"])[: n % 4]:
                db.session.add(Like(user_id=liker.id, post_id=post.id))
            for c in range(n % 3):
                db.session.add(Comment(post_id=post.id, user_id=users["carol"].id, content=f"c{c}"))
        db.session.commit()
        return {name: user.id for name, user in users.items()}


def filters(ids: dict[str, int]) -> list[tuple[dict[str, Any], int | None]]:
    """(query arguments, route author) pairs: every filter, alone and together."""
    alice, bob, carol = ids["alice"], ids["bob"], ids["carol"]
    return [
        ({}, None),
        ({"author_id": alice}, None),
        ({"author_id": bob}, None),
        ({"author_id": carol}, None),
        ({"tag": "common"}, None),
        ({"tag": "rare-one"}, None),
        ({"tag": "日本"}, None),
        ({"tag": "no-such-tag"}, None),
        ({"liked_by": alice}, None),
        ({"liked_by": carol}, None),
        ({"author_id": alice, "tag": "common"}, None),
        ({"author_id": bob, "liked_by": alice}, None),
        ({"tag": "common", "liked_by": bob}, None),
        ({}, alice),
        ({}, bob),
        ({"author_id": alice}, alice),
        ({"author_id": bob}, alice),
        ({"tag": "common"}, alice),
        ({"liked_by": bob}, alice),
    ]


def both_ways(app, viewer_id: int | None, args: dict[str, Any], route: int | None):
    """Both answers, each in a fresh session (as each request has its own)."""
    answers = []
    for read in (orm_post_list, listed_page):
        with app.test_request_context():
            viewer = None if viewer_id is None else db.session.get(User, viewer_id)
            answers.append(answer(read(viewer, args, route)))
    return answers


def test_listed_page_answers_what_the_orm_read_answered(app, dataset):
    viewers = [None, dataset["alice"], dataset["bob"], dataset["carol"], dataset["root"]]
    pages = 0
    for viewer, (narrowing, route), sort in itertools.product(
        viewers, filters(dataset), (None, *POST_SORTS)
    ):
        args = {**narrowing, "limit": 7, "offset": 0}
        if sort is not None:
            args["sort"] = sort
        # Cursor pages, followed to the end.
        while True:
            orm, core = both_ways(app, viewer, args, route)
            assert core == orm, (viewer, args, route)
            pages += 1
            if orm["next"] is None:
                break
            args = {**args, "after": orm["next"]}
        # Offset pages: one inside, one past the end.
        for offset in (5, 40):
            orm, core = both_ways(app, viewer, {**args, "offset": offset, "after": None}, route)
            assert core == orm, (viewer, args, route, offset)
    assert pages > 900


def test_listed_page_sees_drafts_likes_and_counts(app, dataset):
    """The comparison above compares something: the dataset holds what it varies."""
    alice = dataset["alice"]
    with app.test_request_context():
        viewer = db.session.get(User, alice)
        mine = answer(listed_page(viewer, {"limit": 100, "offset": 0}, None))
        nobody = answer(listed_page(None, {"limit": 100, "offset": 0}, None))
        drafts = db.session.scalar(
            sa.select(sa.func.count()).where(Post.user_id == alice, Post.published.is_(False))
        )
    assert drafts > 0 and mine["total"] == nobody["total"] + drafts
    items = mine["items"]
    assert {item["liked"] for item in items} == {True, False}
    assert {item["likes_count"] for item in items} == {0, 1, 2, 3}
    assert {item["comments_count"] for item in items} == {0, 1, 2}
    assert {len(item["tags"]) for item in items} >= {0, 1, 2, 3}
    assert {item["summary"] is None for item in items} == {True, False}
    assert ["a-first", "common", "z-last"] in [item["tags"] for item in items]
    assert not any(item["liked"] for item in nobody["items"])


def test_rows_below_core_are_the_rows_core_reads(app, dataset):
    """Each list statement read below Core answers Core's rows, value for value and type for
    type (times in UTC, booleans); a tag's statement, whose id is inlined per execution,
    is left to Core."""
    alice = dataset["alice"]
    cursor = BASE_TIME + timedelta(minutes=6)
    compared = 0
    for signed_in, sort, after, author in itertools.product(
        (False, True), POST_SORTS, (False, True), (False, True)
    ):
        shape = ListShape(signed_in, sort, author, False, None, False, after, None)
        statements = list_statements(shape)
        value = cursor if "title" not in sort else "apple"
        params = {"viewer_id": alice, "author_id": alice, "limit": 9, "offset": 2}
        params.update(after_value=value, after_id=20, drafts_of=alice)
        for stmt in (statements.total, statements.page):
            with app.app_context():
                below = rows_below_core(db.engine, stmt, params)
                core = db.session.connection().execute(stmt, params).all()
            assert below is not None
            assert [tuple(r) for r in core] == below
            typed = [[(type(v), getattr(v, "tzinfo", None)) for v in r] for r in core]
            assert typed == [[(type(v), getattr(v, "tzinfo", None)) for v in r] for r in below]
            compared += len(core)
    assert compared > 100
    tagged = list_statements(
        ListShape(True, "-created_at", False, False, TagShape(1, True), False, False, None)
    )
    with app.app_context():
        assert rows_below_core(db.engine, tagged.page, {"tag_id": 1, "limit": 5}) is None
