"""Database models: users and follows, posts (slugs, tags, comments, likes), todos, token
revocations, idempotency keys, heartbeat, sessions and mailed account tokens — one module
each, all importable from here."""

from .base import (
    BIO_MAX,
    COMMENT_MAX,
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    ID_MAX,
    IMAGE_MAX,
    SLUG_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    USERNAME_MAX,
    UTCDateTime,
    insert_for,
    username_key,
    utcnow,
)
from .posts import (
    Comment,
    Like,
    Post,
    PostSlug,
    Tag,
    post_tags,
    tag_list,
)
from .records import (
    Heartbeat,
    IdempotencyKey,
    RevokedToken,
    Todo,
)
from .sessions import (
    AccountToken,
    UserSession,
)
from .users import (
    Follow,
    User,
)

__all__ = [
    "AccountToken",
    "BIO_MAX",
    "COMMENT_MAX",
    "CONTENT_MAX",
    "Comment",
    "DESCRIPTION_MAX",
    "EMAIL_MAX",
    "Follow",
    "Heartbeat",
    "ID_MAX",
    "IMAGE_MAX",
    "IdempotencyKey",
    "Like",
    "Post",
    "PostSlug",
    "RevokedToken",
    "SLUG_MAX",
    "SUMMARY_MAX",
    "TAGS_MAX",
    "TAG_MAX",
    "TITLE_MAX",
    "Tag",
    "Todo",
    "USERNAME_MAX",
    "UTCDateTime",
    "User",
    "UserSession",
    "insert_for",
    "post_tags",
    "tag_list",
    "username_key",
    "utcnow",
]
