"""v1 posts: public reading, owner-only writing."""

import sqlalchemy as sa
from flask import Blueprint, g, jsonify
from sqlalchemy.orm import joinedload

from ...auth import auth_optional, login_required
from ...body import json_object, load, require_fields
from ...extensions import db
from ...models import Post
from ...pagination import query_args
from ...permissions import editable_post_or_403, visible_post_or_404
from ...schemas import (
    post_schema,
    post_update_schema,
    posts_schema,
    v1_post_list_args_schema,
)

bp = Blueprint("posts", __name__)


@bp.get("/posts")
def list_posts():
    """List published posts, optionally one user's (``?user_id=``)."""
    args = query_args(v1_post_list_args_schema)
    stmt = sa.select(Post).where(Post.published.is_(True)).options(joinedload(Post.author))
    if "user_id" in args:
        stmt = stmt.where(Post.user_id == args["user_id"])
    posts = db.session.scalars(stmt.order_by(Post.id)).all()
    return jsonify({"posts": posts_schema.dump(posts)})


@bp.get("/posts/<id:post_id>")
@auth_optional
def get_post(post_id):
    """Show one post (a draft only to its author and admins)."""
    return jsonify(post_schema.dump(visible_post_or_404(post_id, g.current_user)))


@bp.post("/posts")
@login_required
def create_post():
    """Publish a post owned by the caller."""
    data = json_object()
    require_fields(data, ("title", "content"), "Missing title or content")
    fields = load(post_update_schema, data)
    post = Post(title=fields["title"], content=fields["content"], author=g.current_user)
    db.session.add(post)
    db.session.commit()
    return jsonify(post_schema.dump(post)), 201


@bp.put("/posts/<id:post_id>")
@login_required
def update_post(post_id):
    """Change the title and/or content of the caller's post."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(load(post_update_schema))
    db.session.commit()
    return jsonify(post_schema.dump(post))


@bp.delete("/posts/<id:post_id>")
@login_required
def delete_post(post_id):
    """Delete the caller's post."""
    post = editable_post_or_403(post_id, g.current_user, "You can only delete your own posts")
    db.session.delete(post)
    db.session.commit()
    return jsonify({"message": "Post deleted"})
