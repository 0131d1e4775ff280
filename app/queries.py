"""Queries that several API faces share: visible posts, profiles with counts, the feed.

Routes of every face call these; the visibility rule of every post list lives here once.

Counts (``likes_count``, ``comments_count``) and ``liked`` are correlated subqueries in the
SELECT that loads the posts, not counter columns: a count is then right by construction
after concurrent likes, ``ON DELETE CASCADE`` of a user or a post, and any other write,
with no counter to keep in step and no hot row that concurrent likes would queue on.
Each subquery is an index-only lookup (``likes`` by post, ``comments`` by post and time),
so a page of 100 posts costs 100 small index probes inside one statement — the statement
count stays the same for 1 item and for 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defer, joinedload, with_expression

from . import search
from .errors import Invalid, NotFound
from .extensions import db
from .models import (
    ID_MAX,
    Comment,
    Follow,
    Like,
    Post,
    Tag,
    User,
    insert_for,
    post_tags,
    tag_list,
    username_key,
    utcnow,
)
from .pagination import Keyset, Page, order_by, page_ids, paginate
from .permissions import can_moderate
from .readconn import rows_below_core

DEFAULT_POST_SORT = "-created_at"


#: A tag on at least 1/COMMON_TAG_SHARE of the published posts is read along the time index.
COMMON_TAG_SHARE = 200


def visible_posts(
    viewer: User | None,
    *,
    author_id: int | None = None,
    q: str | None = None,
    tag: str | None = None,
    liked_by: int | None = None,
) -> sa.Select:
    """Published posts, plus the viewer's own drafts; the keyword arguments narrow them.

    Search results (``q``: full text, every word, app.search) never hold a draft, and
    nobody else's draft is ever listed (admins open them by id).
    """
    return narrowed_posts(
        None if viewer is None else viewer.id,
        author_id=author_id,
        q=q,
        tagged=None if tag is None else tag_shape(tag),
        liked_by=liked_by,
    )


@dataclass(frozen=True)
class TagShape:
    """How ``?tag=`` narrows a list (``tag_shape``): the tag's id, and whether it is common.
    ``tag_id`` None: no such tag, nothing matches."""

    tag_id: Any
    common: bool


def tag_shape(tag: str) -> TagShape:
    """Look the tag up: its id, with how many published posts carry it and how many there
    are in all (the kept counts, app.counters), so the filter's shape follows the tag:
    - a common tag (on 1/COMMON_TAG_SHARE of the posts or more): the posts are read newest
      first from the time index and each is probed in post_tags by primary key, so a page
      stops after about limit × COMMON_TAG_SHARE probes at most, however many posts carry
      the tag (SQLite sorted all 453,192 posts of `python` at 1M: 310 ms);
    - a rare one: its posts are read from ix_post_tags_tag_id_post_id and sorted, at most
      1/COMMON_TAG_SHARE of the posts."""
    found = db.session.execute(
        sa.select(
            Tag.id,
            Tag.published_posts,
            sa.select(sa.func.sum(User.published_posts)).scalar_subquery(),
        ).where(Tag.name == tag)
    ).first()
    if found is None:
        return TagShape(None, False)
    tag_id, tagged_posts, all_posts = found
    return TagShape(tag_id, tagged_posts * COMMON_TAG_SHARE >= (all_posts or 0))


def narrowed_posts(
    viewer_id: Any,
    *,
    author_id: Any = None,
    q: str | None = None,
    tagged: TagShape | None = None,
    liked_by: Any = None,
) -> sa.Select:
    """``visible_posts`` for the viewer with id ``viewer_id`` (None: nobody signed in), the
    tag looked up already. Each id may be a value or a ``bindparam`` (``list_statements``
    builds the statement once per shape); ``tagged.tag_id`` (a value, or a ``bindparam`` with
    ``literal_execute``) is written into the SQL as a literal (an integer: safe to inline),
    so the planner sees which tag it is."""
    stmt = sa.select(Post)
    if viewer_id is None or q:
        stmt = stmt.where(Post.published.is_(True))
    else:
        stmt = stmt.where(sa.or_(Post.published.is_(True), Post.user_id == viewer_id))
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    if q:
        stmt = search.matching(stmt, q, _dialect())
    if tagged is not None:
        if tagged.tag_id is None:
            return stmt.where(sa.false())
        literal = tagged.tag_id
        if not isinstance(literal, sa.BindParameter):
            literal = sa.bindparam("tag_id", literal, type_=sa.Integer, literal_execute=True)
        if tagged.common:
            stmt = stmt.where(
                sa.exists().where(post_tags.c.post_id == Post.id, post_tags.c.tag_id == literal)
            )
        else:
            tagged_ids = sa.select(post_tags.c.post_id).where(post_tags.c.tag_id == literal)
            stmt = stmt.where(Post.id.in_(tagged_ids))
    if liked_by is not None:
        stmt = stmt.where(Post.id.in_(sa.select(Like.post_id).where(Like.user_id == liked_by)))
    return stmt


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@cache
def detail_columns(signed_in: bool) -> tuple[Any, ...]:
    """A post's tags (names joined by ","), likes count, comments count and ``liked``, as
    expressions correlated to ``posts``; ``liked`` reads the bound parameter ``viewer_id``.

    Built once per process: making these clauses cost a page of posts more Python than
    running its SQL (issue #15). The viewer's id is a bound parameter filled at execution
    (``detail_params``), so the same clauses, and SQLAlchemy's cached SQL, serve everyone.
    """
    likes = sa.select(sa.func.count()).where(Like.post_id == Post.id).scalar_subquery()
    comments = sa.select(sa.func.count()).where(Comment.post_id == Post.id).scalar_subquery()
    if signed_in:
        viewer_id = sa.bindparam("viewer_id", type_=sa.Integer, required=True)
        liked: Any = sa.exists().where(Like.post_id == Post.id, Like.user_id == viewer_id)
    else:
        liked = sa.false()
    tags = (
        sa.select(sa.func.coalesce(sa.func.aggregate_strings(Tag.name, ","), ""))
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .where(post_tags.c.post_id == Post.id)
        .scalar_subquery()
    )
    return tags, likes, comments, liked


@cache
def _detail_options(signed_in: bool, with_html: bool = True) -> tuple[Any, ...]:
    tags, likes, comments, liked = detail_columns(signed_in)
    options = (
        joinedload(Post.author),
        with_expression(Post.tag_names, tags),
        with_expression(Post.likes_count, likes),
        with_expression(Post.comments_count, comments),
        with_expression(Post.liked, liked),
    )
    return options if with_html else (*options, defer(Post.content_html))


def post_details(viewer: User | None, *, with_html: bool = True) -> tuple[Any, ...]:
    """Loader options for answering posts: author, tags, counts and ``liked`` for ``viewer``;
    execute with ``detail_params(viewer)``.

    All of it in the SELECT that loads the posts: the author joined, the rest correlated
    subqueries (tags aggregated into one string), so a page is that SELECT and its count.
    Lists leave out ``content_html`` (``with_html=False``): only single posts answer it.
    """
    return _detail_options(viewer is not None, with_html)


def detail_params(viewer: User | None) -> dict[str, Any]:
    """The execution parameters of ``post_details``' options for ``viewer``."""
    return {} if viewer is None else {"viewer_id": viewer.id}


def post_for(viewer: User | None, post_id: int) -> Post:
    """One post with its details, as ``viewer`` may see it; drafts of others are 404."""
    post = None
    if 1 <= post_id <= ID_MAX:
        stmt = sa.select(Post).where(Post.id == post_id).options(*post_details(viewer))
        stmt = stmt.execution_options(populate_existing=True)
        post = db.session.scalars(stmt, detail_params(viewer)).first()
    if post is None or not (post.published or can_moderate(viewer, post.user_id)):
        raise NotFound("Post not found")
    return post


def page_of_posts(
    stmt: sa.Select,
    args: dict[str, Any],
    viewer: User | None = None,
    ranking: list | None = None,
    total: sa.Select | None = None,
) -> Page:
    """One page of ``stmt`` with details (2 statements: the count, and the page with its
    authors, tags and counts): in ``args["sort"]`` order, or in ``ranking`` order (search
    relevance) when given, which pages by offset only. ``total``: a statement that answers
    the number of matches from the kept counts (``kept_count``) instead of counting them."""
    options = post_details(viewer, with_html=False)
    params = detail_params(viewer)
    if ranking is not None:
        if args.get("after"):
            raise Invalid(
                {"after": ["Relevance order pages by offset; send sort to page by cursor."]},
                "Invalid query parameters",
            )
        return paginate(
            stmt.order_by(*ranking),
            limit=args["limit"],
            offset=args["offset"],
            options=options,
            params=params,
            ids_first=Post,
            total=total,
        )
    return paginate(
        stmt,
        limit=args["limit"],
        offset=args["offset"],
        options=options,
        params=params,
        sort=(Post, args["sort"]),
        after=args.get("after"),
        ids_first=Post,
        total=total,
    )


def kept_count(drafts_of: Any, *, author_id: Any = None, tag: Any = None) -> sa.Select:
    """How many visible posts there are (of ``author_id``, or with ``tag``: one of the two at
    most), from the counts the database keeps (app.counters) plus the drafts of the user
    ``drafts_of`` (None: no drafts counted): the same at a thousand posts and at a million,
    where ``count(*)`` reads every match. Each value may be a ``bindparam``
    (``list_statements``); ``kept_total_of`` says which to count for a list."""
    if author_id is not None:
        published: Any = sa.select(User.published_posts).where(User.id == author_id)
    elif tag is not None:
        published = sa.select(Tag.published_posts).where(Tag.name == tag)
    else:
        published = sa.select(sa.func.sum(User.published_posts))
    total = sa.func.coalesce(published.scalar_subquery(), 0)
    if drafts_of is not None:
        drafts = sa.select(sa.func.count()).where(
            Post.user_id == drafts_of, Post.published.is_(False)
        )
        if tag is not None:
            tagged = (
                sa.select(post_tags.c.post_id)
                .join(Tag, Tag.id == post_tags.c.tag_id)
                .where(Tag.name == tag)
            )
            drafts = drafts.where(Post.id.in_(tagged))
        total = total + drafts.scalar_subquery()
    return sa.select(total)


def post_list(viewer: User | None, args: dict[str, Any], author_id: int | None = None) -> Page:
    """The page of posts a list endpoint answers for ``viewer`` with query ``args``.

    ``author_id``: only this author's posts (``/users/<id>/posts``), on top of the
    ``author_id`` the query string may carry. With ``q`` see ``search_page``; otherwise
    ``sort`` (default newest first), read through Core (``listed_page``).
    """
    q = args.get("q")
    if not q:
        return listed_page(viewer, args, author_id)
    # Search results hold no drafts, whoever asks: the published posts, as for nobody.
    stmt = visible_posts(
        None, author_id=args.get("author_id"), tag=args.get("tag"), liked_by=args.get("liked_by")
    )
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    filters = (args.get("author_id"), args.get("tag"), args.get("liked_by"), author_id)
    return search_page(stmt, q, args, viewer, plain=all(f is None for f in filters))


def search_page(
    stmt: sa.Select, q: str, args: dict[str, Any], viewer: User | None, *, plain: bool = False
) -> Page:
    """One page of the published posts of ``stmt`` that match ``q``, with bounded work.

    Without ``sort``: the ``search.SEARCH_CANDIDATES`` newest matches, best first; ``total``
    is how many of them there are (every match up to the cap, the cap past it), so paging
    by offset ends at the cap. With ``sort``: every match in that order (``sorted_search``).
    ``plain``: ``stmt`` is every published post (no author, tag or like filter), so a walk
    of the word table needs nothing from ``posts`` (``search.walked_ids``).
    """
    dialect = _dialect()
    known = None
    walked = False
    if dialect == "postgresql":
        # The query's text a constant, not a CASE: the planner then reads the words'
        # frequencies and walks the primary key backwards for a common one (GIN cannot
        # give the newest first), or uses GIN for a rare one. One statement more, which
        # also estimates the words' share: common words are walked in the narrow word
        # table (search.walking), not in posts, whose vectors are large.
        known, share = db.session.execute(
            sa.select(search.last_word_known(q, dialect), search.pg_share(q))
        ).one()
        known = bool(known)
        walked = known and (share or 0) >= search.WALK_MIN_SHARE
    matches = search.matching(stmt, q, dialect, known)
    # What is counted and read newest first: the matches, or the same posts walked.
    counted = search.walking(stmt, q) if walked else matches
    ids = search.walked_ids(q) if walked and plain else None
    if args.get("sort") is None:
        found = search.candidates(counted if ids is None else ids, dialect, known, walked=walked)
        total: Any = sa.select(sa.func.count()).select_from(found)
        if dialect == "postgresql":
            # Read once, for the count and the page (as a CTE, each statement read them).
            read = db.session.scalars(sa.select(found.c.id)).all()
            found, total = search.listed(read), len(read)
        ranked, ranking = search.ranked(q, dialect, found, known)
        return page_of_posts(ranked, args, viewer, ranking=ranking, total=total)
    return sorted_search(stmt, matches, q, args, viewer, known, counted, walked, ids)


def sorted_search(
    stmt: sa.Select,
    matches: sa.Select,
    q: str,
    args: dict[str, Any],
    viewer: User | None,
    known: bool | None,
    counted: sa.Select | None = None,
    walked: bool = False,
    walked_ids: sa.Select | None = None,
) -> Page:
    """A search in ``args["sort"]`` order: every match, paged by cursor or offset.

    ``total`` counts the matches up to ``search.SEARCH_CANDIDATES`` past this page
    (``search_total``). When that count ran out before its bound, the matches from here
    on are all read from the search index and sorted (``search.every_match``). With more,
    ordered by time, SQLite reads the posts newest (or oldest) first along the time index
    and probes each in the search index, stopping at the page (``search.probing``);
    otherwise the database's planner chooses (PostgreSQL walks the time index and tests
    each post's vector). ``counted``: ``matches`` or the same posts as walked
    (``search.walking``, ``walked``), for the count and the read of every match; the
    first page's count reads ``walked_ids`` instead when given (no cursor to apply).
    """
    dialect = _dialect()
    counted = matches if counted is None else counted
    first = walked_ids if walked_ids is not None and not args.get("after") else None
    count = search_total(counted, q, args, dialect, known, walked, first)
    known = count.known if known is None else known
    if count.exact:
        remaining = counted
        if count.position is not None:
            remaining = count.keyset.after(counted, *count.position)
        matches = search.every_match(
            remaining, dialect, known, count.bound, newest=count.newest, walked=walked
        )
    elif dialect == "sqlite" and known and args["sort"].lstrip("-") == "created_at":
        matches = search.probing(stmt, q, known)
    return page_of_posts(matches, args, viewer, total=count.total)


@dataclass(frozen=True)
class SearchCount:
    """What ``search_total`` found: the answer's total, whether it is exact (every match
    from ``position`` on counted, at most ``bound`` of them, read ``newest`` first), and
    whether the last word is a whole word."""

    total: int
    exact: bool
    known: bool
    bound: int
    newest: bool
    keyset: Keyset
    position: tuple[Any, int] | None


def search_total(
    matches: sa.Select,
    q: str,
    args: dict[str, Any],
    dialect: str,
    known: bool | None,
    walked: bool = False,
    ids: sa.Select | None = None,
) -> SearchCount:
    """Count a sorted search's matches, and read whether ``q``'s last word is a whole word
    (``search.last_word_known``), in one statement.

    ``total`` is exact when at most ``search.SEARCH_CANDIDATES`` matches follow this page;
    otherwise it is this page's offset + limit + the cap (a lower bound, so the ``next``
    link is there whenever there is a next page). Counted in index order up to that bound,
    from the cursor's position when there is one (the rows before it are its offset).
    ``ids``: the matches' ids as a statement of their own (``search.walked_ids``)."""
    keyset = Keyset(Post, args["sort"])
    if ids is None:
        ids = matches.with_only_columns(Post.id, maintain_column_froms=True)
    offset, position = args["offset"], None
    bound = args["limit"] + search.SEARCH_CANDIDATES
    newest = True
    if args.get("after"):
        offset, value, item_id = keyset.decode(args["after"])
        position = (value, item_id)
        # Read from the end the remaining rows lie at (roughly: ids follow time).
        newest = not keyset.descending
        ids = keyset.after(ids, value, item_id)
        start = offset
    else:
        bound, start = offset + bound, 0
    order = search.index_order(dialect, newest=newest, known=known, walked=walked)
    rest = ids.order_by(order).limit(bound)
    counted = sa.select(sa.func.count()).select_from(rest.subquery("counted"))
    # Looked up only when not yet known (SQLite; PostgreSQL knows it from search_page).
    whole = search.last_word_known(q, dialect) if known is None else sa.literal(known)
    found, whole = db.session.execute(sa.select(counted.scalar_subquery(), whole)).one()
    found = found or 0
    return SearchCount(start + found, found < bound, bool(whole), bound, newest, keyset, position)


def kept_total_of(
    viewer: User | None, args: dict[str, Any], author_id: int | None
) -> tuple[int | None, str | None, int | None] | None:
    """What ``kept_count`` counts for a list's filters — (author, tag, whose drafts) —
    when the kept counts answer them, else None (``q``, ``liked_by``, or an author and a tag
    together: those count their matches)."""
    if args.get("q") or args.get("liked_by") is not None:
        return None
    authors = {a for a in (author_id, args.get("author_id")) if a is not None}
    tag = args.get("tag")
    if len(authors) > 1 or (authors and tag is not None):
        return None
    author = next(iter(authors), None)
    with_drafts = viewer is not None and author in (None, viewer.id)
    return author, tag, viewer.id if with_drafts else None  # type: ignore[union-attr]


def comment_list(post: Post, args: dict[str, Any]) -> Page:
    """One page of ``post``'s comments, oldest first unless ``sort`` says otherwise."""
    stmt = sa.select(Comment).where(Comment.post_id == post.id)
    return paginate(
        stmt,
        limit=args["limit"],
        offset=args["offset"],
        options=(joinedload(Comment.author),),
        sort=(Comment, args["sort"]),
        after=args.get("after"),
    )


# A post's newest comments with their authors' public columns, in one statement built once
# and read below Core (``_read``): the ORM would make a Comment and a User per row for the
# answer to read a few attributes back (RealWorld's comment list, issue #15).
_NEWEST_COMMENTS = (
    sa.select(
        Comment.id,
        Comment.created_at,
        Comment.updated_at,
        Comment.content,
        Comment.user_id,
        User.username,
        User.bio,
        User.image,
    )
    .join(User, User.id == Comment.user_id)
    .where(Comment.post_id == sa.bindparam("post_id", type_=sa.Integer))
    .order_by(Comment.created_at.desc(), Comment.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def newest_comments(post_id: int, limit: int) -> list[tuple[Any, ...]]:
    """``(id, created_at, updated_at, content, user_id, username, bio, image)`` of the post's
    newest ``limit`` comments, newest first."""
    return list(_read(_NEWEST_COMMENTS, {"post_id": post_id, "limit": limit}))


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
    insert = insert_for(db.session.get_bind().dialect.name)
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
    """Published posts of the users ``viewer`` follows, newest first (keyset paging).

    The total is the followed authors' kept counts added up (app.counters): one row per
    author followed, not one per post; read with all authors' sum, which picks the shape
    of the page, as for a tag (``visible_posts``):
    - following authors of 1/COMMON_TAG_SHARE of the posts or more: the posts are read
      newest first from the time index (from the cursor on, for a later page) and each is
      probed in ``follows`` by primary key, so a page stops after about limit ×
      COMMON_TAG_SHARE probes at most. Read per author instead, every page seeks once in
      each followed author's index range and sorts what it finds: 1,000 seeks a page,
      each one deeper as the table grows (SQLite 1M ÷ 1k: 2.0 for the last page);
    - following fewer: per author, a few posts each.
    """
    followed = sa.select(Follow.followed_id).where(Follow.follower_id == viewer.id)
    theirs = sa.select(sa.func.sum(User.published_posts)).where(User.id.in_(followed))
    everyone = sa.select(sa.func.sum(User.published_posts))
    total, everything = db.session.execute(
        sa.select(theirs.scalar_subquery(), everyone.scalar_subquery())
    ).one()
    total = total or 0
    stmt = sa.select(Post).where(Post.published.is_(True))
    if total * COMMON_TAG_SHARE >= (everything or 0):
        follows = Follow.follower_id == viewer.id, Follow.followed_id == Post.user_id
        stmt = stmt.where(sa.exists().where(*follows))
    else:
        stmt = stmt.where(Post.user_id.in_(followed))
    return page_of_posts(stmt, {**args, "sort": "-created_at"}, viewer, total=total)


def newest_published(limit: int, author_id: int | None = None) -> list[Post]:
    """The ``limit`` newest published posts (of one author) with their details in one
    statement: what a feed reader gets (``/feeds``). Drafts never, whoever asks."""
    stmt = sa.select(Post).where(Post.published.is_(True))
    if author_id is not None:
        stmt = stmt.where(Post.user_id == author_id)
    stmt = (
        stmt.order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
        .options(*post_details(None))
    )
    return list(db.session.scalars(stmt, detail_params(None)))


# --- tags ---------------------------------------------------------------------------------


def _tag_counts() -> sa.Select:
    # Each tag's published posts, as the database keeps them (app.counters): a read of the
    # tags table, however many posts there are.
    return sa.select(Tag.name, Tag.published_posts).where(Tag.published_posts > 0)


def popular_tags(limit: int, offset: int = 0) -> Page:
    """Tags on published posts, most used first, then by name; ``items`` are (name, count)."""
    stmt = _tag_counts()
    total = db.session.scalar(stmt.with_only_columns(sa.func.count())) or 0
    rows = db.session.execute(
        stmt.order_by(Tag.published_posts.desc(), Tag.name).limit(limit).offset(offset)
    ).all()
    return Page([{"name": name, "count": n} for name, n in rows], total, offset, limit)


def popular_tag_names(limit: int) -> list[str]:
    """The names of ``popular_tags``' first page, without its total (one statement)."""
    stmt = _tag_counts().order_by(Tag.published_posts.desc(), Tag.name).limit(limit)
    return [name for name, _count in db.session.execute(stmt)]


def following_among(viewer: User | None, user_ids: set[int]) -> set[int]:
    """Which of ``user_ids`` the viewer follows (one statement for a whole page)."""
    if viewer is None or not user_ids:
        return set()
    stmt = sa.select(Follow.followed_id).where(
        Follow.follower_id == viewer.id, Follow.followed_id.in_(user_ids)
    )
    return set(db.session.scalars(stmt))


# --- the post list, read through Core -----------------------------------------------------
#
# ``page_of_posts`` builds a page's statements anew for each request (visibility, filters,
# the ids-first subquery, loader options, the count), SQLAlchemy then computes their cache
# keys, and the ORM makes a Post and a User per row, with instance state in the session's
# identity map, for the schema to read a dozen attributes back: most of the list's time in
# the app (issue #15). ``listed_page`` runs the same SQL — made by the same functions
# (``narrowed_posts``, ``kept_count``, ``order_by``, ``Keyset``, ``page_ids``,
# ``detail_columns``) — built once per shape of request with every value a bound
# parameter, and each row becomes a ``ListedPost``: what the list schema dumps, no more.
# tests/v2/test_listed_page.py builds the same pages both ways and compares the answers.


class ListedAuthor:
    """A listed post's author (``AuthorSchema``); not a tuple, which dumps read by key."""

    __slots__ = ("id", "username")

    def __init__(self, author_id: int, username: str) -> None:
        self.id = author_id
        self.username = username


class ListedPost:
    """A post as lists answer it (``BlogPostListItemSchema``), from one row of ``listed_page``."""

    __slots__ = (
        "id",
        "title",
        "content",
        "published",
        "user_id",
        "created_at",
        "updated_at",
        "slug",
        "summary",
        "author",
        "tags",
        "likes_count",
        "comments_count",
        "liked",
    )

    def __init__(self, row: Any) -> None:
        (
            self.id,
            self.title,
            self.content,
            self.published,
            self.user_id,
            self.created_at,
            self.updated_at,
            self.slug,
            self.summary,
            author_id,
            username,
            tag_names,
            self.likes_count,
            self.comments_count,
            self.liked,
        ) = row
        self.author = None if author_id is None else ListedAuthor(author_id, username)
        self.tags = tag_list(tag_names)


_POSTS = Post.__table__
_USERS = User.__table__
_LISTED_COLUMNS = (
    *(_POSTS.c[name] for name in ListedPost.__slots__[:9]),
    _USERS.c.id,
    _USERS.c.username,
)


@dataclass(frozen=True)
class ListShape:
    """What decides the SQL of a list page (the values are bound parameters)."""

    signed_in: bool
    sort: str
    author: bool  # ?author_id=
    route_author: bool  # /users/<id>/posts
    tag: TagShape | None  # tag_id True: the tag exists
    liked_by: bool
    cursor: bool
    total: tuple[bool, bool, bool] | None  # kept counts: (author, tag, drafts); None: count


@dataclass(frozen=True)
class ListStatements:
    page: sa.Select
    total: sa.Select
    keyset: Keyset | None


@cache
def list_statements(shape: ListShape) -> ListStatements:
    """The count and page statements of one ``ListShape``, built once (as ``post_list``
    and ``paginate`` build them per request through the ORM, ids first)."""
    bind = sa.bindparam
    tagged = shape.tag
    if tagged is not None and tagged.tag_id:  # the id is given at execution: ``tag_id``
        literal = bind("tag_id", type_=sa.Integer, literal_execute=True)
        tagged = TagShape(literal, tagged.common)
    elif tagged is not None:
        tagged = TagShape(None, tagged.common)
    stmt = narrowed_posts(
        bind("viewer_id", type_=sa.Integer) if shape.signed_in else None,
        author_id=bind("author_id", type_=sa.Integer) if shape.author else None,
        tagged=tagged,
        liked_by=bind("liked_by", type_=sa.Integer) if shape.liked_by else None,
    )
    if shape.route_author:
        stmt = stmt.where(Post.user_id == bind("route_author_id", type_=sa.Integer))
    if shape.total is None:
        total = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True)
    else:
        author, tag, drafts = shape.total
        total = kept_count(
            bind("drafts_of", type_=sa.Integer) if drafts else None,
            author_id=bind("total_author", type_=sa.Integer) if author else None,
            tag=bind("total_tag", type_=sa.String) if tag else None,
        )
    stmt = stmt.order_by(*order_by(Post, shape.sort))
    keyset = None
    if not getattr(Post, shape.sort.lstrip("-")).nullable:
        keyset = Keyset(Post, shape.sort)
    page = stmt.limit(bind("limit", type_=sa.Integer))
    if keyset is not None and shape.cursor:
        value = bind("after_value", type_=keyset.column.type)
        page = keyset.after(page, value, bind("after_id", type_=sa.Integer))
    else:
        page = page.offset(bind("offset", type_=sa.Integer))
    ids, order = page_ids(page, Post)
    rows = (
        sa.select(*_LISTED_COLUMNS, *detail_columns(shape.signed_in))
        .select_from(
            _POSTS.join(ids, ids.c.page_id == _POSTS.c.id).outerjoin(
                _USERS, _USERS.c.id == _POSTS.c.user_id
            )
        )
        .order_by(*order)
    )
    return ListStatements(rows, total, keyset)


def listed_page(viewer: User | None, args: dict[str, Any], author_id: int | None = None) -> Page:
    """``post_list`` without ``q``: the same page, read through Core (2 statements, 3 with
    ``tag``: the tag's lookup, the count, the page)."""
    tag = args.get("tag")
    tagged = None if tag is None else tag_shape(tag)
    kept = kept_total_of(viewer, args, author_id)
    sort = args.get("sort") or DEFAULT_POST_SORT
    after = args.get("after")
    shape = ListShape(
        signed_in=viewer is not None,
        sort=sort,
        author=args.get("author_id") is not None,
        route_author=author_id is not None,
        tag=None if tagged is None else TagShape(tagged.tag_id is not None, tagged.common),
        liked_by=args.get("liked_by") is not None,
        cursor=bool(after),
        total=None if kept is None else tuple(v is not None for v in kept),  # type: ignore[arg-type]
    )
    statements = list_statements(shape)
    limit, offset = args["limit"], args["offset"]
    params: dict[str, Any] = {
        "viewer_id": None if viewer is None else viewer.id,
        "author_id": args.get("author_id"),
        "route_author_id": author_id,
        "liked_by": args.get("liked_by"),
        "tag_id": None if tagged is None else tagged.tag_id,
        "limit": limit,
        "offset": offset,
    }
    if kept is not None:
        params["total_author"], params["total_tag"], params["drafts_of"] = kept
    keyset = statements.keyset
    if keyset is not None and after:
        offset, params["after_value"], params["after_id"] = keyset.decode(after)
    total = _read(statements.total, params)[0][0] or 0
    items = [ListedPost(row) for row in _read(statements.page, params)]
    next_after = None
    if keyset is not None and len(items) == limit:
        next_after = keyset.cursor(items[-1], offset + limit)
    return Page(items, total, offset, limit, next_after)


def _read(stmt: sa.Select, params: dict[str, Any]) -> Any:
    """``stmt``'s rows: below Core (``readconn.rows_below_core``: its own connection, outside
    the session, as the auth read), else on the session's connection (not through the
    session: plain columns leave the ORM's result layer nothing to do; a GET has nothing
    to flush). Each statement of a list sees the latest commit either way (READ COMMITTED
    on PostgreSQL; pysqlite begins no transaction for a SELECT)."""
    rows = rows_below_core(db.engine, stmt, params)
    if rows is None:
        rows = db.session.connection().execute(stmt, params).all()
    return rows
