"""Slugs: made from the title, unique (races included), kept on edits, every old one redirects."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, PostSlug
from app.posts import slugify

from ..helpers import V2, assert_error


@pytest.fixture
def alice(auth):
    return auth.user("alice")


def create(client, headers, title="A title", **body):
    response = client.post(
        f"{V2}/posts", json={"title": title, "content": "text", **body}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def slug_history(app, post_id):
    with app.app_context():
        stmt = sa.select(PostSlug.slug).where(PostSlug.post_id == post_id).order_by(PostSlug.id)
        return list(db.session.scalars(stmt))


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Café déjà vu", "cafe-deja-vu"),
        ("  Hello,   World!  ", "hello-world"),
        ("Ünïcödé — and “quotes”", "unicode-and-quotes"),
        ("C++ & Python 3.12", "c-python-3-12"),
        ("日本語", "post"),
        ("!!!", "post"),
        ("ﬁnal straße", "final-strae"),
    ],
)
def test_slug_is_made_from_the_title(client, alice, title, slug):
    assert create(client, alice, title)["slug"] == slug


def test_a_long_title_makes_a_slug_that_fits_with_room_for_a_suffix(client, alice):
    title = " ".join(["word"] * 35)
    first, second = create(client, alice, title), create(client, alice, title)
    assert len(first["slug"]) <= 100 and not first["slug"].endswith("-")
    assert second["slug"] == first["slug"] + "-2"
    assert slugify("x" * 300) == "x" * 88


def test_same_titles_get_numbered_slugs(client, app, alice):
    slugs = [create(client, alice, "Same title")["slug"] for _ in range(4)]
    assert slugs == ["same-title", "same-title-2", "same-title-3", "same-title-4"]
    assert client.get(f"{V2}/posts/by-slug/same-title-3").json["slug"] == "same-title-3"


def test_editing_the_title_keeps_the_slug(client, alice):
    post = create(client, alice, "First title")
    patched = client.patch(f"{V2}/posts/{post['id']}", json={"title": "New"}, headers=alice)
    replaced = client.put(
        f"{V2}/posts/{post['id']}", json={"title": "Newer", "content": "x"}, headers=alice
    )
    assert patched.json["slug"] == replaced.json["slug"] == "first-title"


def test_client_chosen_slug_becomes_current_and_the_old_one_redirects(client, app, alice):
    post = create(client, alice, "Old title")
    response = client.patch(f"{V2}/posts/{post['id']}", json={"slug": "new-home"}, headers=alice)
    assert response.status_code == 200
    assert response.json["slug"] == "new-home"

    old = client.get(f"{V2}/posts/by-slug/old-title")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(f"{V2}/posts/by-slug/new-home")
    assert old.json["location"] == old.headers["Location"]
    current = client.get(f"{V2}/posts/by-slug/new-home")
    assert current.status_code == 200
    assert current.json["id"] == post["id"]
    assert slug_history(app, post["id"]) == ["old-title", "new-home"]


def test_every_old_slug_redirects_and_an_old_slug_may_come_back(client, app, alice):
    post = create(client, alice, "One")
    for slug in ("two", "three", "one"):
        response = client.put(
            f"{V2}/posts/{post['id']}",
            json={"title": "t", "content": "c", "slug": slug},
            headers=alice,
        )
        assert response.json["slug"] == slug
    assert client.get(f"{V2}/posts/by-slug/one").status_code == 200
    for old in ("two", "three"):
        response = client.get(f"{V2}/posts/by-slug/{old}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/by-slug/one")
    assert slug_history(app, post["id"]) == ["one", "two", "three"]


@pytest.mark.parametrize("taken", ["current", "old"])
def test_a_slug_another_post_has_or_had_is_409(client, app, auth, alice, taken):
    other = create(client, alice, "Taken")
    if taken == "old":
        client.patch(f"{V2}/posts/{other['id']}", json={"slug": "moved"}, headers=alice)
    mine = create(client, alice, "Mine")
    response = client.patch(f"{V2}/posts/{mine['id']}", json={"slug": "taken"}, headers=alice)
    assert_error(response, 409, "slug_taken")
    assert client.get(f"{V2}/posts/{mine['id']}").json["slug"] == "mine"
    assert slug_history(app, mine["id"]) == ["mine"]


@pytest.mark.parametrize(
    "slug",
    ["", "Upper", "two--dashes", "-lead", "trail-", "spa ce", "ünï", "a_b", "x" * 101, 5, None],
)
def test_invalid_slug_is_422_and_changes_nothing(client, alice, slug):
    post = create(client, alice, "Keep me")
    response = client.patch(f"{V2}/posts/{post['id']}", json={"slug": slug}, headers=alice)
    assert_error(response, 422)
    assert "slug" in response.json["errors"]
    assert client.get(f"{V2}/posts/{post['id']}").json["slug"] == "keep-me"


def test_slug_cannot_be_chosen_on_create(client, alice):
    response = client.post(
        f"{V2}/posts", json={"title": "T", "content": "C", "slug": "mine"}, headers=alice
    )
    assert_error(response, 422)
    assert "slug" in response.json["errors"]


@pytest.mark.parametrize("slug", ["nothing-here", "UPPER", "x" * 300, "a%20b"])
def test_unknown_slug_is_404(client, slug):
    assert_error(client.get(f"{V2}/posts/by-slug/{slug}"), 404, "not_found")


def test_a_drafts_slugs_are_404_for_others(client, auth, alice):
    draft = create(client, alice, "Secret", published=False)
    client.patch(f"{V2}/posts/{draft['id']}", json={"slug": "secret-2026"}, headers=alice)
    bob = auth.user("bob")
    for slug in ("secret", "secret-2026"):
        assert_error(client.get(f"{V2}/posts/by-slug/{slug}", headers=bob), 404)
        assert_error(client.get(f"{V2}/posts/by-slug/{slug}"), 404)
    assert client.get(f"{V2}/posts/by-slug/secret-2026", headers=alice).status_code == 200
    assert client.get(f"{V2}/posts/by-slug/secret", headers=alice).status_code == 301


def test_deleting_a_post_deletes_its_slug_history(client, app, alice):
    post = create(client, alice, "Gone")
    client.patch(f"{V2}/posts/{post['id']}", json={"slug": "gone-for-good"}, headers=alice)
    assert client.delete(f"{V2}/posts/{post['id']}", headers=alice).status_code == 204
    assert slug_history(app, post["id"]) == []
    assert_error(client.get(f"{V2}/posts/by-slug/gone"), 404)
    assert create(client, alice, "Gone")["slug"] == "gone"  # free again


def test_v1_posts_get_slugs_too(client, app, alice):
    response = client.post(
        f"{V2[:-1]}1/posts", json={"title": "From v1", "content": "c"}, headers=alice
    )
    assert response.status_code == 201
    assert client.get(f"{V2}/posts/by-slug/from-v1").json["id"] == response.json["id"]


def test_concurrent_creates_with_the_same_title_all_get_distinct_slugs(app, auth):
    """Threads post the same title at the same instant: no 500, every slug distinct."""
    headers = auth.user("alice")
    threads, barrier, results = 6, threading.Barrier(6), []

    def worker():
        client = app.test_client()
        barrier.wait()
        response = client.post(
            f"{V2}/posts", json={"title": "Race", "content": "c"}, headers=headers
        )
        results.append((response.status_code, (response.json or {}).get("slug")))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()

    assert sorted(status for status, _ in results) == [201] * threads
    slugs = sorted(slug for _, slug in results)
    assert slugs == sorted(["race"] + [f"race-{n}" for n in range(2, threads + 1)])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == threads
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PostSlug)) == threads


@pytest.mark.parametrize(("taken", "expected"), [(0, "busy"), (1, "busy-2"), (40, "busy-41")])
def test_free_slug_takes_the_first_gap_across_batches(app, auth, taken, expected):
    from app.posts import free_slug

    owner = auth.create_user("alice")
    with app.app_context():
        post = Post(title="x", slug="x", content="x", user_id=owner)
        db.session.add(post)
        db.session.flush()
        names = ["busy"] + [f"busy-{n}" for n in range(2, taken + 1)]
        db.session.add_all(PostSlug(slug=name, post_id=post.id) for name in names[:taken])
        db.session.commit()
        assert free_slug("busy") == expected
        if taken == 40:
            db.session.execute(sa.delete(PostSlug).where(PostSlug.slug == "busy-7"))
            assert free_slug("busy") == "busy-7"
