"""v1 posts: public reading, owner-only writing."""

import sqlalchemy as sa
from flask import Blueprint, g
from sqlalchemy.orm import joinedload

from ... import limits
from ...extensions import db
from ...models import Post
from ...pagination import paginate
from ...permissions import editable_post_or_403, visible_post_or_404
from ...posts import create_post as create_blog_post
from ...schemas import (
    MessageSchema,
    post_create_schema,
    post_schema,
    post_update_schema,
    v1_post_list_args_schema,
)
from .face import api

bp = Blueprint("posts", __name__)


@bp.get("/posts")
@api.query(v1_post_list_args_schema)
@api.response(post_schema, envelope="posts", page=True)
def list_posts(args):
    """List published posts, optionally one user's (``?user_id=``), a page at a time."""
    stmt = sa.select(Post).where(Post.published.is_(True))
    if "user_id" in args:
        stmt = stmt.where(Post.user_id == args["user_id"])
    return paginate(
        stmt.order_by(Post.id),
        limit=args["limit"],
        offset=args["offset"],
        options=(joinedload(Post.author),),
    )


@bp.get("/posts/<id:post_id>")
@api.auth(optional=True)
@api.response(post_schema)
def get_post(post_id):
    """Show one post (a draft only to its author and admins)."""
    return visible_post_or_404(post_id, g.current_user)


@bp.post("/posts")
@api.auth()
@limits.posts
@api.body(post_create_schema, require=("title", "content"), missing="Missing title or content")
@api.response(post_schema, 201)
def create_post(data):
    """Publish a post owned by the caller."""
    return create_blog_post(g.current_user, {"title": data["title"], "content": data["content"]})


@bp.put("/posts/<id:post_id>")
@api.auth()
@limits.posts
@api.body(post_update_schema)
@api.response(post_schema)
@api.other_responses(403)
def update_post(data, post_id):
    """Change the title and/or content of the caller's post."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(data)
    db.session.commit()
    return post


@bp.delete("/posts/<id:post_id>")
@api.auth()
@limits.posts
@api.response(MessageSchema())
@api.other_responses(403)
def delete_post(post_id):
    """Delete the caller's post."""
    post = editable_post_or_403(post_id, g.current_user, "You can only delete your own posts")
    db.session.delete(post)
    db.session.commit()
    return {"message": "Post deleted"}
