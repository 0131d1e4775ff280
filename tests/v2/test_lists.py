"""v2 lists: the paged body, limits, bad paging values, and the RFC 8288 Link header."""

from urllib.parse import urlencode

import pytest

from ..helpers import V2, assert_error, parse_links


def list_paths(alice_id):
    return [f"{V2}/posts", f"{V2}/users", f"{V2}/todos", f"{V2}/users/{alice_id}/posts"]


def test_list_body_has_the_paging_fields_and_a_default_limit_of_10(client, seed, alice_id):
    seed.posts([alice_id], 12)
    response = client.get(f"{V2}/posts")
    assert response.status_code == 200
    body = response.json
    assert list(body) == ["items", "total", "count", "offset", "limit"]
    assert (body["total"], body["count"], body["offset"], body["limit"]) == (12, 10, 0, 10)
    assert len(body["items"]) == 10


def test_limit_up_to_100_is_allowed(client, seed, alice_id):
    seed.posts([alice_id], 105)
    body = client.get(f"{V2}/posts?limit=100").json
    assert (body["total"], body["count"], body["limit"]) == (105, 100, 100)
    assert len({p["id"] for p in body["items"]}) == 100


def test_offset_past_the_end_is_an_empty_page(client, seed, alice_id):
    seed.posts([alice_id], 3)
    response = client.get(f"{V2}/posts?offset=50")
    assert response.status_code == 200
    assert (response.json["items"], response.json["total"], response.json["count"]) == ([], 3, 0)
    links = parse_links(response.headers["Link"])
    assert "next" not in links
    assert links["prev"][1]["offset"] == "40"


def test_pages_do_not_overlap_and_cover_everything(client, seed, alice_id):
    ids = seed.posts([alice_id], 25)
    seen = []
    for offset in (0, 10, 20):
        seen += [p["id"] for p in client.get(f"{V2}/posts?offset={offset}").json["items"]]
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 25


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-5", "limit"),
        ("limit=abc", "limit"),
        ("limit=1.5", "limit"),
        ("limit=", "limit"),
        ("offset=-1", "offset"),
        ("offset=abc", "offset"),
        ("offset=99999999999", "offset"),
    ],
)
def test_bad_paging_values_are_422_on_every_list(client, alice, alice_id, query, field):
    for path in list_paths(alice_id):
        response = client.get(f"{path}?{query}", headers=alice)
        body = assert_error(response, 422, "validation_error")
        assert list(body["errors"]) == [field], path


def test_both_bad_paging_values_are_reported_together(client):
    response = client.get(f"{V2}/posts?limit=101&offset=-1")
    assert set(assert_error(response, 422)["errors"]) == {"limit", "offset"}


def assert_next_is_the_page_at(client, link, offset):
    """Post lists' ``next`` is a keyset cursor (``after``): it must land on the offset page."""
    path, params = link
    assert set(params) == {"after", "limit"}, params
    by_cursor = client.get(path, query_string=params)
    by_offset = client.get(path, query_string={"limit": params["limit"], "offset": offset})
    assert by_cursor.status_code == by_offset.status_code == 200
    assert by_cursor.json == by_offset.json
    assert by_cursor.json["offset"] == offset


def test_link_header_on_first_middle_and_last_page(client, seed, alice_id):
    seed.posts([alice_id], 25)

    first = parse_links(client.get(f"{V2}/posts?limit=10").headers["Link"])
    assert "prev" not in first
    assert first["next"][0] == f"{V2}/posts"
    assert_next_is_the_page_at(client, first["next"], 10)
    assert first["first"][1]["offset"] == "0"
    assert first["last"][1]["offset"] == "20"

    middle = parse_links(client.get(f"{V2}/posts?limit=10&offset=10").headers["Link"])
    assert middle["prev"][1] == {"offset": "0", "limit": "10"}
    assert_next_is_the_page_at(client, middle["next"], 20)

    last = parse_links(client.get(f"{V2}/posts?limit=10&offset=20").headers["Link"])
    assert last["prev"][1] == {"offset": "10", "limit": "10"}
    assert "next" not in last
    assert last["last"][1]["offset"] == "20"


def test_link_header_follows_to_the_same_pages(client, seed, alice_id):
    seed.posts([alice_id], 7)
    response = client.get(f"{V2}/posts?limit=3")
    pages = [[p["id"] for p in response.json["items"]]]
    while "next" in (links := parse_links(response.headers["Link"])):
        path, query = links["next"]
        response = client.get(path, query_string=query)
        pages.append([p["id"] for p in response.json["items"]])
    assert [len(page) for page in pages] == [3, 3, 1]
    assert links["prev"][1]["offset"] == "3"


def test_link_urls_keep_the_other_query_parameters(client, auth, seed, alice_id):
    bob_id = auth.create_user("bob")
    seed.posts([alice_id, bob_id], 30)
    query = f"q=post&sort=title&author_id={alice_id}&limit=5&offset=5"
    response = client.get(f"{V2}/posts?{query}")
    assert response.status_code == 200
    assert response.json["total"] == 15
    links = parse_links(response.headers["Link"])
    for rel in ("first", "prev", "next", "last"):
        path, params = links[rel]
        assert path == f"{V2}/posts"
        assert (params["q"], params["sort"], params["author_id"], params["limit"]) == (
            "post",
            "title",
            str(alice_id),
            "5",
        )
    assert links["prev"][1]["offset"] == "0"
    assert "after" in links["next"][1] and "offset" not in links["next"][1]
    assert client.get(f"{V2}/posts", query_string=links["next"][1]).json["offset"] == 10
    assert links["last"][1]["offset"] == "10"


def test_link_urls_on_a_users_posts_keep_the_path(client, seed, alice_id):
    seed.posts([alice_id], 4)
    response = client.get(f"{V2}/users/{alice_id}/posts?limit=2")
    links = parse_links(response.headers["Link"])
    assert links["next"][0] == f"{V2}/users/{alice_id}/posts"
    assert_next_is_the_page_at(client, links["next"], 2)


def test_link_header_on_an_empty_list(client):
    response = client.get(f"{V2}/posts")
    assert response.json == {"items": [], "total": 0, "count": 0, "offset": 0, "limit": 10}
    links = parse_links(response.headers["Link"])
    assert set(links) == {"first", "last"}


@pytest.mark.parametrize("name", ["endpoint", "_external", "_anchor", "_method", "user_id"])
def test_odd_query_parameter_names_do_not_break_the_link_header(client, seed, alice_id, name):
    seed.posts([alice_id], 3)
    for path in (f"{V2}/posts", f"{V2}/users/{alice_id}/posts"):
        response = client.get(path, query_string={name: "x", "limit": 1})
        assert response.status_code == 200, response.json
        links = parse_links(response.headers["Link"])
        next_path, params = links["next"]
        assert next_path == path
        # Parameters the list does not know are not carried into the links at all.
        assert name not in params and params["limit"] == "1" and "after" in params
        assert client.get(path, query_string=params).status_code == 200


def follow_next_links(client, path, headers, limit):
    """Every page from ``path?limit=`` to the end by ``next`` links: [(body, links), ...]."""
    pages, url = [], f"{path}?limit={limit}"
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        links = parse_links(response.headers["Link"])
        pages.append((response.json, links))
        assert len(pages) <= 20, "next links never end"
        url = "next" in links and f"{links['next'][0]}?{urlencode(links['next'][1])}"
    return pages


@pytest.mark.parametrize("limit", [4, 5], ids=["pages-end-exactly", "short-last-page"])
@pytest.mark.parametrize("listing", ["users", "todos"])
def test_next_links_visit_every_item_once_with_right_prev_and_last(
    client, auth, seed, alice, alice_id, listing, limit
):
    if listing == "users":
        expected = {alice_id} | {auth.create_user(f"user{n:02d}") for n in range(19)}
    else:
        expected = {seed.todo(alice_id, f"todo {n:02d}", minute=n) for n in range(20)}
    total = len(expected)  # 20: four full pages of 5, or five of 4
    last_offset = (total - 1) // limit * limit

    pages = follow_next_links(client, f"{V2}/{listing}", alice, limit)

    seen = [item["id"] for body, _ in pages for item in body["items"]]
    assert sorted(seen) == sorted(expected)  # every item, none twice
    assert len(pages) == -(-total // limit)
    for number, (body, links) in enumerate(pages):
        offset = number * limit
        assert (body["offset"], body["limit"], body["total"]) == (offset, limit, total)
        assert body["count"] == len(body["items"]) == min(limit, total - offset)
        assert links["first"][1]["offset"] == "0"
        assert links["last"][1]["offset"] == str(last_offset)
        if number == 0:
            assert "prev" not in links
        else:
            assert links["prev"][1]["offset"] == str(offset - limit)
    assert pages[-1][0]["offset"] == last_offset
    assert "next" not in pages[-1][1]
