"""The RealWorld wire shapes: camelCase, wrapped in ``{"user": …}``, ``{"article": …}``, ….

Loaded fields reuse the project's own (length-checked, NUL-free) fields, so a RealWorld
client is held to the same rules as a v2 one.
"""

from datetime import UTC, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, pre_load

from ...fields import Email, ImageURL, Password, Text, Username
from ...models import BIO_MAX


class Timestamp(fields.Field):
    """ISO 8601 in UTC with milliseconds and ``Z``, as the spec's examples (and frontends
    that parse them) have it: ``2016-02-18T03:22:56.637Z``."""

    def _serialize(self, value: datetime | None, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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
