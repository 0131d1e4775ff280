"""Users, tokens and the caller's account: what is sent and what comes back."""

from __future__ import annotations

from marshmallow import fields

from ..extensions import ma
from ..fields import (
    Count,
    Email,
    Flag,
    ImageURL,
    Password,
    Text,
    Username,
)
from ..models import (
    BIO_MAX,
    EMAIL_MAX,
    USERNAME_MAX,
    User,
)

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
    followers_count = Count(dump_only=True)
    following_count = Count(dump_only=True)
    following = Flag(dump_only=True)


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


class CommentAuthorSchema(AuthorSchema):
    """A comment's author, as the contract has it: with the profile image."""

    image = ma.auto_field(dump_only=True)


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
