"""v2 comments: a post's paged comments, and each comment's own address."""

from flask import Blueprint, g

from ... import limits
from ...extensions import db
from ...models import Comment
from ...permissions import (
    deletable_comment_or_403,
    editable_comment_or_403,
    visible_comment_or_404,
    visible_post_or_404,
)
from ...queries import comment_list
from ...schemas import comment_body_schema, comment_list_args_schema, comment_schema
from .face import api

bp = Blueprint("comments", __name__)


@bp.get("/posts/<id:post_id>/comments")
@api.auth(optional=True)
@api.query(comment_list_args_schema)
@api.response(comment_schema, page=True)
def list_comments(args, post_id):
    """List a post's comments, oldest first (``sort=-created_at`` for newest first)."""
    return comment_list(visible_post_or_404(post_id, g.current_user), args)


@bp.post("/posts/<id:post_id>/comments")
@api.auth()
@limits.posts
@api.body(comment_body_schema)
@api.response(comment_schema, 201, location=("v2.comments.get_comment", "comment_id"))
def create_comment(data, post_id):
    """Comment on a post (Markdown)."""
    post = visible_post_or_404(post_id, g.current_user)
    comment = Comment(post_id=post.id, author=g.current_user, content=data["content"])
    db.session.add(comment)
    db.session.commit()
    return comment


@bp.get("/comments/<id:comment_id>")
@api.auth(optional=True)
@api.response(comment_schema)
def get_comment(comment_id):
    """Show one comment."""
    return visible_comment_or_404(comment_id, g.current_user)


@bp.patch("/comments/<id:comment_id>")
@api.auth()
@api.body(comment_body_schema)
@api.response(comment_schema)
@api.other_responses(403)
def update_comment(data, comment_id):
    """Change the text of the caller's own comment."""
    comment = editable_comment_or_403(comment_id, g.current_user)
    comment.content = data["content"]
    db.session.commit()
    return comment


@bp.delete("/comments/<id:comment_id>")
@api.auth()
@api.response(None, 204)
@api.other_responses(403)
def delete_comment(comment_id):
    """Delete a comment (its author, the post's author or an admin)."""
    db.session.delete(deletable_comment_or_403(comment_id, g.current_user))
    db.session.commit()
