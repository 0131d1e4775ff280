"""Atom feeds for feed readers: ``/feeds/posts.atom`` and ``/feeds/users/<id>.atom``.

Not an API face: a feed is an XML document for readers, not a JSON resource, so these
routes are a blueprint of their own (like ``health``), outside every face's prefix and
every face's OpenAPI document. What goes wrong is answered in the house JSON shape by the
app-wide handlers: an unknown user (404), the rate limit (429 + ``Retry-After``), and the
routing 404/405 of any other ``/feeds`` path (no face owns the prefix, so
``app.face_registry`` answers them in the house shape).

Every URL in a feed is built from a trusted base: ``FRONTEND_URL`` for the pages of the
frontend, else the URL the request came to, whose host ``TRUSTED_HOSTS`` has already
checked (as for ``Location`` and ``Link``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, current_app, request, url_for

from .. import limits
from ..atom import ATOM_TYPE, FeedLinks, atom_feed, feed_updated
from ..errors import NotFound
from ..extensions import db
from ..models import ID_MAX, Post, User
from ..queries import newest_published

bp = Blueprint("feeds", __name__, url_prefix="/feeds")

#: Entries per feed (the contract: the 20 newest published posts).
FEED_SIZE = 20
#: Seconds a reader or a shared cache may reuse a feed without asking again; after that a
#: conditional GET (ETag, Last-Modified) costs a 304 with no body.
MAX_AGE = 300
#: An empty site feed still needs an ``updated``: a fixed instant keeps its ETag stable.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@bp.get("/posts.atom")
@limits.feeds
def posts_feed():
    """Serve the Atom feed of the 20 newest published posts."""
    posts = newest_published(FEED_SIZE)
    site = current_app.config["FEED_TITLE"]
    return atom_response(
        title=site,
        subtitle=f"The newest posts on {site}",
        page_url=frontend_url("#/"),
        posts=posts,
        updated=feed_updated(posts, EPOCH),
    )


@bp.get("/users/<id:user_id>.atom")
@limits.feeds
def user_feed(user_id):
    """Serve the Atom feed of one author's 20 newest published posts."""
    user = db.session.get(User, user_id) if 1 <= user_id <= ID_MAX else None
    if user is None:
        raise NotFound("User not found")
    posts = newest_published(FEED_SIZE, author_id=user.id)
    site = current_app.config["FEED_TITLE"]
    return atom_response(
        title=f"Posts by {user.username} · {site}",
        subtitle=user.bio or f"The newest posts by {user.username} on {site}",
        page_url=author_page(user.username),
        posts=posts,
        updated=feed_updated(posts, user.created_at),
    )


def frontend_url(fragment: str) -> str:
    """A page of the frontend: ``FRONTEND_URL`` when set, else this (trusted) host's root."""
    base = current_app.config.get("FRONTEND_URL") or request.url_root
    return base.rstrip("/") + "/" + fragment


def author_page(username: str) -> str:
    return frontend_url("#/u/" + quote(username, safe=""))


def entry_id(post: Post) -> str:
    """A tag URI (RFC 4151) that no edit changes: this host, the post's day of birth, its id."""
    host = urlsplit(request.host_url).hostname or "localhost"
    return f"tag:{host},{post.created_at:%Y-%m-%d}:post-{post.id}"


def atom_response(
    *, title: str, subtitle: str, page_url: str, posts: list[Post], updated: datetime
) -> Response:
    """The feed as ``application/atom+xml`` with validators, caching and a 304 when current."""
    links = FeedLinks(
        # Canonical (``/users/007.atom`` is ``/users/7.atom``): the self link is the feed's id.
        self_url=url_for(request.endpoint, **request.view_args, _external=True),
        page_url=page_url,
        post_url=lambda post: frontend_url("#/p/" + quote(post.slug, safe="")),
        author_url=lambda post: author_page(post.author.username),
        entry_id=entry_id,
    )
    body = atom_feed(title=title, subtitle=subtitle, links=links, posts=posts, updated=updated)
    response = Response(body, content_type=f"{ATOM_TYPE}; charset=utf-8")
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.last_modified = updated
    # Public: a feed holds published posts only, the same for every reader.
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    # Opened in a browser tab, the document may run nothing and load nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response.make_conditional(request)
