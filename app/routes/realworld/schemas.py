"""The RealWorld wire shapes: camelCase, wrapped in ``{"user": …}``, ``{"article": …}``, ….

Loaded fields reuse the project's own (length-checked, NUL-free) fields, so a RealWorld
client is held to the same rules as a v2 one.
"""

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ...fields import Email, ImageURL, Password, Tags, Text, Title, Username
from ...models import BIO_MAX, COMMENT_MAX, CONTENT_MAX, ID_MAX, SUMMARY_MAX


class Timestamp(fields.Field):
    """ISO 8601 in UTC with milliseconds and ``Z``, as the spec's examples (and frontends
    that parse them) have it: ``2016-02-18T03:22:56.637Z``."""

    @staticmethod
    def serialize_value(value: datetime | None) -> str | None:
        """All of ``_serialize`` (app.dumping calls it directly)."""
        if value is None:
            return None
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return self.serialize_value(value)


class ProfileSchema(Schema):
    class Meta:
        ordered = True

    username = fields.String()
    bio = fields.String(allow_none=True)
    image = fields.String(allow_none=True)
    following = fields.Boolean()


class UserSchema(Schema):
    """The signed-in user, with the token to send back as ``Authorization: Token …``."""

    class Meta:
        ordered = True

    email = fields.String(allow_none=True)
    token = fields.String()
    username = fields.String()
    bio = fields.String(allow_none=True)
    image = fields.String(allow_none=True)


class UserResponse(Schema):
    user = fields.Nested(UserSchema, required=True)


class ProfileResponse(Schema):
    profile = fields.Nested(ProfileSchema, required=True)


class Inner(Schema):
    """A wrapped body's content: fields a frontend sends back unasked (token, …) are ignored."""

    class Meta:
        unknown = EXCLUDE


class LoginUser(Inner):
    email = Text(required=True, max_length=254)
    password = Text(required=True, load_only=True, max_length=1024)


class NewUser(Inner):
    username = Username(required=True)
    email = Email(required=True)
    password = Password(required=True)


class UpdateUser(Inner):
    email = Email()
    username = Username()
    password = Password()
    bio = Text(allow_none=True, max_length=BIO_MAX)
    image = ImageURL(allow_none=True)

    @pre_load
    def blanks_mean_unchanged(self, data: Any, **kwargs: Any) -> Any:
        """Settings forms send ``"password": ""`` (no change) and ``"image": ""`` (none)."""
        if isinstance(data, dict):
            data = dict(data)
            if data.get("password") == "":
                del data["password"]
            if data.get("image") == "":
                data["image"] = None
        return data


class LoginUserRequest(Schema):
    user = fields.Nested(LoginUser, required=True)


class NewUserRequest(Schema):
    user = fields.Nested(NewUser, required=True)


class UpdateUserRequest(Schema):
    user = fields.Nested(UpdateUser, required=True)


user_response = UserResponse()
profile_response = ProfileResponse()
login_request = LoginUserRequest()
new_user_request = NewUserRequest()
update_user_request = UpdateUserRequest()


class GenericErrorModel(Schema):
    """``{"errors": {"body": ["…"]}}``; for 422, one key per field instead of ``body``."""

    errors = fields.Dict(required=True, keys=fields.String(), values=fields.List(fields.String()))


# --- articles and comments ----------------------------------------------------------------


class ArticleSummary(Schema):
    """An article in a list: everything but its body (the spec's list shape since 2024)."""

    class Meta:
        ordered = True

    slug = fields.String()
    title = fields.String()
    description = fields.String()
    tagList = fields.List(fields.String())  # noqa: N815 - the wire name
    createdAt = Timestamp()  # noqa: N815
    updatedAt = Timestamp()  # noqa: N815
    favorited = fields.Boolean()
    favoritesCount = fields.Integer()  # noqa: N815
    author = fields.Nested(ProfileSchema)


class ArticleSchema(ArticleSummary):
    class Meta:
        ordered = True

    body = fields.String()


class CommentSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    createdAt = Timestamp()  # noqa: N815
    updatedAt = Timestamp()  # noqa: N815
    body = fields.String()
    author = fields.Nested(ProfileSchema)


class ArticleResponse(Schema):
    article = fields.Nested(ArticleSchema, required=True)


class ArticlesResponse(Schema):
    articles = fields.List(fields.Nested(ArticleSummary), required=True)
    articlesCount = fields.Integer(required=True)  # noqa: N815


class CommentResponse(Schema):
    comment = fields.Nested(CommentSchema, required=True)


class CommentsResponse(Schema):
    comments = fields.List(fields.Nested(CommentSchema), required=True)


class TagsResponse(Schema):
    tags = fields.List(fields.String(), required=True)


class NewArticle(Inner):
    title = Title(required=True)
    description = Text(required=True, max_length=SUMMARY_MAX)
    body = Text(required=True, min_length=1, max_length=CONTENT_MAX)
    tagList = Tags(load_default=list)  # noqa: N815


class UpdateArticle(Inner):
    title = Title()
    description = Text(max_length=SUMMARY_MAX)
    body = Text(min_length=1, max_length=CONTENT_MAX)
    tagList = Tags()  # noqa: N815


class NewComment(Inner):
    body = Text(required=True, min_length=1, max_length=COMMENT_MAX)


class NewArticleRequest(Schema):
    article = fields.Nested(NewArticle, required=True)


class UpdateArticleRequest(Schema):
    article = fields.Nested(UpdateArticle, required=True)


class NewCommentRequest(Schema):
    comment = fields.Nested(NewComment, required=True)


class ArticleListArgs(Schema):
    """``limit`` (default 20; above 100 reads as 100) and ``offset``; filters by name."""

    class Meta:
        unknown = EXCLUDE

    tag = fields.String(validate=validate.Length(max=100))
    author = fields.String(validate=validate.Length(max=256))
    favorited = fields.String(validate=validate.Length(max=256))
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, ID_MAX))


article_response = ArticleResponse()
articles_response = ArticlesResponse()
comment_response = CommentResponse()
comments_response = CommentsResponse()
tags_response = TagsResponse()
new_article_request = NewArticleRequest()
update_article_request = UpdateArticleRequest()
new_comment_request = NewCommentRequest()
article_list_args = ArticleListArgs()
