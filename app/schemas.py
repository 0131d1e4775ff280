"""Marshmallow schemas: the wire contract of both versions, and the source of the OpenAPI docs.

Output schemas dump models; input schemas validate bodies and query strings. Fields the
server owns (``id``, ``user_id``, ``is_admin``, timestamps, ``token_version``) are never
loaded: v1 drops them as unknown, v2 refuses them with 422 (``Face.body`` in ``app.faces``).
"""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from .extensions import ma
from .fields import (
    DueDate,
    Email,
    ImageURL,
    Password,
    QueryBool,
    Slug,
    StrictBool,
    Tag,
    Tags,
    Text,
    Title,
    Username,
)
from .models import (
    BIO_MAX,
    COMMENT_MAX,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    ID_MAX,
    SUMMARY_MAX,
    USERNAME_MAX,
    Comment,
    Post,
    Todo,
    User,
)

PAGE_LIMIT_DEFAULT = 10
PAGE_LIMIT_MAX = 100


# --- users --------------------------------------------------------------------------------


class UserSchema(ma.SQLAlchemySchema):
    """A public profile: never the e-mail address, never the admin flag."""

    class Meta:
        model = User
        ordered = True

    id = ma.auto_field(dump_only=True)
    username = ma.auto_field(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class PrivateUserSchema(UserSchema):
    """The user as they (and admins) see themselves."""

    email = ma.auto_field(dump_only=True)
    is_admin = ma.auto_field(dump_only=True)


class ProfileSchema(UserSchema):
    """v2's public user: the profile, its counts, and whether the caller follows them."""

    bio = ma.auto_field(dump_only=True)
    image = ma.auto_field(dump_only=True)
    followers_count = fields.Integer(dump_only=True)
    following_count = fields.Integer(dump_only=True)
    following = fields.Boolean(dump_only=True)


class PrivateProfileSchema(ProfileSchema):
    """v2: the user as they (and admins) see themselves."""

    email = ma.auto_field(dump_only=True)
    is_admin = ma.auto_field(dump_only=True)


class AuthorSchema(ma.SQLAlchemySchema):
    class Meta:
        model = User
        ordered = True

    id = ma.auto_field(dump_only=True)
    username = ma.auto_field(dump_only=True)


class UserCreateSchema(ma.Schema):
    username = Username(required=True)
    password = Password(required=True)
    email = Email(load_default=None, allow_none=True)


class LoginSchema(ma.Schema):
    username = Text(max_length=USERNAME_MAX * 4)
    email = Text(max_length=EMAIL_MAX)
    password = Text(required=True, load_only=True, max_length=1024)


class RefreshSchema(ma.Schema):
    refresh_token = Text(required=True, max_length=8192)


class LogoutSchema(ma.Schema):
    refresh_token = Text(max_length=8192)


class MeUpdateSchema(ma.Schema):
    username = Username()
    email = Email(allow_none=True)
    password = Password()
    current_password = Text(load_only=True, max_length=1024)
    bio = Text(allow_none=True, max_length=BIO_MAX)
    image = ImageURL(allow_none=True)


class PasswordConfirmSchema(ma.Schema):
    current_password = Text(required=True, load_only=True, max_length=1024)


class TokenPairSchema(ma.Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class V1TokenSchema(TokenPairSchema):
    token = fields.String(required=True, metadata={"description": "same as access_token"})


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
    likes_count = fields.Integer(dump_only=True)
    comments_count = fields.Integer(dump_only=True)
    liked = fields.Boolean(dump_only=True, metadata={"description": "whether the caller likes it"})


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
    author = fields.Nested(AuthorSchema, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class CommentBodySchema(ma.Schema):
    content = Text(required=True, min_length=1, max_length=COMMENT_MAX)


class MarkdownSchema(ma.Schema):
    content = Text(required=True, max_length=CONTENT_MAX)


class MarkdownHTMLSchema(ma.Schema):
    content_html = fields.String(required=True)


# --- todos --------------------------------------------------------------------------------


class TodoSchema(ma.SQLAlchemySchema):
    class Meta:
        model = Todo
        ordered = True

    id = ma.auto_field(dump_only=True)
    title = ma.auto_field(dump_only=True)
    description = ma.auto_field(dump_only=True)
    completed = ma.auto_field(dump_only=True)
    due_date = fields.Date(dump_only=True, allow_none=True)
    user_id = ma.auto_field(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class TodoCreateSchema(ma.Schema):
    title = Title(required=True)
    description = Text(load_default=None, allow_none=True, max_length=DESCRIPTION_MAX)
    completed = StrictBool(load_default=False)
    due_date = DueDate(load_default=None, allow_none=True)


class TodoUpdateSchema(ma.Schema):
    title = Title()
    description = Text(allow_none=True, max_length=DESCRIPTION_MAX)
    completed = StrictBool()
    due_date = DueDate(allow_none=True)


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
    q = Text(strip=True, max_length=200)
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(POST_SORTS))
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


class V1PostListArgsSchema(ma.Schema):
    class Meta:
        unknown = EXCLUDE

    user_id = fields.Integer(validate=validate.Range(1, ID_MAX))


class ErrorSchema(ma.Schema):
    error = fields.String(required=True, metadata={"description": "HTTP reason phrase"})
    message = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": "per field"}
    )


class MessageSchema(ma.Schema):
    message = fields.String(required=True)


user_schema = UserSchema()
users_schema = UserSchema(many=True)
private_user_schema = PrivateUserSchema()
profile_schema = ProfileSchema()
private_profile_schema = PrivateProfileSchema()
private_users_schema = PrivateUserSchema(many=True)
user_create_schema = UserCreateSchema()
login_schema = LoginSchema()
refresh_schema = RefreshSchema()
logout_schema = LogoutSchema()
me_update_schema = MeUpdateSchema()
password_confirm_schema = PasswordConfirmSchema()

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

todo_schema = TodoSchema()
todos_schema = TodoSchema(many=True)
todo_create_schema = TodoCreateSchema()
todo_update_schema = TodoUpdateSchema()

page_args_schema = PageArgsSchema()
post_list_args_schema = PostListArgsSchema()
todo_list_args_schema = TodoListArgsSchema()
feed_args_schema = FeedArgsSchema()
comment_list_args_schema = CommentListArgsSchema()
v1_post_list_args_schema = V1PostListArgsSchema()
