"""Published-post counts kept by the database's triggers (app.counters) stay exact."""

from __future__ import annotations

import random

import sqlalchemy as sa

from app import counters
from app.extensions import db
from app.models import Post, Tag, User

from ..helpers import V2

API = "/api"


def counts(app) -> tuple[dict[int, int], dict[str, int]]:
    with app.app_context():
        users = dict(db.session.execute(sa.select(User.id, User.published_posts)).all())
        tags = dict(db.session.execute(sa.select(Tag.name, Tag.published_posts)).all())
        db.session.rollback()
    return users, tags


def recounted(app) -> tuple[dict[int, int], dict[str, int]]:
    """The counts recomputed from the rows, in a transaction that is rolled back."""
    with app.app_context():
        connection = db.session.connection()
        counters.recount(connection)
        users = dict(db.session.execute(sa.select(User.id, User.published_posts)).all())
        tags = dict(db.session.execute(sa.select(Tag.name, Tag.published_posts)).all())
        db.session.rollback()
    return users, tags


def assert_exact(app):
    kept = counts(app)
    assert kept == recounted(app)
    return kept


def test_every_write_keeps_the_counts_exact(app, client, auth):
    alice, bob = auth.user("alice"), auth.user("bob")
    bob_id = client.get(f"{V2}/me", headers=bob).json["id"]
    made = []
    for n, (who, tags, published) in enumerate(
        [
            (alice, ["python", "web"], True),
            (alice, ["python"], False),
            (bob, ["python", "db"], True),
            (bob, [], True),
        ]
    ):
        body = {"title": f"t{n}", "content": "c", "tags": tags, "published": published}
        response = client.post(f"{V2}/posts", json=body, headers=who)
        assert response.status_code == 201, response.json
        made.append((who, response.json["id"]))
    users, tags = assert_exact(app)
    assert tags == {"python": 2, "web": 1, "db": 1}
    assert users[bob_id] == 2

    (a0, p0), (a1, p1), (b0, p2), (b1, p3) = made
    steps = [
        ("patch", a1, p1, {"published": True}),  # a draft published: its tag counts
        ("patch", a0, p0, {"tags": ["web", "new"]}),  # tags swapped on a published post
        ("patch", b0, p2, {"published": False}),  # unpublished: its tags and author drop
        ("patch", b0, p2, {"tags": ["db", "x"]}),  # tags of a draft count nothing
        ("delete", a0, p0, None),  # a published post with tags deleted
        ("patch", b0, p2, {"published": True}),
    ]
    for kind, who, post_id, body in steps:
        if kind == "patch":
            response = client.patch(f"{V2}/posts/{post_id}", json=body, headers=who)
            assert response.status_code == 200, response.json
        else:
            assert client.delete(f"{V2}/posts/{post_id}", headers=who).status_code == 204
        assert_exact(app)
    users, tags = assert_exact(app)
    assert tags["web"] == 0 and tags["python"] == 1 and tags["x"] == 1

    # A deleted user's posts go by cascade: their tags' counts follow.
    with app.app_context():
        db.session.delete(db.session.get(User, bob_id))
        db.session.commit()
    users, tags = assert_exact(app)
    assert bob_id not in users
    assert tags["db"] == 0 and tags["x"] == 0


def test_the_realworld_face_keeps_them_too(app, client, auth):
    auth.create_user("jake")
    login = client.post(
        f"{API}/users/login", json={"user": {"email": "jake", "password": "x"}}
    )  # no e-mail: log in through v2 and use the token with the Token scheme
    assert login.status_code in (401, 403, 422)
    token = auth.login("jake")["access_token"]
    headers = {"Authorization": f"Token {token}"}
    body = {"article": {"title": "How", "description": "d", "body": "b", "tagList": ["go"]}}
    response = client.post(f"{API}/articles", json=body, headers=headers)
    assert response.status_code == 201, response.json
    slug = response.json["article"]["slug"]
    assert counts(app)[1]["go"] == 1
    assert client.delete(f"{API}/articles/{slug}", headers=headers).status_code == 204
    assert assert_exact(app)[1]["go"] == 0


def test_random_writes_straight_to_the_database_keep_them_exact(app, auth, seed):
    rng = random.Random(7)
    ids = [auth.create_user(name) for name in ("u1", "u2", "u3")]
    with app.app_context():
        tags = [Tag(name=f"tag{n}") for n in range(5)]
        db.session.add_all(tags)
        db.session.commit()
        tag_ids = [t.id for t in tags]
    posts = [seed.post(rng.choice(ids), published=rng.random() < 0.7) for _ in range(12)]
    for _ in range(40):
        with app.app_context():
            post = db.session.get(Post, rng.choice(posts))
            if post is None:
                continue
            action = rng.choice(["publish", "move", "tags", "delete"])
            if action == "publish":
                post.published = not post.published
            elif action == "move":
                post.user_id = rng.choice(ids)
            elif action == "tags":
                chosen = rng.sample(tag_ids, rng.randint(0, 3))
                post.set_tags([db.session.get(Tag, t) for t in sorted(chosen)])
            else:
                db.session.delete(post)
            db.session.commit()
        assert_exact(app)


def test_every_list_total_read_from_the_counts_is_the_number_of_its_items(app, client, auth):
    headers = {name: auth.user(name) for name in ("alice", "bob", "carol")}
    ids = {name: client.get(f"{V2}/me", headers=h).json["id"] for name, h in headers.items()}
    plan = [
        ("alice", ["x"], True),
        ("alice", ["x", "y"], False),
        ("alice", [], False),
        ("bob", ["y"], True),
        ("bob", ["x"], False),
        ("bob", [], True),
        ("carol", ["x"], True),
    ]
    for n, (name, tags, published) in enumerate(plan):
        body = {"title": f"p{n}", "content": "c", "tags": tags, "published": published}
        assert client.post(f"{V2}/posts", json=body, headers=headers[name]).status_code == 201
    for follower, followed in (("alice", "bob"), ("alice", "carol"), ("bob", "alice")):
        url = f"{V2}/users/{ids[followed]}/follow"
        assert client.put(url, headers=headers[follower]).status_code == 200
    lists = [
        f"{V2}/posts",
        f"{V2}/posts?author_id={ids['alice']}",
        f"{V2}/posts?author_id={ids['bob']}",
        f"{V2}/posts?tag=x",
        f"{V2}/posts?tag=y",
        f"{V2}/posts?tag=nothing",
        f"{V2}/posts?author_id=999999",
        f"{V2}/users/{ids['alice']}/posts",
        f"{V2}/users/{ids['alice']}/posts?author_id={ids['alice']}",
        f"{V2}/users/{ids['alice']}/posts?author_id={ids['bob']}",
        f"{V2}/posts?author_id={ids['alice']}&tag=x",
        f"{API}/articles",
        f"{API}/articles?tag=x",
    ]
    for viewer in (None, "alice", "bob"):
        for url in lists:
            response = client.get(
                url + ("&" if "?" in url else "?") + "limit=100",
                headers=(
                    {"Authorization": headers[viewer]["Authorization"].replace("Bearer", "Token")}
                    if not url.startswith(V2) and viewer
                    else headers.get(viewer)
                    if viewer
                    else None
                ),
            )
            assert response.status_code == 200, (url, response.json)
            body = response.json
            items = body.get("items", body.get("articles"))
            assert body.get("total", body.get("articlesCount")) == len(items), (viewer, url)
        if viewer:
            for url in (f"{V2}/feed?limit=100", f"{API}/articles/feed?limit=100"):
                auth_header = headers[viewer]["Authorization"]
                if not url.startswith(V2):
                    auth_header = auth_header.replace("Bearer", "Token")
                body = client.get(url, headers={"Authorization": auth_header}).json
                assert "items" in body or "articles" in body, (url, body)
                items = body.get("items", body.get("articles"))
                assert body.get("total", body.get("articlesCount")) == len(items), (viewer, url)
    tags = client.get(f"{V2}/tags").json
    assert tags["items"] == [{"name": "x", "count": 2}, {"name": "y", "count": 1}]
    assert tags["total"] == 2
    assert client.get(f"{API}/tags").json == {"tags": ["x", "y"]}


def test_a_tag_page_is_the_same_whichever_way_its_tag_is_read(app, client, auth, monkeypatch):
    from app import queries

    headers = auth.user("alice")
    for n in range(12):
        tags = ["common"] + (["rare"] if n % 5 == 0 else [])
        body = {"title": f"p{n}", "content": "c", "tags": tags, "published": n != 3}
        assert client.post(f"{V2}/posts", json=body, headers=headers).status_code == 201
    pages = {}
    for share in (1, 10**9):  # 1: only a tag on every post is "common"; 10**9: every tag is
        monkeypatch.setattr(queries, "COMMON_TAG_SHARE", share)
        for tag in ("common", "rare"):
            for viewer in (None, headers):
                url = f"{V2}/posts?tag={tag}&limit=4"
                seen, total = [], None
                while url:
                    response = client.get(url, headers=viewer)
                    assert response.status_code == 200, response.json
                    seen += [post["id"] for post in response.json["items"]]
                    total = response.json["total"]
                    nxt = [p for p in response.headers["Link"].split(",") if 'rel="next"' in p]
                    url = (
                        nxt[0].split(";")[0].strip(" <>").split("localhost", 1)[-1] if nxt else None
                    )
                assert total == len(seen)
                pages.setdefault((tag, viewer is None), []).append(seen)
    for (tag, anonymous), (one, other) in pages.items():
        assert one == other, (tag, anonymous)
    assert len(pages[("common", False)][0]) == 12 and len(pages[("common", True)][0]) == 11
