"""Queries that several API faces share: which posts a viewer may see, one page of them.

Routes of every face call these; the visibility rule of every post list lives here once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from .models import Post, User
from .pagination import Page, paginate


def visible_posts(
    viewer: User | None, *, author_id: int | None = None, q: str | None = None
) -> sa.Select:
    """Published posts, plus the viewer's own drafts; ``author_id`` and ``q`` narrow them.

    Search results (``q``) never hold a draft, and nobody else's draft is ever listed
    (admins open them by id).
    """
    stmt = sa.select(Post)
    if viewer is None or q:
        stmt = stmt.where(Post.published.is_(True))
    else:
        stmt = stmt.where(sa.or_(Post.published.is_(True), Post.user_id == viewer.id))
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(Post.title.ilike(pattern, escape="\\"), Post.content.ilike(pattern, escape="\\"))
        )
    return stmt


def page_of_posts(stmt: sa.Select, args: dict[str, Any]) -> Page:
    """One page of ``stmt`` in ``args["sort"]`` order, authors loaded (2 statements)."""
    return paginate(
        stmt,
        limit=args["limit"],
        offset=args["offset"],
        options=(joinedload(Post.author),),
        sort=(Post, args["sort"]),
        after=args.get("after"),
    )


def post_list(viewer: User | None, args: dict[str, Any], author_id: int | None = None) -> Page:
    """The page of posts a list endpoint answers for ``viewer`` with query ``args``.

    ``author_id``: only this author's posts (``/users/<id>/posts``), on top of the
    ``author_id`` the query string may carry.
    """
    stmt = visible_posts(viewer, author_id=args.get("author_id"), q=args.get("q"))
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    return page_of_posts(stmt, args)
