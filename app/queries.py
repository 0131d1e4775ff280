"""Queries that several API faces share: visible posts, profiles with counts, the feed.

Routes of every face call these; the visibility rule of every post list lives here once.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, joinedload, with_expression

from .errors import Invalid, NotFound
from .extensions import db
from .models import ID_MAX, Follow, Post, User, username_key, utcnow
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


# --- people -------------------------------------------------------------------------------


def _following_expr(viewer: User | None) -> sa.ColumnElement[bool]:
    if viewer is None:
        return sa.false()
    mine = aliased(Follow)
    return (
        sa.exists()
        .where(mine.follower_id == viewer.id, mine.followed_id == User.id)
        .correlate(User)
    )


def _count_of(column: str) -> sa.ScalarSelect[int]:
    """Follows rows whose ``column`` is the outer user (its own alias: lists join follows)."""
    rows = aliased(Follow)
    return (
        sa.select(sa.func.count())
        .select_from(rows)
        .where(getattr(rows, column) == User.id)
        .correlate(User)
        .scalar_subquery()
    )


def profiles(viewer: User | None) -> sa.Select:
    """Users with their follower/following counts and ``following`` (for ``viewer``), all
    in the one SELECT (correlated subqueries on the follows indexes: no N+1 in lists)."""
    return (
        sa.select(User)
        .options(
            with_expression(User.followers_count, _count_of("followed_id")),
            with_expression(User.following_count, _count_of("follower_id")),
            with_expression(User.following, _following_expr(viewer)),
        )
        # The viewer (or a user read earlier in the request) may already be in the identity
        # map: refresh it so the expressions are filled in.
        .execution_options(populate_existing=True)
    )


def profile_or_404(viewer: User | None, *criteria: Any) -> User:
    """The one user matching ``criteria``, with counts, or NotFound."""
    user = db.session.scalars(profiles(viewer).where(*criteria)).one_or_none()
    if user is None:
        raise NotFound("User not found")
    return user


def profile_by_id(viewer: User | None, user_id: int) -> User:
    if not 1 <= user_id <= ID_MAX:
        raise NotFound("User not found")
    return profile_or_404(viewer, User.id == user_id)


def profile_by_username(viewer: User | None, username: str) -> User:
    """Case-insensitive and NFKC-folded, as usernames are compared at sign-up."""
    return profile_or_404(viewer, User.username_key == username_key(username))


def profile_page(viewer: User | None, args: dict[str, Any], stmt: sa.Select | None = None) -> Page:
    """A page of profiles (``stmt`` narrows ``profiles``), in id order unless it orders."""
    stmt = profiles(viewer) if stmt is None else stmt
    if not stmt._order_by_clauses:
        stmt = stmt.order_by(User.id)
    return paginate(stmt, limit=args["limit"], offset=args["offset"])


def followers_page(viewer: User | None, user: User, args: dict[str, Any]) -> Page:
    """Who follows ``user``, most recent first."""
    stmt = (
        profiles(viewer)
        .join(Follow, Follow.follower_id == User.id)
        .where(Follow.followed_id == user.id)
        .order_by(Follow.created_at.desc(), User.id.desc())
    )
    return profile_page(viewer, args, stmt)


def following_page(viewer: User | None, user: User, args: dict[str, Any]) -> Page:
    """Whom ``user`` follows, most recent first."""
    stmt = (
        profiles(viewer)
        .join(Follow, Follow.followed_id == User.id)
        .where(Follow.follower_id == user.id)
        .order_by(Follow.created_at.desc(), User.id.desc())
    )
    return profile_page(viewer, args, stmt)


def follow(follower: User, followed: User) -> None:
    """Make ``follower`` follow ``followed``; a second time (even concurrently) changes nothing."""
    if follower.id == followed.id:
        raise Invalid({"user_id": ["You cannot follow yourself."]})
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(Follow)
        .values(follower_id=follower.id, followed_id=followed.id, created_at=utcnow())
        .on_conflict_do_nothing()
    )
    db.session.commit()


def unfollow(follower: User, followed: User) -> None:
    """Stop following; not following already changes nothing."""
    db.session.execute(
        sa.delete(Follow).where(
            Follow.follower_id == follower.id, Follow.followed_id == followed.id
        )
    )
    db.session.commit()


def feed(viewer: User, args: dict[str, Any]) -> Page:
    """Published posts of the users ``viewer`` follows, newest first (keyset paging)."""
    followed = sa.select(Follow.followed_id).where(Follow.follower_id == viewer.id)
    stmt = sa.select(Post).where(Post.published.is_(True), Post.user_id.in_(followed))
    return page_of_posts(stmt, {**args, "sort": "-created_at"})
