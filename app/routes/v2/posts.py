"""v2 posts: paged lists with author embedded, drafts, search, full and partial updates."""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify
from sqlalchemy.orm import joinedload

from ...auth import auth_optional, login_required
from ...body import load
from ...extensions import db
from ...models import Post
from ...pagination import paginate, query_args
from ...permissions import editable_post_or_403, visible_post_or_404
from ...responses import created, no_content
from ...schemas import (
    post_create_schema,
    post_list_args_schema,
    post_schema,
    post_update_schema,
    posts_schema,
)

bp = Blueprint("posts", __name__)


def search(args, viewer=None):
    """Build the SELECT for a post list from ``author_id`` and ``q``.

    Published posts, plus the viewer's own drafts; search results (``q``) never hold a
    draft, and nobody else's draft is ever listed (admins open them by id).
    """
    stmt = sa.select(Post)
    if viewer is None or args.get("q"):
        stmt = stmt.where(Post.published.is_(True))
    else:
        stmt = stmt.where(sa.or_(Post.published.is_(True), Post.user_id == viewer.id))
    if "author_id" in args:
        stmt = stmt.where(Post.user_id == args["author_id"])
    if args.get("q"):
        pattern = (
            "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        stmt = stmt.where(
            sa.or_(Post.title.ilike(pattern, escape="\\"), Post.content.ilike(pattern, escape="\\"))
        )
    return stmt


def page_of_posts(stmt, args):
    """Answer one page of ``stmt`` in ``args["sort"]`` order, authors embedded (2 statements)."""
    return paginate(
        stmt,
        posts_schema,
        limit=args["limit"],
        offset=args["offset"],
        options=(joinedload(Post.author),),
        sort=(Post, args["sort"]),
        after=args.get("after"),
    )


@bp.get("/posts")
@auth_optional
def list_posts():
    """List published posts (and the caller's own drafts), a page at a time, with authors."""
    args = query_args(post_list_args_schema)
    return page_of_posts(search(args, g.current_user), args)


@bp.get("/posts/<id:post_id>")
@auth_optional
def get_post(post_id):
    """Show one post (a draft only to its author and admins)."""
    return jsonify(post_schema.dump(visible_post_or_404(post_id, g.current_user)))


@bp.post("/posts")
@login_required
def create_post():
    """Create a post owned by the caller (``published`` defaults to true)."""
    post = Post(**load(post_create_schema), author=g.current_user)
    db.session.add(post)
    db.session.commit()
    return created(post_schema.dump(post), "v2.posts.get_post", post_id=post.id)


@bp.put("/posts/<id:post_id>")
@login_required
def replace_post(post_id):
    """Replace a post: title and content required, ``published`` defaults to true."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(load(post_create_schema))
    db.session.commit()
    return jsonify(post_schema.dump(post))


@bp.patch("/posts/<id:post_id>")
@login_required
def update_post(post_id):
    """Change only the fields given."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(load(post_update_schema))
    db.session.commit()
    return jsonify(post_schema.dump(post))


@bp.delete("/posts/<id:post_id>")
@login_required
def delete_post(post_id):
    """Delete a post (its author or an admin)."""
    post = editable_post_or_403(post_id, g.current_user, "You can only delete your own posts")
    db.session.delete(post)
    db.session.commit()
    return no_content()
