"""Atom 1.0 documents of posts for feed readers (``/feeds``), built with feedgen.

feedgen builds the document as an lxml tree, so every title, name and piece of content is
escaped by the XML serializer: no string template ever sees user text. Each entry's
content is the post's ``content_html``, sanitized when the post was written
(``app.markdown``), sent as ``type="html"`` (escaped text that readers render as HTML).

What is left to this module is what XML itself forbids: titles and Markdown may carry
control characters (only NUL is refused on input), which XML 1.0 cannot hold and lxml
refuses to serialize, so one bad title would break the feed for every reader. They are
dropped here (``xml_text``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from .models import Post

ATOM_TYPE = "application/atom+xml"

# XML 1.0's Char production: tab, LF, CR and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str | None) -> str:
    """``value`` without the characters an XML 1.0 document cannot contain."""
    return _NOT_XML_CHAR.sub("", value or "")


@dataclass(frozen=True)
class FeedLinks:
    """Where a feed and its entries point: built by the route from trusted bases."""

    self_url: str  # the feed's own URL: also its permanent id
    page_url: str  # the page of the same posts in the frontend (rel="alternate")
    post_url: Callable[[Post], str]  # an entry's page in the frontend
    author_url: Callable[[Post], str]  # the author's page in the frontend
    entry_id: Callable[[Post], str]  # permanent: the same after any edit of the post


def feed_updated(posts: list[Post], empty: datetime) -> datetime:
    """The feed's ``updated``: its newest entry change, or ``empty`` when it has none."""
    return max((post.updated_at for post in posts), default=empty)


def atom_feed(
    *,
    title: str,
    subtitle: str,
    links: FeedLinks,
    posts: Iterable[Post],
    updated: datetime,
) -> bytes:
    """The Atom document of ``posts``, in the order given (newest first), as UTF-8 bytes."""
    fg = FeedGenerator()
    fg.id(links.self_url)
    fg.title(xml_text(title))
    fg.subtitle(xml_text(subtitle))
    fg.updated(updated)
    fg.link(href=links.self_url, rel="self", type=ATOM_TYPE)
    fg.link(href=links.page_url, rel="alternate", type="text/html")
    fg.generator("Flask Blog API")
    for post in posts:
        entry = fg.add_entry(order="append")  # feedgen prepends by default
        entry.id(links.entry_id(post))
        entry.title(xml_text(post.title).strip() or "Untitled")
        entry.updated(post.updated_at)
        entry.published(post.created_at)
        entry.author(
            name=xml_text(post.author.username).strip() or "unknown",
            uri=links.author_url(post),
        )
        entry.link(href=links.post_url(post), rel="alternate", type="text/html")
        if post.summary:
            entry.summary(xml_text(post.summary))
        for tag in post.tags:
            entry.category(term=xml_text(tag))
        entry.content(xml_text(post.content_html), type="html")
    return fg.atom_str(pretty=False, encoding="UTF-8")
