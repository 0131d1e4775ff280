"""What an answer echoes of the request is bounded: validation errors name a few fields,
briefly, and ``Link`` carries only the query parameters the list understands."""

import json

import pytest

from ..helpers import PASSWORD


def test_a_body_with_90k_unknown_keys_gets_a_small_422(client, auth):
    headers = auth.user("alice")
    body = {"title": "t", "content": "c", **{f"k{i:05d}": 0 for i in range(90_000)}}
    raw = json.dumps(body, separators=(",", ":"))
    assert len(raw) < 1024 * 1024

    response = client.post(
        "/api/v2/posts", data=raw, headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert len(response.get_data()) < 4096
    errors = response.json["errors"]
    assert 1 <= len(errors) <= 21
    assert errors["_more"] == ["... and 89980 more errors."]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_a_huge_field_name_is_cut_short_in_the_error(client, version):
    body = {"username": "bob", "password": PASSWORD, "email": 1, "x" * 100_000: 1}
    response = client.post(f"/api/{version}/users", json=body)
    assert response.status_code in (400, 422)
    assert len(response.get_data()) < 4096


@pytest.mark.parametrize(
    "query",
    [
        "junk=" + "j" * 200_000,
        "author_id=" + "0" * 4_000 + "1",
        "&".join(f"p{i}=v" for i in range(5_000)),
    ],
    ids=["unknown-parameter", "padded-number", "many-parameters"],
)
def test_link_carries_only_what_the_list_understands(client, query):
    response = client.get(f"/api/v2/posts?limit=5&{query}")
    assert response.status_code == 200
    link = response.headers["Link"]
    assert len(link) < 2048
    assert "limit=5" in link


def test_link_keeps_the_filters_of_the_list(client):
    response = client.get("/api/v2/posts?limit=5&q=hello&sort=title&author_id=0001")
    link = response.headers["Link"]
    assert "q=hello" in link and "sort=title" in link and "author_id=1" in link
