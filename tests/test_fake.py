"""``flask fake``: the rows it writes are the rows the API would write (slug history, tags,
rendered Markdown, search index), its counts are exact, its password logs in, and running it
again adds more after what is there."""

import sqlalchemy as sa

from app.extensions import db
from app.fake import FAKE_PASSWORD
from app.markdown import render
from app.models import Comment, Follow, Like, Post, PostSlug, User, post_tags

from .helpers import V2, count_rows
from .v2.test_search import assert_index_in_step

SMALL = ["--users", "6", "--posts", "40", "--comments", "15", "--likes", "20", "--follows", "8"]
MODELS = (User, Post, PostSlug, Comment, Like, Follow)


def counts(app):
    return tuple(count_rows(app, model) for model in MODELS)


def fake(runner, *args):
    result = runner.invoke(args=["fake", *args])
    assert result.exit_code == 0, result.output
    return result


def test_fake_writes_exactly_what_it_is_asked_for_and_prints_the_password(app, runner):
    result = fake(runner, *SMALL, "--seed", "1")
    assert counts(app) == (6, 40, 40, 15, 20, 8)
    assert FAKE_PASSWORD in result.output
    assert "Added 6 users, 40 posts, 15 comments, 20 likes and 8 follows" in result.output


def test_fake_rows_are_what_the_api_would_write(app, client, runner):
    fake(runner, *SMALL, "--seed", "2")
    with app.app_context():
        posts = db.session.scalars(sa.select(Post).order_by(Post.id)).all()
        assert all(post.content_html == render(post.content) for post in posts)
        comments = db.session.scalars(sa.select(Comment)).all()
        assert all(comment.content_html == render(comment.content) for comment in comments)
        # Each post's slug is unique and in its slug history; search_tags follow post_tags.
        assert len({post.slug for post in posts}) == len(posts)
        history = dict(db.session.execute(sa.select(PostSlug.post_id, PostSlug.slug)).all())
        assert history == {post.id: post.slug for post in posts}
        assert [post.search_tags or "" for post in posts] == [" ".join(p.tags) for p in posts]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(post_tags)) > 0
        published = [post for post in posts if post.published]
        username = db.session.scalar(sa.select(User.username).order_by(User.id))
        assert not db.session.scalar(
            sa.select(sa.func.count()).where(Follow.follower_id == Follow.followed_id)
        )
    # Every fake user logs in with the printed password.
    response = client.post(
        f"{V2}/auth/login", json={"username": username, "password": FAKE_PASSWORD}
    )
    assert response.status_code == 200, response.json
    # The search index holds them: a post is found by its title.
    target = published[0]
    response = client.get(f"{V2}/posts", query_string={"q": target.title, "limit": 100})
    assert target.id in [p["id"] for p in response.json["items"]]
    # A slug leads to its post.
    assert client.get(f"{V2}/posts/by-slug/{target.slug}").json["id"] == target.id
    assert_index_in_step(app)


def test_fake_again_adds_more_after_the_existing_rows(app, client, auth, runner):
    headers = auth.user("alice")
    mine = client.post(f"{V2}/posts", json={"title": "Mine", "content": "x"}, headers=headers)
    assert mine.status_code == 201
    fake(runner, *SMALL)
    first = counts(app)
    fake(runner, *SMALL)
    assert counts(app) == tuple(
        2 * n - extra for n, extra in zip(first, (1, 1, 1, 0, 0, 0), strict=True)
    )
    with app.app_context():
        ids = db.session.scalars(sa.select(Post.id).order_by(Post.id)).all()
        slugs = db.session.scalars(sa.select(PostSlug.slug)).all()
    assert ids == list(range(1, len(ids) + 1))
    assert len(set(slugs)) == len(slugs) == len(ids)
    # The API goes on creating posts after them.
    later = client.post(f"{V2}/posts", json={"title": "Later", "content": "y"}, headers=headers)
    assert later.json["id"] == len(ids) + 1
    assert_index_in_step(app)


def test_fake_posts_without_users_is_an_error_and_writes_nothing(app, runner):
    result = runner.invoke(args=["fake", "--posts", "5"])
    assert result.exit_code != 0
    assert "--users" in result.output
    assert counts(app) == (0, 0, 0, 0, 0, 0)
    result = runner.invoke(args=["fake", "--users", "-1"])
    assert result.exit_code != 0 and counts(app) == (0, 0, 0, 0, 0, 0)


def test_fake_leaves_the_published_post_counts_exact_and_kept(app, client, auth, runner):
    from .v2.test_counters import assert_exact

    fake(runner, *SMALL, "--seed", "4")
    users, tags = assert_exact(app)
    assert sum(users.values()) == client.get(f"{V2}/posts").json["total"]
    assert sum(users.values()) > 0 and sum(tags.values()) > 0
    # The triggers are back after the load: a new post counts at once.
    headers = auth.user("writer")
    body = {"title": "t", "content": "c", "tags": ["fresh"]}
    assert client.post(f"{V2}/posts", json=body, headers=headers).status_code == 201
    users, tags = assert_exact(app)
    assert tags["fresh"] == 1
