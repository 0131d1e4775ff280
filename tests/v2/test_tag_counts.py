"""GET /api/v2/tags: tags of published posts with their counts, most used first."""

from ..helpers import V2, assert_error, parse_links


def write(client, headers, title, tags, published=True):
    body = {"title": title, "content": "c", "tags": tags, "published": published}
    response = client.post(f"{V2}/posts", json=body, headers=headers)
    assert response.status_code == 201, response.json


def test_tags_are_counted_on_published_posts_most_used_first(client, auth):
    alice = auth.user("alice")
    write(client, alice, "a", ["flask", "python"])
    write(client, alice, "b", ["python", "zeta"])
    write(client, alice, "c", ["python", "flask", "alpha"])
    write(client, alice, "draft", ["secret", "python", "alpha"], published=False)

    response = client.get(f"{V2}/tags")

    assert response.status_code == 200
    assert response.json["items"] == [
        {"name": "python", "count": 3},
        {"name": "flask", "count": 2},
        {"name": "alpha", "count": 1},
        {"name": "zeta", "count": 1},
    ]
    assert response.json["total"] == 4


def test_tags_are_paged_with_links(client, auth):
    alice = auth.user("alice")
    for n in range(5):
        write(client, alice, f"p{n}", [f"tag{n}"])
    first = client.get(f"{V2}/tags?limit=2")
    assert [t["name"] for t in first.json["items"]] == ["tag0", "tag1"]
    path, query = parse_links(first.headers["Link"])["next"]
    second = client.get(f"{path}?limit={query['limit']}&offset={query['offset']}")
    assert [t["name"] for t in second.json["items"]] == ["tag2", "tag3"]
    assert_error(client.get(f"{V2}/tags?limit=101"), 422, "validation_error")


def test_deleting_a_post_takes_its_tags_out_of_the_counts(client, auth):
    alice = auth.user("alice")
    write(client, alice, "a", ["flask"])
    post_id = client.get(f"{V2}/posts").json["items"][0]["id"]
    assert client.delete(f"{V2}/posts/{post_id}", headers=alice).status_code == 204
    assert client.get(f"{V2}/tags").json["items"] == []
