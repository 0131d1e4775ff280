"""v2 posts: paged lists with counts, drafts, slugs, tags, likes, full and partial updates."""

from flask import Blueprint, g, url_for

from ... import limits, posts
from ...errors import NotFound
from ...extensions import db
from ...models import Post
from ...permissions import editable_post_or_403, visible_post_or_404
from ...queries import feed, popular_tags, post_for, post_list
from ...schemas import (
    blog_post_create_schema,
    blog_post_list_schema,
    blog_post_replace_schema,
    blog_post_schema,
    blog_post_update_schema,
    feed_args_schema,
    page_args_schema,
    post_list_args_schema,
    tag_count_schema,
)
from .face import api, moved_permanently

bp = Blueprint("posts", __name__)


def _visible(post_id):
    """The post as GET answers it to the caller (counts and ``liked`` included): its ETag."""
    return post_for(g.current_user, post_id)


def _edit(post_id, data):
    """Apply an edit and answer the post without reading it again after the commit: its
    details (author, tags, counts) are loaded before, and an edit changes no count."""
    post = post_for(g.current_user, post_id)
    editable_post_or_403(post.id, g.current_user, "You can only edit your own posts")
    posts.update_post(post, data)
    return post


@bp.get("/posts")
@api.auth(optional=True)
@api.query(post_list_args_schema)
@api.response(blog_post_list_schema, page=True)
def list_posts(args):
    """List published posts (and the caller's own drafts), a page at a time, with authors."""
    return post_list(g.current_user, args)


@bp.get("/feed")
@api.auth()
@api.query(feed_args_schema)
@api.response(blog_post_list_schema, page=True)
def get_feed(args):
    """List the published posts of the people the caller follows, newest first."""
    return feed(g.current_user, args)


@bp.get("/tags")
@api.query(page_args_schema)
@api.response(tag_count_schema, page=True)
def list_tags(args):
    """List the tags of published posts with their counts, most used first, then by name."""
    return popular_tags(args["limit"], args["offset"])


@bp.get("/posts/<id:post_id>")
@api.auth(optional=True)
@api.response(blog_post_schema, etag=True)
def get_post(post_id):
    """Show one post (a draft only to its author and admins)."""
    return post_for(g.current_user, post_id)


@bp.get("/posts/by-slug/<slug>")
@api.auth(optional=True)
@api.response(blog_post_schema, etag=True)
@api.other_responses(301)
def get_post_by_slug(slug):
    """Show the post at ``slug``; an older slug of it answers 301 to the current one."""
    post_id = posts.post_id_for_slug(slug)
    if post_id is None:
        raise NotFound("Post not found")
    post = post_for(g.current_user, post_id)
    if post.slug != slug:
        return moved_permanently(url_for(".get_post_by_slug", slug=post.slug, _external=True))
    return post


@bp.post("/posts")
@api.auth()
@limits.posts
@api.idempotent()
@api.body(blog_post_create_schema)
@api.response(blog_post_schema, 201, location=("v2.posts.get_post", "post_id"))
def create_post(data):
    """Create a post owned by the caller, with a slug made from its title."""
    return posts.create_post(g.current_user, data)  # answered from memory: no read after commit


@bp.put("/posts/<id:post_id>")
@api.auth()
@limits.posts
@api.if_match(Post, "post_id", _visible, blog_post_schema)
@api.body(blog_post_replace_schema)
@api.response(blog_post_schema, etag=True)
@api.other_responses(403, 409)
def replace_post(data, post_id):
    """Replace a post: title and content required, the rest take defaults; slug kept."""
    return _edit(post_id, data)


@bp.patch("/posts/<id:post_id>")
@api.auth()
@limits.posts
@api.if_match(Post, "post_id", _visible, blog_post_schema)
@api.body(blog_post_update_schema)
@api.response(blog_post_schema, etag=True)
@api.other_responses(403, 409)
def update_post(data, post_id):
    """Change only the fields given (``slug`` too; an old slug keeps redirecting)."""
    return _edit(post_id, data)


@bp.delete("/posts/<id:post_id>")
@api.auth()
@limits.posts
@api.if_match(Post, "post_id", _visible, blog_post_schema)
@api.response(None, 204)
@api.other_responses(403)
def delete_post(post_id):
    """Delete a post with its comments, likes, tags and slugs (its author or an admin)."""
    post = editable_post_or_403(post_id, g.current_user, "You can only delete your own posts")
    db.session.delete(post)
    db.session.commit()


@bp.put("/posts/<id:post_id>/like")
@api.auth()
@api.response(blog_post_schema)
def like_post(post_id):
    """Like a post (again is fine)."""
    posts.like(g.current_user, visible_post_or_404(post_id, g.current_user).id)
    return post_for(g.current_user, post_id)


@bp.delete("/posts/<id:post_id>/like")
@api.auth()
@api.response(blog_post_schema)
def unlike_post(post_id):
    """Take a like back (no like is fine)."""
    posts.unlike(g.current_user, visible_post_or_404(post_id, g.current_user).id)
    return post_for(g.current_user, post_id)
