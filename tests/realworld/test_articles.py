"""RealWorld articles, favorites, comments and tags at /api: what the official collection
does not check — every 401/403/404/422, drafts, slug changes, totals, concurrency."""

import threading

import pytest
import sqlalchemy as sa

from app import queries
from app.extensions import db
from app.models import Comment, Like, Post
from app.readconn import rows_below_core

from ..helpers import V2, bearer, count_rows, sql_statements

API = "/api"
PASSWORD = "jakejake1"


def signup(client, name):
    body = {"user": {"username": name, "email": f"{name}@example.com", "password": PASSWORD}}
    response = client.post(f"{API}/users", json=body)
    assert response.status_code == 201, response.json
    return {"Authorization": f"Token {response.json['user']['token']}"}


def write(client, headers, title="How to train your dragon", **extra):
    article = {"title": title, "description": "Ever wonder how?", "body": "Very carefully."}
    response = client.post(
        f"{API}/articles", json={"article": {**article, **extra}}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json["article"]


@pytest.fixture
def jake(client):
    return signup(client, "jake")


@pytest.fixture
def anna(client):
    return signup(client, "anna")


def test_create_answers_the_article_shape(client, jake):
    article = write(client, jake, tagList=["Dragons", "training", "dragons"])
    assert list(article) == [
        "slug", "title", "description", "tagList", "createdAt", "updatedAt",
        "favorited", "favoritesCount", "author", "body",
    ]  # fmt: skip
    assert article["slug"] == "how-to-train-your-dragon"
    assert article["tagList"] == ["dragons", "training"]
    assert article["createdAt"].endswith("Z") and "." in article["createdAt"]
    assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert article["author"] == {"username": "jake", "bio": None, "image": None, "following": False}
    assert article["body"] == "Very carefully."


@pytest.mark.parametrize(
    ("article", "fields"),
    [
        ({}, {"title", "description", "body"}),
        ({"title": "", "description": "d", "body": "b"}, {"title"}),
        ({"title": "t", "description": "d", "body": "b", "tagList": ["no spaces"]}, {"tagList"}),
        ({"title": "t", "description": "d" * 301, "body": "b"}, {"description"}),
    ],
)
def test_bad_articles_are_422_per_field_and_change_nothing(client, app, jake, article, fields):
    response = client.post(f"{API}/articles", json={"article": article}, headers=jake)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert count_rows(app, Post) == 0


def test_writes_need_a_token_and_the_author(client, app, jake, anna):
    slug = write(client, jake)["slug"]
    assert client.post(f"{API}/articles", json={"article": {}}).status_code == 401
    for method, url, body in (
        ("PUT", f"{API}/articles/{slug}", {"article": {"body": "mine now"}}),
        ("DELETE", f"{API}/articles/{slug}", None),
    ):
        anonymous = client.open(url, method=method, json=body)
        assert anonymous.status_code == 401
        assert anonymous.json == {"errors": {"body": ["Missing token"]}}
        other = client.open(url, method=method, json=body, headers=anna)
        assert other.status_code == 403
        assert list(other.json["errors"]) == ["body"]
    assert client.get(f"{API}/articles/{slug}").json["article"]["body"] == "Very carefully."


def test_missing_articles_are_404_everywhere(client, jake):
    for method, url in (
        ("GET", f"{API}/articles/nope"),
        ("PUT", f"{API}/articles/nope"),
        ("DELETE", f"{API}/articles/nope"),
        ("POST", f"{API}/articles/nope/favorite"),
        ("DELETE", f"{API}/articles/nope/favorite"),
        ("GET", f"{API}/articles/nope/comments"),
        ("POST", f"{API}/articles/nope/comments"),
        ("DELETE", f"{API}/articles/nope/comments/1"),
        ("GET", f"{API}/articles/NOT%20A%20SLUG"),
    ):
        body = {"article": {"body": "x"}, "comment": {"body": "x"}}
        response = client.open(url, method=method, json=body, headers=jake)
        assert response.status_code == 404, (method, url)
        assert response.json == {"errors": {"body": ["Article not found"]}}


def test_a_title_change_changes_the_slug_and_the_old_one_still_works(client, jake):
    old = write(client, jake)["slug"]
    changed = client.put(
        f"{API}/articles/{old}", json={"article": {"title": "Dragons, revisited"}}, headers=jake
    )
    assert changed.status_code == 200
    new = changed.json["article"]["slug"]
    assert new == "dragons-revisited"
    for slug in (old, new):
        shown = client.get(f"{API}/articles/{slug}")
        assert shown.status_code == 200 and shown.json["article"]["slug"] == new
    body_only = client.put(f"{API}/articles/{old}", json={"article": {"body": "b"}}, headers=jake)
    assert body_only.json["article"]["slug"] == new  # no title, no new slug
    same = write(client, jake)  # the first title is taken in the history: -2
    assert same["slug"] == "how-to-train-your-dragon-2"


def test_drafts_never_show_on_this_face_except_to_their_author(client, jake, anna):
    v2 = client.post(f"{V2}/auth/login", json={"username": "jake", "password": PASSWORD}).json
    draft = client.post(
        f"{V2}/posts",
        json={"title": "Secret", "content": "draft", "published": False},
        headers=bearer(v2["access_token"]),
    ).json
    slug = draft["slug"]
    assert client.get(f"{API}/articles/{slug}", headers=jake).status_code == 200
    for headers in ({}, anna):
        assert client.get(f"{API}/articles/{slug}", headers=headers).status_code == 404
        assert client.get(f"{API}/articles/{slug}/comments", headers=headers).status_code == 404
    assert client.post(f"{API}/articles/{slug}/favorite", headers=anna).status_code == 404
    listed = client.get(f"{API}/articles?author=jake", headers=jake).json
    assert listed == {"articles": [], "articlesCount": 0}
    # Its comment routes: the author's as on any article of his, 404 to everyone else.
    comments = f"{API}/articles/{slug}/comments"
    body = {"comment": {"body": "note to self"}}
    assert client.post(comments, json=body, headers=anna).status_code == 404
    assert client.post(comments, json=body, headers=jake).status_code == 200
    assert [c["body"] for c in client.get(comments, headers=jake).json["comments"]] == [
        "note to self"
    ]
    for method in ("PUT", "DELETE"):  # not 403: nothing tells anna the draft exists
        change = {"article": {"body": "mine now"}}
        response = client.open(f"{API}/articles/{slug}", method=method, json=change, headers=anna)
        assert response.status_code == 404
        assert response.json == {"errors": {"body": ["Article not found"]}}
    assert client.get(f"{API}/articles/{slug}", headers=jake).status_code == 200


def test_comments_reach_an_article_by_any_of_its_slugs_in_one_small_read(client, app, jake, anna):
    old = write(client, jake)["slug"]
    renamed = client.put(
        f"{API}/articles/{old}", json={"article": {"title": "Dragons, revisited"}}, headers=jake
    )
    new = renamed.json["article"]["slug"]
    for n, slug in enumerate((old, new)):
        added = client.post(
            f"{API}/articles/{slug}/comments", json={"comment": {"body": f"c{n}"}}, headers=anna
        )
        assert added.status_code == 200
    client.get(f"{API}/articles/{new}/comments")  # warm up
    with sql_statements(app) as statements:
        response = client.get(f"{API}/articles/{old}/comments")
    assert [c["body"] for c in response.json["comments"]] == ["c1", "c0"]
    # The article's id and who may see it, then the comments with their authors: not the
    # whole article (tags, counts) that its own page reads.
    assert len(statements) == 2
    assert "post_slugs" in statements[0] and "tags" not in statements[0]
    assert client.get(f"{API}/articles/no-such-slug/comments").status_code == 404


def test_lists_are_newest_first_with_the_total_and_filters(client, jake, anna):
    for n in range(5):
        write(client, jake, title=f"jake {n}", tagList=["even" if n % 2 == 0 else "odd"])
    write(client, anna, title="anna 0", tagList=["even"])
    page = client.get(f"{API}/articles?limit=2&offset=1").json
    assert page["articlesCount"] == 6
    assert [a["title"] for a in page["articles"]] == ["jake 4", "jake 3"]
    assert all("body" not in a for a in page["articles"])
    by_author = client.get(f"{API}/articles?author=JAKE").json
    assert by_author["articlesCount"] == 5
    by_tag = client.get(f"{API}/articles?tag=Even").json
    assert [a["title"] for a in by_tag["articles"]] == ["anna 0", "jake 4", "jake 2", "jake 0"]
    assert client.get(f"{API}/articles?author=nobody").json == {"articles": [], "articlesCount": 0}
    assert client.get(f"{API}/articles?limit=1000").status_code == 200
    for bad in ("limit=0", "limit=x", "offset=-1"):
        response = client.get(f"{API}/articles?{bad}")
        assert response.status_code == 422, bad
        assert list(response.json) == ["errors"]


def test_favorites_are_idempotent_and_filter_lists(client, app, jake, anna):
    slug = write(client, jake)["slug"]
    for _ in range(2):
        liked = client.post(f"{API}/articles/{slug}/favorite", headers=anna)
        assert liked.status_code == 200
        assert (liked.json["article"]["favorited"], liked.json["article"]["favoritesCount"]) == (
            True,
            1,
        )
    assert client.get(f"{API}/articles/{slug}", headers=jake).json["article"]["favorited"] is False
    favorites = client.get(f"{API}/articles?favorited=anna").json
    assert [a["slug"] for a in favorites["articles"]] == [slug]
    for _ in range(2):
        gone = client.delete(f"{API}/articles/{slug}/favorite", headers=anna)
        assert gone.json["article"]["favoritesCount"] == 0
    assert count_rows(app, Like) == 0
    assert client.post(f"{API}/articles/{slug}/favorite").status_code == 401


def test_concurrent_favorites_count_once(client, app, jake, anna):
    slug = write(client, jake)["slug"]
    barrier, statuses = threading.Barrier(6), []

    def favorite():
        local = app.test_client()
        barrier.wait(timeout=10)
        statuses.append(local.post(f"{API}/articles/{slug}/favorite", headers=anna).status_code)

    threads = [threading.Thread(target=favorite) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 6
    assert count_rows(app, Like) == 1
    assert client.get(f"{API}/articles/{slug}").json["article"]["favoritesCount"] == 1


def test_author_following_is_per_viewer(client, jake, anna):
    write(client, jake)
    client.post(f"{API}/profiles/jake/follow", headers=anna)
    seen = client.get(f"{API}/articles", headers=anna).json["articles"][0]["author"]
    assert seen["following"] is True
    assert client.get(f"{API}/articles").json["articles"][0]["author"]["following"] is False
    feed = client.get(f"{API}/articles/feed", headers=anna).json
    assert feed["articlesCount"] == 1
    assert client.get(f"{API}/articles/feed", headers=jake).json == {
        "articles": [],
        "articlesCount": 0,
    }
    assert client.get(f"{API}/articles/feed").status_code == 401


def test_comments_add_list_delete_with_rights(client, app, jake, anna):
    slug = write(client, jake)["slug"]
    added = client.post(
        f"{API}/articles/{slug}/comments", json={"comment": {"body": "Thank you!"}}, headers=anna
    )
    assert added.status_code == 200
    comment = added.json["comment"]
    assert list(comment) == ["id", "createdAt", "updatedAt", "body", "author"]
    assert comment["author"]["username"] == "anna"
    client.post(f"{API}/articles/{slug}/comments", json={"comment": {"body": "2nd"}}, headers=jake)
    listed = client.get(f"{API}/articles/{slug}/comments").json["comments"]
    assert [c["body"] for c in listed] == ["2nd", "Thank you!"]  # newest first
    empty = client.post(
        f"{API}/articles/{slug}/comments", json={"comment": {"body": ""}}, headers=anna
    )
    assert empty.status_code == 422 and set(empty.json["errors"]) == {"body"}
    own = listed[0]["id"]  # jake's comment: anna may not delete it on jake's article
    forbidden = client.delete(f"{API}/articles/{slug}/comments/{own}", headers=anna)
    assert forbidden.status_code == 403
    # The article's author may delete anna's comment.
    deleted = client.delete(f"{API}/articles/{slug}/comments/{comment['id']}", headers=jake)
    assert deleted.status_code == 204 and deleted.data == b""
    other = write(client, anna, title="Another")["slug"]
    wrong = client.delete(f"{API}/articles/{other}/comments/{own}", headers=jake)
    assert wrong.status_code == 404
    assert count_rows(app, Comment) == 1


def test_deleting_an_article_removes_its_comments_and_favorites(client, app, jake, anna):
    slug = write(client, jake)["slug"]
    client.post(f"{API}/articles/{slug}/comments", json={"comment": {"body": "x"}}, headers=anna)
    client.post(f"{API}/articles/{slug}/favorite", headers=anna)
    response = client.delete(f"{API}/articles/{slug}", headers=jake)
    assert response.status_code == 204
    assert (count_rows(app, Post), count_rows(app, Comment), count_rows(app, Like)) == (0, 0, 0)
    assert client.get(f"{API}/articles/{slug}").status_code == 404


def test_tags_list_published_tags_most_used_first(client, app, jake):
    write(client, jake, title="a", tagList=["dragons", "training"])
    write(client, jake, title="b", tagList=["dragons"])
    client.get(f"{API}/tags")  # warm up
    with sql_statements(app) as statements:
        response = client.get(f"{API}/tags")
    assert response.status_code == 200
    assert response.json == {"tags": ["dragons", "training"]}
    assert len(statements) == 1  # every RealWorld home page asks: no total to count


def test_cors_preflight_allows_content_type_on_every_method(app_factory):
    app = app_factory(CORS_ORIGINS=["http://localhost:4100"])
    client = app.test_client()
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = client.options(
            f"{API}/articles/x",
            headers={
                "Origin": "http://localhost:4100",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type, authorization",
            },
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:4100"
        allowed = response.headers["Access-Control-Allow-Headers"].lower()
        assert "content-type" in allowed and "authorization" in allowed


def test_the_comment_list_read_below_core_is_the_one_core_reads(client, app, jake, anna):
    """Value for value and type for type (times in UTC), newest first, ``limit`` honoured."""
    slug = write(client, jake)["slug"]
    client.put(f"{API}/user", json={"user": {"bio": "I train dragons"}}, headers=jake)
    for n, author in enumerate((anna, jake, anna)):
        body = {"comment": {"body": f"c{n}"}}
        client.post(f"{API}/articles/{slug}/comments", json=body, headers=author)
    with app.app_context():
        post_id = db.session.scalar(sa.select(Post.id))
        for limit in (500, 2):
            params = {"post_id": post_id, "limit": limit}
            below = rows_below_core(db.engine, queries._NEWEST_COMMENTS, params)
            core = db.session.connection().execute(queries._NEWEST_COMMENTS, params).all()
            assert below is not None and below == [tuple(row) for row in core]
            typed = [[(type(v), getattr(v, "tzinfo", None)) for v in row] for row in core]
            assert typed == [[(type(v), getattr(v, "tzinfo", None)) for v in row] for row in below]
            assert [row[3] for row in below] == ["c2", "c1", "c0"][:limit]
    assert {row[6] for row in below} == {None, "I train dragons"}
    listed = client.get(f"{API}/articles/{slug}/comments").json["comments"]
    assert [(c["body"], c["author"]["username"]) for c in listed] == [
        ("c2", "anna"),
        ("c1", "jake"),
        ("c0", "anna"),
    ]
