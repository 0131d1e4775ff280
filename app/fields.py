"""Marshmallow fields for the wire contract: length-checked text, strict booleans, dates.

Text fields are checked in code (SQLite does not enforce ``VARCHAR(n)``, PostgreSQL raises)
and refuse NUL (PostgreSQL cannot store it).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

import precis_i18n
from flask import current_app
from marshmallow import ValidationError, fields

from .models import (
    EMAIL_MAX,
    IMAGE_MAX,
    SLUG_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
    USERNAME_MAX,
    User,
    username_key,
)


class Text(fields.String):
    """A string that is length-checked in code and never carries a NUL character."""

    def __init__(
        self,
        *,
        strip: bool = False,
        min_length: int = 0,
        max_length: int | None = None,
        no_control: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.strip = strip
        self.min_length = min_length
        self.max_length = max_length
        self.no_control = no_control

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        if self.no_control and any(unicodedata.category(ch) == "Cc" for ch in text):
            raise ValidationError("Must not contain control characters.")
        if self.strip:
            text = text.strip()
        if len(text) < self.min_length:
            raise ValidationError(
                "Must not be empty."
                if self.min_length == 1
                else f"Must be at least {self.min_length} characters long."
            )
        if self.max_length is not None and len(text) > self.max_length:
            raise ValidationError(f"Must be at most {self.max_length} characters long.")
        return text


class Password(Text):
    """A password of ``PASSWORD_MIN_LENGTH``..1024 characters (checked when loaded)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(load_only=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        cfg = current_app.config
        self.min_length = int(cfg["PASSWORD_MIN_LENGTH"])
        self.max_length = int(cfg["PASSWORD_MAX_LENGTH"])
        return super()._deserialize(value, attr, data, **kwargs)


class Email(fields.Email):
    """An e-mail address, trimmed and stored lower-case."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValidationError("Must not contain NUL characters.")
            value = value.strip()
            if len(value) > EMAIL_MAX:
                raise ValidationError(f"Must be at most {EMAIL_MAX} characters long.")
        return super()._deserialize(value, attr, data, **kwargs).lower()


class DueDate(fields.Date):
    """A calendar date, ``YYYY-MM-DD``; a full ISO 8601 datetime is accepted for its date.

    Clients that send every time value as a timestamp (``2026-12-01T09:00:00Z``) get the
    day they wrote, not a 422; the answer always carries the plain date.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str) and "T" in value:
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
            except ValueError:
                raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from None
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBool(fields.Boolean):
    """A JSON boolean only: ``"yes"`` or ``1`` is a type error, not true.

    ``truthy={True}`` alone is not enough: ``1 in {True}`` and ``0.0 in {False}`` hold in Python.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def QueryBool(**kwargs: Any) -> fields.Boolean:  # noqa: N802
    return fields.Boolean(truthy={"true", "1"}, falsy={"false", "0"}, **kwargs)


def _username_key_fits(username: str) -> None:
    # NFKC can expand one character to 18 ("\ufdfa"): 64 characters may not fit the key column.
    if len(username_key(username)) > User.__table__.c.username_key.type.length:
        raise ValidationError("Is too long once normalized.")


_USERNAME_PROFILE = precis_i18n.get_profile("UsernameCaseMapped")
# UTS #39 "highly restrictive": one script, or Latin with the scripts East Asian names mix.
_SCRIPT_MIXES = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "BOPOMOFO"},
    {"LATIN", "HAN", "HANGUL"},
)


def _script(letter: str) -> str:
    """A letter's script, from its Unicode name ("CYRILLIC SMALL LETTER A" -> CYRILLIC)."""
    name = unicodedata.name(letter, "")
    if name.startswith("CJK") or name.startswith("IDEOGRAPHIC"):
        return "HAN"
    if name.startswith("KATAKANA-HIRAGANA"):
        return "HIRAGANA"
    return name.split(" ", 1)[0] or "UNKNOWN"


def _identifier(username: str) -> None:
    """A username a person can read back: PRECIS UsernameCaseMapped (RFC 8265) for each
    space-separated part, one script (or an East Asian mix), and no "@"."""
    if "@" in username:
        # Login takes a username or an e-mail in one field: a username that looks like
        # an address would shadow the login of whoever has that address.
        raise ValidationError('Must not contain "@".')
    scripts = set()
    for part in username.split(" "):
        try:
            folded = _USERNAME_PROFILE.enforce(part)
        except UnicodeError:
            raise ValidationError(
                "Must be letters, digits and punctuation; no invisible, formatting or "
                "direction characters, symbols or repeated spaces."
            ) from None
        scripts |= {_script(ch) for ch in folded if unicodedata.category(ch).startswith("L")}
    if len(scripts) > 1 and not any(scripts <= mix for mix in _SCRIPT_MIXES):
        raise ValidationError("Must not mix scripts (e.g. Latin and Cyrillic letters).")


def _username(username: str) -> None:
    _username_key_fits(username)
    _identifier(username)


def Username(**kwargs: Any) -> Text:  # noqa: N802
    """A new username: checked on sign-up and rename (existing names are never re-checked)."""
    return Text(
        strip=True,
        min_length=1,
        max_length=USERNAME_MAX,
        no_control=True,
        validate=_username,
        **kwargs,
    )


def Title(**kwargs: Any) -> Text:  # noqa: N802
    return Text(strip=True, min_length=1, max_length=TITLE_MAX, **kwargs)


class ImageURL(fields.Url):
    """An absolute ``http``/``https`` URL of at most 500 characters (a profile picture)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(relative=False, schemes={"http", "https"}, require_tld=False, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if "\x00" in value:
                raise ValidationError("Must not contain NUL characters.")
            value = value.strip()
            if len(value) > IMAGE_MAX:
                raise ValidationError(f"Must be at most {IMAGE_MAX} characters long.")
        return super()._deserialize(value, attr, data, **kwargs)


def normalize_tag(value: Any) -> str:
    """A tag trimmed and lower-cased: 1–32 letters, digits and ``-``; else ValidationError."""
    if not isinstance(value, str):
        raise ValidationError("Not a valid string.")
    tag = value.strip().lower()
    if not 1 <= len(tag) <= TAG_MAX:
        raise ValidationError(f"Each tag must be 1 to {TAG_MAX} characters long.")
    if not all(ch == "-" or ch.isalnum() for ch in tag):
        raise ValidationError("Tags may hold only letters, digits and '-'.")
    return tag


class Tag(fields.String):
    """One tag, normalized (a ``?tag=`` filter)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return normalize_tag(value)


class Tags(fields.List):
    """Up to 10 tags: each normalized, duplicates collapsed, sorted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        errors = {}
        tags = set()
        for index, item in enumerate(value):
            try:
                tags.add(normalize_tag(item))
            except ValidationError as err:
                errors[index] = err.messages
        if errors:
            raise ValidationError(errors)
        if len(tags) > TAGS_MAX:
            raise ValidationError(f"At most {TAGS_MAX} tags.")
        return sorted(tags)


SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Slug(Text):
    """A slug a client chooses: lower-case ASCII words joined by ``-``, at most 100 characters."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_length=1, max_length=SLUG_MAX, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        slug = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(SLUG_PATTERN, slug):
            raise ValidationError("Use lower-case letters and digits in words joined by '-'.")
        return slug


class Count(fields.Integer):
    """A count loaded with the row (``query_expression``); an object built in this request
    (a new post, a new user) has none yet and answers 0 without reading the database."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> int:
        return 0 if value is None else super()._serialize(value, attr, obj, **kwargs)


class Flag(fields.Boolean):
    """Like ``Count``, for a viewer-dependent flag (``liked``, ``following``): None is false."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> bool:
        return bool(value)
