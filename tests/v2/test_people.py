"""v2 profiles and following: counts, idempotent follows, lists, the feed, by-username."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Follow, User

from ..helpers import (
    V2,
    V2_PUBLIC_USER_KEYS,
    assert_error,
    count_rows,
    parse_links,
    sql_statements,
    user_id,
)


@pytest.fixture
def people(app, auth):
    """alice, bob, carol, with headers; nobody follows anybody yet."""
    ids, headers = {}, {}
    for name in ("alice", "bob", "carol"):
        headers[name] = auth.user(name)
        ids[name] = user_id(app, name)
    return ids, headers


def follows(app):
    with app.app_context():
        return sorted(db.session.execute(sa.select(Follow.follower_id, Follow.followed_id)).all())


def test_follow_answers_the_profile_with_counts_and_following(client, app, people):
    ids, headers = people
    response = client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers["alice"])

    assert response.status_code == 200
    body = response.json
    assert set(body) == V2_PUBLIC_USER_KEYS
    assert body["id"] == ids["bob"]
    assert (body["following"], body["followers_count"], body["following_count"]) == (True, 1, 0)
    assert follows(app) == [(ids["alice"], ids["bob"])]
    # Everyone sees the count; only alice sees "following".
    anonymous = client.get(f"{V2}/users/{ids['bob']}").json
    as_carol = client.get(f"{V2}/users/{ids['bob']}", headers=headers["carol"]).json
    assert (anonymous["followers_count"], anonymous["following"]) == (1, False)
    assert (as_carol["followers_count"], as_carol["following"]) == (1, False)
    alice = client.get(f"{V2}/me", headers=headers["alice"]).json
    assert (alice["following_count"], alice["followers_count"]) == (1, 0)


def test_follow_and_unfollow_are_idempotent(client, app, people):
    ids, headers = people
    url = f"{V2}/users/{ids['bob']}/follow"
    for _ in range(2):
        again = client.put(url, headers=headers["alice"])
        assert again.status_code == 200 and again.json["followers_count"] == 1
    assert count_rows(app, Follow) == 1
    for _ in range(2):
        gone = client.delete(url, headers=headers["alice"])
        assert gone.status_code == 200
        assert (gone.json["following"], gone.json["followers_count"]) == (False, 0)
    assert count_rows(app, Follow) == 0


def test_concurrent_follows_store_one_row(app, people):
    ids, headers = people
    barrier = threading.Barrier(6)
    statuses = []

    def follow():
        client = app.test_client()
        barrier.wait(timeout=10)
        statuses.append(
            client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers["alice"]).status_code
        )

    threads = [threading.Thread(target=follow) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 6
    assert follows(app) == [(ids["alice"], ids["bob"])]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_follow_refusals_change_nothing(client, app, people, method):
    ids, headers = people
    yourself = client.open(
        f"{V2}/users/{ids['alice']}/follow", method=method, headers=headers["alice"]
    )
    missing = client.open(f"{V2}/users/999999/follow", method=method, headers=headers["alice"])
    anonymous = client.open(f"{V2}/users/{ids['bob']}/follow", method=method)

    if method == "PUT":
        assert assert_error(yourself, 422, "validation_error")["errors"] == {
            "user_id": ["You cannot follow yourself."]
        }
    else:
        assert yourself.status_code == 200  # not following yourself already: nothing to undo
    assert_error(missing, 404, "not_found")
    assert_error(anonymous, 401, "token_missing")
    assert count_rows(app, Follow) == 0


def test_followers_and_following_lists_are_paged_newest_first(client, people):
    ids, headers = people
    for name in ("alice", "carol"):
        assert (
            client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers[name]).status_code == 200
        )
    assert (
        client.put(f"{V2}/users/{ids['carol']}/follow", headers=headers["bob"]).status_code == 200
    )

    followers = client.get(f"{V2}/users/{ids['bob']}/followers?limit=1", headers=headers["carol"])
    assert followers.status_code == 200
    assert (followers.json["total"], followers.json["count"]) == (2, 1)
    first = followers.json["items"][0]
    assert first["username"] == "carol" and set(first) == V2_PUBLIC_USER_KEYS
    assert first["following_count"] == 1 and first["followers_count"] == 1
    path, query = parse_links(followers.headers["Link"])["next"]
    second = client.get(f"{path}?limit={query['limit']}&offset={query['offset']}")
    assert [u["username"] for u in second.json["items"]] == ["alice"]
    assert "next" not in parse_links(second.headers["Link"])

    following = client.get(f"{V2}/users/{ids['bob']}/following").json
    assert [u["username"] for u in following["items"]] == ["carol"]
    assert client.get(f"{V2}/users/{ids['alice']}/following").json["total"] == 1
    assert_error(client.get(f"{V2}/users/999999/followers"), 404, "not_found")
    assert_error(client.get(f"{V2}/users/{ids['bob']}/following?limit=101"), 422)


def test_feed_shows_followed_authors_published_posts_newest_first(client, people, seed):
    ids, headers = people
    seed.post(ids["bob"], "bob old", minute=1)
    seed.post(ids["carol"], "carol", minute=2)
    seed.post(ids["bob"], "bob draft", published=False, minute=3)
    seed.post(ids["alice"], "alice's own", minute=4)
    seed.post(ids["bob"], "bob new", minute=5)

    empty = client.get(f"{V2}/feed", headers=headers["alice"])
    assert empty.status_code == 200 and empty.json["total"] == 0
    client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers["alice"])
    feed = client.get(f"{V2}/feed", headers=headers["alice"])

    assert [p["title"] for p in feed.json["items"]] == ["bob new", "bob old"]
    assert feed.json["total"] == 2
    assert_error(client.get(f"{V2}/feed"), 401, "token_missing")


def test_feed_next_links_walk_to_the_end_by_cursor(client, people, seed):
    ids, headers = people
    for minute in range(7):
        seed.post(ids["bob"], f"post {minute}", minute=minute)
    seed.post(ids["carol"], "not followed", minute=10)
    client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers["alice"])

    seen, url = [], f"{V2}/feed?limit=3"
    while url:
        page = client.get(url, headers=headers["alice"])
        assert page.status_code == 200
        seen += [p["title"] for p in page.json["items"]]
        links = parse_links(page.headers["Link"])
        if "next" not in links:
            break
        path, query = links["next"]
        assert "after" in query  # keyset paging, like GET /posts
        url = f"{path}?limit={query['limit']}&after={query['after']}"
    assert seen == [f"post {minute}" for minute in reversed(range(7))]
    bad = client.get(f"{V2}/feed?after=nonsense", headers=headers["alice"])
    assert assert_error(bad, 422)["errors"] == {"after": ["Invalid cursor."]}


@pytest.mark.parametrize("name", ["bob", "BOB", "ｂｏｂ"])
def test_by_username_is_case_insensitive_and_nfkc(client, people, name):
    ids, _ = people
    response = client.get(f"{V2}/users/by-username/{name}")
    assert response.status_code == 200
    assert response.json["id"] == ids["bob"]


def test_by_username_of_nobody_is_404(client, people):
    assert_error(client.get(f"{V2}/users/by-username/nobody"), 404, "not_found")


def test_bio_and_image_are_set_and_cleared_with_patch_me(client, app, people):
    _, headers = people
    changed = client.patch(
        f"{V2}/me",
        headers=headers["alice"],
        json={"bio": "Writes about Flask.", "image": "https://example.com/a.png"},
    )
    assert changed.status_code == 200
    assert (changed.json["bio"], changed.json["image"]) == (
        "Writes about Flask.",
        "https://example.com/a.png",
    )
    assert client.get(f"{V2}/users/by-username/alice").json["image"] == "https://example.com/a.png"
    cleared = client.patch(f"{V2}/me", headers=headers["alice"], json={"bio": None, "image": None})
    assert (cleared.json["bio"], cleared.json["image"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"image": "javascript:alert(1)"},
        {"image": "data:image/png;base64,AAAA"},
        {"image": "/relative.png"},
        {"image": "ftp://example.com/a.png"},
        {"image": "https://example.com/" + "a" * 500},
        {"image": 5},
        {"bio": "x" * 501},
        {"bio": "nul \x00"},
    ],
)
def test_bad_bio_or_image_is_422_and_changes_nothing(client, app, people, body):
    _, headers = people
    response = client.patch(f"{V2}/me", headers=headers["alice"], json=body)
    assert set(assert_error(response, 422, "validation_error")["errors"]) == set(body)
    with app.app_context():
        alice = db.session.scalar(sa.select(User).where(User.username == "alice"))
        assert (alice.bio, alice.image) == (None, None)


def test_deleting_a_user_removes_their_follows_and_counts_follow(client, app, people, auth):
    ids, headers = people
    client.put(f"{V2}/users/{ids['bob']}/follow", headers=headers["alice"])
    client.put(f"{V2}/users/{ids['alice']}/follow", headers=headers["bob"])
    admin = auth.user("root", admin=True)

    assert client.delete(f"{V2}/users/{ids['alice']}", headers=admin).status_code == 204
    assert follows(app) == []
    bob = client.get(f"{V2}/users/{ids['bob']}").json
    assert (bob["followers_count"], bob["following_count"]) == (0, 0)


def test_user_list_counts_cost_no_extra_statements_per_user(client, app, auth, people):
    ids, headers = people

    def statements():
        client.get(f"{V2}/users?limit=100", headers=headers["alice"])
        with sql_statements(app) as seen:
            response = client.get(f"{V2}/users?limit=100", headers=headers["alice"])
        assert response.status_code == 200
        return response, len(seen)

    _, few = statements()
    for n in range(20):
        auth.create_user(f"user{n}")
        client.put(f"{V2}/users/{user_id(app, f'user{n}')}/follow", headers=headers["alice"])
    many, more = statements()
    assert many.json["count"] == 23
    assert sum(u["following"] for u in many.json["items"]) == 20
    assert few == more <= 3  # token check, count, page (counts and following joined in)


def test_v1_users_keep_the_seed_shape(client, people):
    ids, _ = people
    assert set(client.get(f"/api/v1/users/{ids['bob']}").json) == {"id", "username", "created_at"}
