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
    StrictBool,
    Text,
    Username,
)
from ..models import (
    BIO_MAX,
    EMAIL_MAX,
    USERNAME_MAX,
    User,
    UserSession,
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
    email_verified = ma.auto_field(dump_only=True)


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
    email_verified = ma.auto_field(dump_only=True)


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


_COOKIE_DOC = {
    "description": "true: answer the refresh token as the HttpOnly cookie `refresh_token` "
    "and a `csrf_token` in the body, instead of the refresh token in the body"
}


class SessionLoginSchema(LoginSchema):
    """v2 login: the v1 fields, and the choice of the refresh cookie."""

    cookie = StrictBool(load_default=False, metadata=_COOKIE_DOC)


class RefreshSchema(ma.Schema):
    refresh_token = Text(
        max_length=8192,
        metadata={
            "description": "omitted: the `refresh_token` cookie is spent, and header "
            "`X-CSRF-Token` must carry the session's `csrf_token` (else 403 `csrf_failed`)"
        },
    )
    cookie = StrictBool(load_default=False, metadata=_COOKIE_DOC)


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


class SessionTokensSchema(ma.Schema):
    """v2's login and refresh answer: the refresh token in the body, or (cookie mode) in
    the cookie with the session's CSRF token in the body instead."""

    access_token = fields.String(required=True)
    refresh_token = fields.String(metadata={"description": "body mode only"})
    csrf_token = fields.String(
        metadata={"description": "cookie mode only: send it back as `X-CSRF-Token`"}
    )
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


class SessionSchema(ma.SQLAlchemySchema):
    """One signed-in device of the caller."""

    class Meta:
        model = UserSession
        ordered = True

    id = ma.auto_field(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    last_used_at = fields.DateTime(
        dump_only=True, metadata={"description": "the last login or refresh"}
    )
    user_agent = ma.auto_field(dump_only=True)
    current = fields.Boolean(
        dump_only=True, metadata={"description": "the session of the token that asks"}
    )


class PasswordResetRequestSchema(ma.Schema):
    email = Email(required=True)


class PasswordResetConfirmSchema(ma.Schema):
    token = Text(required=True, max_length=200)
    password = Password(required=True)


class VerifyEmailSchema(ma.Schema):
    token = Text(required=True, max_length=200)


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
session_login_schema = SessionLoginSchema()
refresh_schema = RefreshSchema()
session_schema = SessionSchema()
password_reset_request_schema = PasswordResetRequestSchema()
password_reset_confirm_schema = PasswordResetConfirmSchema()
verify_email_schema = VerifyEmailSchema()
logout_schema = LogoutSchema()
me_update_schema = MeUpdateSchema()
password_confirm_schema = PasswordConfirmSchema()
