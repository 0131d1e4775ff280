"""Looking up rows by path id and deciding who may see or change them."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.orm import joinedload

from .errors import Forbidden, NotFound
from .extensions import db
from .models import ID_MAX, Comment, Post, Todo, User

M = TypeVar("M")


def get_or_404(model: type[M], ident: int, message: str, **options: Any) -> M:
    """Return the row with primary key ``ident``; ids outside 1..2^31-1 are simply not found."""
    obj = db.session.get(model, ident, **options) if 1 <= ident <= ID_MAX else None
    if obj is None:
        raise NotFound(message)
    return obj


def ensure_admin(user: User) -> None:
    """Refuse (403) anyone but an admin."""
    if not user.is_admin:
        raise Forbidden("Admin privileges required")


def can_moderate(user: User | None, owner_id: int) -> bool:
    """True when ``user`` owns the row or is an admin."""
    return user is not None and (user.id == owner_id or user.is_admin)


def visible_post_or_404(post_id: int, viewer: User | None) -> Post:
    """Return a post the viewer may see: drafts are 404 for all but their author and admins."""
    # The author now: a post is dumped with its author after the view commits, and nothing
    # may be read from the database then (see app.extensions).
    post = get_or_404(Post, post_id, "Post not found", options=[joinedload(Post.author)])
    if not post.published and not can_moderate(viewer, post.user_id):
        raise NotFound("Post not found")
    return post


def editable_post_or_403(post_id: int, user: User, message: str) -> Post:
    """Return a post ``user`` may change; someone else's post is 403 (``message``)."""
    post = visible_post_or_404(post_id, user)
    if not can_moderate(user, post.user_id):
        raise Forbidden(message)
    return post


def own_todo_or_404(todo_id: int, user: User) -> Todo:
    """Return the caller's todo; another user's todo is 404 — todos are private."""
    todo = get_or_404(Todo, todo_id, "Todo not found")
    if todo.user_id != user.id:
        raise NotFound("Todo not found")
    return todo


def visible_comment_or_404(comment_id: int, viewer: User | None) -> Comment:
    """Return a comment on a post the viewer may see; a draft's comments are 404 to others."""
    comment = get_or_404(Comment, comment_id, "Comment not found")
    post = comment.post
    if not post.published and not can_moderate(viewer, post.user_id):
        raise NotFound("Comment not found")
    return comment


def editable_comment_or_403(comment_id: int, user: User) -> Comment:
    """Return the caller's own comment; anyone else's is 403."""
    comment = visible_comment_or_404(comment_id, user)
    if comment.user_id != user.id:
        raise Forbidden("You can only edit your own comments")
    return comment


def deletable_comment_or_403(comment_id: int, user: User) -> Comment:
    """Return a comment ``user`` may delete: their own, one on their post, or any (admins)."""
    comment = visible_comment_or_404(comment_id, user)
    if not (comment.user_id == user.id or can_moderate(user, comment.post.user_id)):
        raise Forbidden("You can only delete your own comments or comments on your posts")
    return comment
