"""v2 posts: paged lists with author embedded, drafts, search, full and partial updates."""

from flask import Blueprint, g

from ...extensions import db
from ...models import Post
from ...permissions import editable_post_or_403, visible_post_or_404
from ...queries import post_list
from ...schemas import post_create_schema, post_list_args_schema, post_schema, post_update_schema
from .face import api

bp = Blueprint("posts", __name__)


def _visible(post_id):
    return visible_post_or_404(post_id, g.current_user)


@bp.get("/posts")
@api.auth(optional=True)
@api.query(post_list_args_schema)
@api.response(post_schema, page=True)
def list_posts(args):
    """List published posts (and the caller's own drafts), a page at a time, with authors."""
    return post_list(g.current_user, args)


@bp.get("/posts/<id:post_id>")
@api.auth(optional=True)
@api.response(post_schema, etag=True)
def get_post(post_id):
    """Show one post (a draft only to its author and admins)."""
    return visible_post_or_404(post_id, g.current_user)


@bp.post("/posts")
@api.auth()
@api.idempotent()
@api.body(post_create_schema)
@api.response(post_schema, 201, location=("v2.posts.get_post", "post_id"))
def create_post(data):
    """Create a post owned by the caller (``published`` defaults to true)."""
    post = Post(**data, author=g.current_user)
    db.session.add(post)
    db.session.commit()
    return post


@bp.put("/posts/<id:post_id>")
@api.auth()
@api.if_match(Post, "post_id", _visible, post_schema)
@api.body(post_create_schema)
@api.response(post_schema, etag=True)
@api.other_responses(403)
def replace_post(data, post_id):
    """Replace a post: title and content required, ``published`` defaults to true."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(data)
    db.session.commit()
    return post


@bp.patch("/posts/<id:post_id>")
@api.auth()
@api.if_match(Post, "post_id", _visible, post_schema)
@api.body(post_update_schema)
@api.response(post_schema, etag=True)
@api.other_responses(403)
def update_post(data, post_id):
    """Change only the fields given."""
    post = editable_post_or_403(post_id, g.current_user, "You can only edit your own posts")
    post.update(data)
    db.session.commit()
    return post


@bp.delete("/posts/<id:post_id>")
@api.auth()
@api.if_match(Post, "post_id", _visible, post_schema)
@api.response(None, 204)
@api.other_responses(403)
def delete_post(post_id):
    """Delete a post (its author or an admin)."""
    post = editable_post_or_403(post_id, g.current_user, "You can only delete your own posts")
    db.session.delete(post)
    db.session.commit()
