"""RealWorld articles (the blog's posts), favorites (likes), comments and tags."""

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, g

from ... import limits, posts, queries
from ...errors import NotFound
from ...extensions import db
from ...models import ID_MAX, Comment, Post, User, username_key
from ...permissions import deletable_comment_or_403, editable_post_or_403
from .face import api
from .schemas import (
    article_list_args,
    article_response,
    articles_response,
    comment_response,
    comments_response,
    new_article_request,
    new_comment_request,
    tags_response,
    update_article_request,
)

bp = Blueprint("articles", __name__)

LIST_MAX = 100  # a larger ``limit`` reads as this many
COMMENTS_MAX = 500  # RealWorld lists every comment: the newest this many
TAGS_MAX = 100


# --- shapes -------------------------------------------------------------------------------


def _profile(user: User, following: set[int]) -> dict[str, Any]:
    return _profile_of(user.username, user.bio, user.image, user.id in following)


def _profile_of(
    username: str, bio: str | None, image: str | None, following: bool
) -> dict[str, Any]:
    return {"username": username, "bio": bio, "image": image, "following": following}


def _article(post: Post, following: set[int], *, body: bool = True) -> dict[str, Any]:
    article = {
        "slug": post.slug,
        "title": post.title,
        "description": post.summary or "",
        "tagList": post.tags,
        "createdAt": post.created_at,
        "updatedAt": post.updated_at,
        "favorited": bool(post.liked),
        "favoritesCount": post.likes_count or 0,
        "author": _profile(post.author, following),
    }
    if body:
        article["body"] = post.content
    return article


def _one(post: Post) -> dict[str, Any]:
    following = queries.following_among(g.current_user, {post.user_id})
    return {"article": _article(post, following)}


def _many(page: Any) -> dict[str, Any]:
    following = queries.following_among(g.current_user, {p.user_id for p in page.items})
    return {
        "articles": [_article(p, following, body=False) for p in page.items],
        "articlesCount": page.total,
    }


def _comment(comment: Comment, following: set[int]) -> dict[str, Any]:
    author = _profile(comment.author, following)
    return _comment_of(comment.id, comment.created_at, comment.updated_at, comment.content, author)


def _comment_of(
    id_: int, created: Any, updated: Any, body: str, author: dict[str, Any]
) -> dict[str, Any]:
    return {"id": id_, "createdAt": created, "updatedAt": updated, "body": body, "author": author}


# --- lookups ------------------------------------------------------------------------------


def _may_see(viewer: User | None, published: bool, author_id: int) -> bool:
    """Drafts do not exist on this face: a draft is 404 to everyone but its author."""
    return published or (viewer is not None and viewer.id == author_id)


def article_id_or_404(slug: str) -> int:
    """The id of the article at ``slug`` (a current or an older one), if the caller may see
    it: one small read, for the routes that do not answer with the article."""
    found = posts.post_seen_at_slug(slug)
    if found is None or not _may_see(g.current_user, found.published, found.user_id):
        raise NotFound("Article not found")
    return found.id


def article_or_404(slug: str) -> Post:
    """The article at ``slug`` as the caller sees it (``article_id_or_404``'s rule)."""
    viewer = g.current_user
    try:
        post = queries.post_for(viewer, article_id_or_404(slug))
    except NotFound:  # deleted since the first read
        post = None
    if post is None or not _may_see(viewer, post.published, post.user_id):
        raise NotFound("Article not found")
    return post


def _user_id(username: str) -> int | None:
    return db.session.scalar(sa.select(User.id).where(User.username_key == username_key(username)))


def _page(stmt: sa.Select, args: dict[str, Any]) -> Any:
    limit = min(args["limit"], LIST_MAX)
    paging = {"limit": limit, "offset": args["offset"], "sort": "-created_at"}
    return queries.page_of_posts(stmt, paging, g.current_user)


# --- articles -----------------------------------------------------------------------------


@bp.get("/articles")
@api.auth(optional=True)
@api.query(article_list_args)
@api.response(articles_response)
def list_articles(args):
    """List published articles, newest first (``tag``, ``author``, ``favorited``)."""
    liked_by = None
    if "favorited" in args:
        liked_by = _user_id(args["favorited"]) or 0
    stmt = queries.visible_posts(
        None, tag=args.get("tag", "").strip().lower() or None, liked_by=liked_by
    )
    if "author" in args:
        stmt = stmt.where(Post.user_id == (_user_id(args["author"]) or 0))
    return _many(_page(stmt, args))


@bp.get("/articles/feed")
@api.auth()
@api.query(article_list_args)
@api.response(articles_response)
def feed(args):
    """List the published articles of the people the caller follows, newest first."""
    limit = min(args["limit"], LIST_MAX)
    return _many(queries.feed(g.current_user, {"limit": limit, "offset": args["offset"]}))


@bp.get("/articles/<slug>")
@api.auth(optional=True)
@api.response(article_response)
def get_article(slug):
    """Show an article by its slug (an older slug of it works too)."""
    return _one(article_or_404(slug))


@bp.post("/articles")
@api.auth()
@limits.posts
@api.body(new_article_request)
@api.response(article_response, 201)
def create_article(data):
    """Write an article; its slug comes from the title."""
    article = data["article"]
    post = posts.create_post(
        g.current_user,
        {
            "title": article["title"],
            "summary": article["description"],
            "content": article["body"],
            "tags": article["tagList"],
            "published": True,
        },
    )
    return _one(queries.post_for(g.current_user, post.id))


@bp.put("/articles/<slug>")
@api.auth()
@limits.posts
@api.body(update_article_request)
@api.response(article_response)
@api.other_responses(403, 404)
def update_article(data, slug):
    """Change an article; a new title gives it a new slug (the old one still leads to it)."""
    post = editable_post_or_403(
        article_id_or_404(slug), g.current_user, "You can only edit your own articles"
    )
    article = data["article"]
    changes = {
        key: article[name]
        for name, key in (
            ("title", "title"),
            ("description", "summary"),
            ("body", "content"),
            ("tagList", "tags"),
        )
        if name in article
    }
    if "title" in changes and posts.slugify(changes["title"]) != posts.slugify(post.title):
        changes["slug"] = posts.free_slug(posts.slugify(changes["title"]))
    posts.update_post(post, changes)
    return _one(queries.post_for(g.current_user, post.id))


@bp.delete("/articles/<slug>")
@api.auth()
@api.response(None, 204)
@api.other_responses(403, 404)
def delete_article(slug):
    """Delete an article with its comments and favorites."""
    post = editable_post_or_403(
        article_id_or_404(slug), g.current_user, "You can only delete your own articles"
    )
    db.session.delete(post)
    db.session.commit()


# --- favorites ----------------------------------------------------------------------------


@bp.post("/articles/<slug>/favorite")
@api.auth()
@api.response(article_response)
@api.other_responses(404)
def favorite(slug):
    """Favorite an article (twice changes nothing)."""
    post_id = article_id_or_404(slug)
    posts.like(g.current_user, post_id)
    return _one(queries.post_for(g.current_user, post_id))


@bp.delete("/articles/<slug>/favorite")
@api.auth()
@api.response(article_response)
@api.other_responses(404)
def unfavorite(slug):
    """Take a favorite back."""
    post_id = article_id_or_404(slug)
    posts.unlike(g.current_user, post_id)
    return _one(queries.post_for(g.current_user, post_id))


# --- comments -----------------------------------------------------------------------------


@bp.get("/articles/<slug>/comments")
@api.auth(optional=True)
@api.response(comments_response)
@api.other_responses(404)
def list_comments(slug):
    """List an article's comments, newest first (the newest 500)."""
    rows = queries.newest_comments(article_id_or_404(slug), COMMENTS_MAX)
    following = queries.following_among(g.current_user, {row[4] for row in rows})
    comments = []
    for id_, created, updated, body, uid, name, bio, image in rows:
        author = _profile_of(name, bio, image, uid in following)
        comments.append(_comment_of(id_, created, updated, body, author))
    return {"comments": comments}


@bp.post("/articles/<slug>/comments")
@api.auth()
@limits.posts
@api.body(new_comment_request)
@api.response(comment_response)
@api.other_responses(404)
def add_comment(data, slug):
    """Comment on an article."""
    post_id = article_id_or_404(slug)
    comment = Comment(post_id=post_id, author=g.current_user, content=data["comment"]["body"])
    db.session.add(comment)
    db.session.commit()
    return {"comment": _comment(comment, set())}


@bp.delete("/articles/<slug>/comments/<id:comment_id>")
@api.auth()
@api.response(None, 204)
@api.other_responses(403, 404)
def delete_comment(slug, comment_id):
    """Delete a comment (its author, the article's author or an admin)."""
    post_id = article_id_or_404(slug)
    found = db.session.get(Comment, comment_id) if 1 <= comment_id <= ID_MAX else None
    if found is None or found.post_id != post_id:
        raise NotFound("Comment not found")
    comment = deletable_comment_or_403(comment_id, g.current_user)
    db.session.delete(comment)
    db.session.commit()


# --- tags ---------------------------------------------------------------------------------


@bp.get("/tags")
@api.response(tags_response)
def list_tags():
    """List the tags of published articles, most used first."""
    return {"tags": queries.popular_tag_names(TAGS_MAX)}
