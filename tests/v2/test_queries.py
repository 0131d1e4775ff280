"""No N+1: a page of posts costs the same number of SQL statements for 1 row as for 100."""

import pytest
import sqlalchemy as sa

from ..helpers import V2, sql_statements, user_id


def count_statements(app, client, url, headers=None):
    client.get(url, headers=headers)  # warm up: connection set-up is not part of the page
    with sql_statements(app) as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.json
    return response, len(statements)


@pytest.fixture
def authors(app, auth):
    names = ("alice", "bob", "carol", "dave", "erin")
    for name in names:
        auth.create_user(name)
    return [user_id(app, name) for name in names]


def test_post_list_statement_count_does_not_grow_with_rows(app, client, auth, seed, authors):
    seed.posts(authors, 1)
    one, anonymous_one = count_statements(app, client, f"{V2}/posts?limit=100")
    assert one.json["count"] == 1

    seed.posts(authors, 99)
    hundred, anonymous_hundred = count_statements(app, client, f"{V2}/posts?limit=100")
    assert hundred.json["count"] == 100
    assert len({p["author"]["username"] for p in hundred.json["items"]}) == 5
    assert anonymous_one == anonymous_hundred
    # The count, and the page with authors joined in, tags, counts and `liked` in the same
    # SELECT (issue #11: at most 2 statements per page).
    assert anonymous_hundred <= 2

    headers = auth.headers("alice")
    _, signed_in = count_statements(app, client, f"{V2}/posts?limit=100", headers)
    assert signed_in <= anonymous_hundred + 1  # plus the token check


def test_post_list_with_token_costs_the_same_for_1_and_100_rows(app, client, auth, seed, authors):
    headers = auth.headers("alice")
    seed.posts(authors, 1)
    _, with_one = count_statements(app, client, f"{V2}/posts?limit=100", headers)
    seed.posts(authors, 99)
    response, with_hundred = count_statements(app, client, f"{V2}/posts?limit=100", headers)
    assert response.json["count"] == 100
    assert with_one == with_hundred


@pytest.mark.parametrize("viewer", [None, "alice", "bob"])
def test_user_posts_statement_count_does_not_grow_with_rows(
    app, client, auth, seed, authors, viewer
):
    alice_id = authors[0]
    headers = auth.headers(viewer) if viewer else None
    seed.post(alice_id, "first")
    one, with_one = count_statements(app, client, f"{V2}/users/{alice_id}/posts?limit=100", headers)
    assert one.json["count"] == 1

    seed.posts([alice_id], 99)
    seed.posts(authors[1:], 20)  # other authors' posts are not on this page
    hundred, with_hundred = count_statements(
        app, client, f"{V2}/users/{alice_id}/posts?limit=100", headers
    )
    assert hundred.json["count"] == 100
    assert {p["author"]["username"] for p in hundred.json["items"]} == {"alice"}
    assert with_one == with_hundred
    # user, count, page with tags and counts (+ token check)
    assert with_hundred <= 3 + (viewer is not None)


def decorate(app, post_ids, liker_ids):
    """Give every post two tags, a comment and a like from each of ``liker_ids``."""
    from app.extensions import db
    from app.models import Comment, Like, Post

    from ..helpers import tags_named

    with app.app_context():
        tags = tags_named(["alpha", "beta"])
        for post in db.session.scalars(sa.select(Post).where(Post.id.in_(post_ids))):
            post.tag_rows = tags
            db.session.add(Comment(post_id=post.id, user_id=liker_ids[0], content="c"))
            db.session.add_all(Like(user_id=u, post_id=post.id) for u in liker_ids)
        db.session.commit()


def test_counts_liked_and_tags_cost_the_same_for_1_and_100_rows(app, client, auth, seed, authors):
    headers = auth.headers("alice")
    decorate(app, seed.posts(authors, 1), authors[:3])
    one, with_one = count_statements(app, client, f"{V2}/posts?limit=100", headers)
    decorate(app, seed.posts(authors, 99), authors[:3])
    hundred, with_hundred = count_statements(app, client, f"{V2}/posts?limit=100", headers)

    assert with_one == with_hundred
    items = hundred.json["items"]
    assert len(items) == 100
    assert {(p["likes_count"], p["comments_count"], p["liked"]) for p in items} == {(3, 1, True)}
    assert {tuple(p["tags"]) for p in items} == {("alpha", "beta")}
    anonymous = client.get(f"{V2}/posts?limit=100").json["items"]
    assert {p["liked"] for p in anonymous} == {False}
