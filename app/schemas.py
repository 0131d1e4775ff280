"""Marshmallow schemas: the wire contract of both versions, and the source of the OpenAPI docs.

Output schemas dump models; input schemas validate bodies and query strings. Fields the
server owns (``id``, ``user_id``, ``is_admin``, timestamps, ``token_version``) are never
loaded: v1 drops them as unknown, v2 refuses them with 422 (``Face.body`` in ``app.faces``).
"""

from __future__ import annotations

from marshmallow import EXCLUDE, fields, validate

from .extensions import ma
from .fields import DueDate, Email, Password, QueryBool, StrictBool, Text, Title, Username
from .models import CONTENT_MAX, DESCRIPTION_MAX, EMAIL_MAX, ID_MAX, USERNAME_MAX, Post, Todo, User

PAGE_LIMIT_DEFAULT = 10
PAGE_LIMIT_MAX = 100
# v1 lists had no paging in the seeds: the default page is the largest one.
V1_PAGE_LIMIT_DEFAULT = V1_PAGE_LIMIT_MAX = 100


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


class PostListArgsSchema(PageArgsSchema):
    author_id = fields.Integer(validate=validate.Range(1, ID_MAX))
    q = Text(strip=True, max_length=200)
    sort = fields.String(load_default="-created_at", validate=validate.OneOf(POST_SORTS))
    after = fields.String(
        validate=validate.Length(max=1000),
        metadata={
            "description": "Opaque cursor from a `next` link: the page after that item "
            "(replaces `offset`; keep the same `sort`)."
        },
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

todo_schema = TodoSchema()
todos_schema = TodoSchema(many=True)
todo_create_schema = TodoCreateSchema()
todo_update_schema = TodoUpdateSchema()

page_args_schema = PageArgsSchema()
post_list_args_schema = PostListArgsSchema()
todo_list_args_schema = TodoListArgsSchema()
v1_post_list_args_schema = V1PostListArgsSchema()
v1_page_args_schema = V1PageArgsSchema()
