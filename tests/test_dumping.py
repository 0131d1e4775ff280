"""The compiled dumps (app/dumping.py) answer exactly what the marshmallow schemas answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from marshmallow import Schema, fields

import app.dumping as dumping
from app import schemas
from app.dumping import compiled, dump
from app.fields import Count, Flag
from app.models import Comment, Post, Todo, User
from app.routedoc import describe

#: Schemas the faces answer with that marshmallow dumps itself, and why.
LEFT_TO_MARSHMALLOW: dict[str, str] = {}


def answered_schemas(app) -> dict[str, Schema]:
    found = {}
    for view in app.view_functions.values():
        schema = describe(view).response
        if isinstance(schema, Schema):
            found[type(schema).__name__] = schema
    return found


def test_every_answered_schema_compiles_or_is_known_to_fall_back(app):
    found = answered_schemas(app)
    assert {"BlogPostListItemSchema", "ProfileSchema", "CommentSchema"} <= set(found)
    for name, schema in found.items():
        if name in LEFT_TO_MARSHMALLOW:
            assert compiled(schema) is None, name
        else:
            assert compiled(schema) is not None, f"{name} is dumped by marshmallow: why?"


def a_post(**overrides):
    author = User(id=7, username="Zoë", image=None, bio="b", email="z@example.com")
    post = Post(
        id=3,
        title="Café — déjà vu",
        content="*x*",
        published=True,
        user_id=7,
        slug="cafe-deja-vu",
        summary=None,
        created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        updated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    post.author = author
    post.tag_names = "zeta,alpha,mid-dle"
    post.likes_count, post.comments_count, post.liked = 2, None, None
    for key, value in overrides.items():
        setattr(post, key, value)
    return post


@pytest.mark.parametrize(
    "post",
    [
        a_post(),
        a_post(tag_names="", summary="s", liked=True, likes_count=None, comments_count=5),
        a_post(published=False, content="", title="<script>"),
    ],
)
def test_posts_dump_the_same_on_every_field(post):
    for schema in (
        schemas.BlogPostSchema(),
        schemas.BlogPostListItemSchema(),
        schemas.PostSchema(),
    ):
        assert compiled(schema) is not None
        expected = schema.dump(post)
        got = dump(schema, post)
        assert list(got.items()) == list(expected.items())
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        assert dump(schema, [post, post], many=True) == [expected, expected]


def test_users_comments_and_todos_dump_the_same_on_every_field():
    user = User(id=1, username="ann", email=None, is_admin=False, bio=None, image="https://x/y.png")
    user.created_at = datetime(2026, 5, 6, tzinfo=UTC)
    user.followers_count, user.following_count, user.following = 3, None, None
    comment = Comment(id=2, post_id=3, content="c", content_html="<p>c</p>", user_id=1)
    comment.author = user
    comment.created_at = comment.updated_at = datetime(2026, 5, 6, 1, tzinfo=UTC)
    todo = Todo(id=4, title="t", completed=None, user_id=1, due_date=date(2026, 12, 31))
    todo.created_at = todo.updated_at = datetime(2026, 5, 6, 1, tzinfo=UTC)
    for obj, model in ((user, User), (comment, Comment), (todo, Todo)):
        checked = 0
        for schema in vars(schemas).values():
            if isinstance(schema, Schema) and getattr(schema.opts, "model", None) is model:
                if compiled(schema) is None or schema.many:
                    continue
                expected = schema.dump(obj)
                got = dump(schema, obj)
                assert list(got.items()) == list(expected.items()), type(schema).__name__
                checked += 1
        assert checked, model


def test_a_field_class_it_does_not_know_falls_back_to_marshmallow():
    class WithEmail(Schema):
        id = fields.Integer()
        email = fields.Email()

    class WithHook(Schema):
        id = fields.Integer()

        @__import__("marshmallow").post_dump
        def shout(self, data, **kwargs):
            return {k.upper(): v for k, v in data.items()}

    class Custom(Count):
        def _serialize(self, value, attr, obj, **kwargs):
            return -1

    class WithSubclass(Schema):
        n = Custom()
        f = Flag()

    assert compiled(WithEmail()) is None
    assert compiled(WithHook()) is None
    assert dump(WithHook(), {"id": 1}) == {"ID": 1}
    assert compiled(WithSubclass()) is None
    assert dump(WithSubclass(), type("O", (), {"n": 5, "f": 0})()) == {"n": -1, "f": False}


def test_verify_mode_catches_a_plan_that_differs(monkeypatch):
    class Two(Schema):
        n = fields.Integer()

    schema = Two()
    assert dump(schema, type("O", (), {"n": 2})()) == {"n": 2}
    monkeypatch.setitem(dumping._plans, id(schema), (schema, lambda obj: {"n": "2"}))
    with pytest.raises(AssertionError):
        dump(schema, type("O", (), {"n": 2})())


def test_realworld_bodies_built_as_dicts_dump_the_same_on_every_field():
    """The RealWorld views answer dicts (nested, with lists of nested dicts, missing keys and
    None values): the compiled plan reads them by key, as marshmallow does."""
    from app.routes.realworld import schemas as rw

    when = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    author = {"username": "Zoë", "bio": None, "image": "https://x/y.png", "following": False}
    article = {
        "slug": "cafe-deja-vu",
        "title": "Café",
        "description": "",
        "tagList": ["b", "a"],
        "createdAt": when,
        "updatedAt": when.astimezone(timezone(timedelta(hours=5))),
        "favorited": True,
        "favoritesCount": 0,
        "author": author,
        "body": "*x*",
        "not_in_the_schema": 1,
    }
    sparse = {"slug": "s", "tagList": [], "createdAt": None, "author": None}
    comment = {"id": 2, "createdAt": when, "updatedAt": when, "body": "c", "author": author}
    cases = [
        (rw.ArticleResponse(), {"article": article}),
        (rw.ArticleResponse(), {"article": sparse}),
        (rw.ArticlesResponse(), {"articles": [article, sparse], "articlesCount": 2}),
        (rw.ArticlesResponse(), {"articles": [], "articlesCount": 0}),
        (rw.CommentResponse(), {"comment": comment}),
        (rw.CommentsResponse(), {"comments": [comment, {**comment, "author": None}]}),
        (rw.UserResponse(), {"user": {"email": "a@b.c", "token": "t", "username": "u"}}),
        (rw.ProfileResponse(), {"profile": author}),
    ]
    for schema, body in cases:
        assert compiled(schema) is not None, type(schema).__name__
        assert dumping._ordered(dump(schema, body)) == dumping._ordered(schema.dump(body))
    assert dump(rw.ArticleResponse(), {"article": article})["article"]["createdAt"] == (
        "2026-01-02T03:04:05.678Z"
    )


def test_a_field_that_serializes_more_than_its_serialize_value_is_not_compiled():
    from app.routes.realworld.schemas import Timestamp

    class Shouting(Timestamp):
        def _serialize(self, value, attr, obj, **kwargs):
            return str(super()._serialize(value, attr, obj, **kwargs)).upper()

    class WithShouting(Schema):
        at = Shouting()

    class WithTimestamp(Schema):
        at = Timestamp()

    assert compiled(WithShouting()) is None
    assert compiled(WithTimestamp()) is not None
