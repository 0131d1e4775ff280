"""Posts (slugs, tags, Markdown, counts) and comments."""

from __future__ import annotations

from marshmallow import fields

from ..extensions import ma
from ..fields import (
    Count,
    Flag,
    Slug,
    StrictBool,
    Tags,
    Text,
    Title,
)
from ..models import (
    COMMENT_MAX,
    CONTENT_MAX,
    SUMMARY_MAX,
    Comment,
    Post,
)
from .users import AuthorSchema, CommentAuthorSchema

# --- posts --------------------------------------------------------------------------------


class PostSchema(ma.SQLAlchemySchema):
    class Meta:
        model = Post
        ordered = True

    id = ma.auto_field(dump_only=True)
    title = ma.auto_field(dump_only=True)
    content = ma.auto_field(dump_only=True)
    published = ma.auto_field(dump_only=True)
    user_id = ma.auto_field(dump_only=True)
    author = fields.Nested(AuthorSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class BlogPostSchema(PostSchema):
    """A v2 post: slug, summary, tags, rendered HTML, counts and the caller's like."""

    class Meta:
        model = Post
        ordered = True

    slug = ma.auto_field(dump_only=True)
    summary = ma.auto_field(dump_only=True)
    content_html = fields.String(
        dump_only=True, metadata={"description": "`content` rendered and sanitized"}
    )
    tags = fields.List(fields.String(), dump_only=True)
    likes_count = Count(dump_only=True)
    comments_count = Count(dump_only=True)
    liked = Flag(dump_only=True, metadata={"description": "whether the caller likes it"})


class BlogPostListItemSchema(BlogPostSchema):
    """A v2 post in a list: everything but ``content_html`` (open the post for it)."""

    class Meta(BlogPostSchema.Meta):
        exclude = ("content_html",)


class PostCreateSchema(ma.Schema):
    """POST and PUT: every required field present; omitted optional ones take defaults."""

    title = Title(required=True)
    content = Text(required=True, min_length=1, max_length=CONTENT_MAX)
    published = StrictBool(load_default=True)


class PostUpdateSchema(ma.Schema):
    """PATCH (and v1's PUT): only the fields given change."""

    title = Title()
    content = Text(min_length=1, max_length=CONTENT_MAX)
    published = StrictBool()


class BlogPostCreateSchema(PostCreateSchema):
    """v2 POST: the slug is made from the title."""

    summary = Text(load_default=None, allow_none=True, max_length=SUMMARY_MAX)
    tags = Tags(load_default=list)


class BlogPostReplaceSchema(BlogPostCreateSchema):
    """v2 PUT: the slug is kept unless one is given."""

    slug = Slug()


class BlogPostUpdateSchema(PostUpdateSchema):
    """v2 PATCH."""

    slug = Slug()
    summary = Text(allow_none=True, max_length=SUMMARY_MAX)
    tags = Tags()


# --- comments -----------------------------------------------------------------------------


class CommentSchema(ma.SQLAlchemySchema):
    class Meta:
        model = Comment
        ordered = True

    id = ma.auto_field(dump_only=True)
    post_id = ma.auto_field(dump_only=True)
    content = ma.auto_field(dump_only=True)
    content_html = ma.auto_field(dump_only=True)
    author = fields.Nested(CommentAuthorSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CommentBodySchema(ma.Schema):
    content = Text(required=True, min_length=1, max_length=COMMENT_MAX)


class MarkdownSchema(ma.Schema):
    content = Text(required=True, max_length=CONTENT_MAX)


class MarkdownHTMLSchema(ma.Schema):
    content_html = fields.String(required=True)


post_schema = PostSchema()
posts_schema = PostSchema(many=True)
post_create_schema = PostCreateSchema()
post_update_schema = PostUpdateSchema()
blog_post_schema = BlogPostSchema()
blog_post_list_schema = BlogPostListItemSchema()
blog_post_create_schema = BlogPostCreateSchema()
blog_post_replace_schema = BlogPostReplaceSchema()
blog_post_update_schema = BlogPostUpdateSchema()
comment_schema = CommentSchema()
comment_body_schema = CommentBodySchema()
markdown_schema = MarkdownSchema()
markdown_html_schema = MarkdownHTMLSchema()
