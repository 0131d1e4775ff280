"""Query strings of the list endpoints: paging, filters, sorts."""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from ..extensions import ma
from ..fields import (
    QueryBool,
    Tag,
    Text,
)
from ..models import (
    ID_MAX,
)
from ..search import PREFIX_MIN, SEARCH_MAX_CHARS, SEARCH_MAX_WORDS, check_words

PAGE_LIMIT_DEFAULT = 10
PAGE_LIMIT_MAX = 100
# v1 lists had no paging in the seeds: the default page is the largest one.
V1_PAGE_LIMIT_DEFAULT = V1_PAGE_LIMIT_MAX = 100


# --- query strings ------------------------------------------------------------------------


class PageArgsSchema(ma.Schema):
    class Meta:
        unknown = EXCLUDE  # cache-busters and the like in a query string are harmless

    limit = fields.Integer(
        load_default=PAGE_LIMIT_DEFAULT, validate=validate.Range(1, PAGE_LIMIT_MAX)
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(0, ID_MAX))


POST_SORTS = ("created_at", "-created_at", "title", "-title", "updated_at", "-updated_at")
TODO_SORTS = (
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "due_date",
    "-due_date",
    "title",
    "-title",
)


AFTER = {
    "description": "Opaque cursor from a `next` link: the page after that item "
    "(replaces `offset`; keep the same `sort`)."
}


class PostListArgsSchema(PageArgsSchema):
    author_id = fields.Integer(validate=validate.Range(1, ID_MAX))
    tag = Tag(metadata={"description": "Only posts with this tag"})
    liked_by = fields.Integer(
        validate=validate.Range(1, ID_MAX), metadata={"description": "Only posts this user likes"}
    )
    q = Text(
        strip=True,
        max_length=SEARCH_MAX_CHARS,
        validate=check_words,
        metadata={
            "description": "Full-text search over title, summary, content and tags: every "
            f"word must match (stemmed; the last word of {PREFIX_MIN}+ characters also as a "
            "prefix); drafts never match. Best matches first unless `sort` is given, and "
            f"then paged by `offset` only. At most {SEARCH_MAX_CHARS} characters and "
            f"{SEARCH_MAX_WORDS} words."
        },
    )
    sort = fields.String(
        validate=validate.OneOf(POST_SORTS),
        metadata={"description": "Default `-created_at` (newest first); with `q`, relevance."},
    )
    after = fields.String(validate=validate.Length(max=1000), metadata=AFTER)


class FeedArgsSchema(PageArgsSchema):
    """The feed: newest first, paged by ``offset`` or by the ``after`` cursor of a ``next`` link."""

    after = fields.String(validate=validate.Length(max=1000), metadata=AFTER)


class CommentListArgsSchema(PageArgsSchema):
    sort = fields.String(
        load_default="created_at", validate=validate.OneOf(("created_at", "-created_at"))
    )
    after = fields.String(
        validate=validate.Length(max=1000),
        metadata={"description": "Opaque cursor from a `next` link (replaces `offset`)."},
    )


class TodoListArgsSchema(PageArgsSchema):
    completed = QueryBool()
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(TODO_SORTS))


class V1PageArgsSchema(ma.Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=V1_PAGE_LIMIT_DEFAULT, validate=validate.Range(1, V1_PAGE_LIMIT_MAX)
    )
    offset = fields.Integer(load_default=0, validate=validate.Range(0, ID_MAX))


class V1PostListArgsSchema(V1PageArgsSchema):
    user_id = fields.Integer(validate=validate.Range(1, ID_MAX))


page_args_schema = PageArgsSchema()
post_list_args_schema = PostListArgsSchema()
todo_list_args_schema = TodoListArgsSchema()
feed_args_schema = FeedArgsSchema()
comment_list_args_schema = CommentListArgsSchema()
v1_page_args_schema = V1PageArgsSchema()
v1_post_list_args_schema = V1PostListArgsSchema()
