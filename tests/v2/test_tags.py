"""Tags: rows in a tags table, normalized, answered sorted, and ``?tag=`` filtering."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Tag, post_tags

from ..helpers import V2, assert_error


@pytest.fixture
def alice(auth):
    return auth.user("alice")


def create(client, headers, tags, title="Tagged", **body):
    return client.post(
        f"{V2}/posts", json={"title": title, "content": "c", "tags": tags, **body}, headers=headers
    )


def tag_names(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(Tag.name).order_by(Tag.name)))


def links(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(post_tags))


def test_tags_are_trimmed_lowercased_deduplicated_and_sorted(client, app, alice):
    response = create(client, alice, [" Python ", "flask", "PYTHON", "web-dev", "Ünï"])
    assert response.status_code == 201
    assert response.json["tags"] == ["flask", "python", "web-dev", "ünï"]
    assert client.get(f"{V2}/posts/{response.json['id']}").json["tags"] == response.json["tags"]
    assert tag_names(app) == ["flask", "python", "web-dev", "ünï"]


def test_tags_sort_by_code_point_on_every_backend(client, alice):
    response = create(client, alice, ["ab", "a-c", "a", "b2", "b-1", "éa", "z"])
    expected = ["a", "a-c", "ab", "b-1", "b2", "z", "éa"]
    assert response.json["tags"] == expected
    listed = client.get(f"{V2}/posts").json["items"][0]["tags"]
    assert listed == expected


def test_a_post_without_tags_has_an_empty_list(client, alice):
    response = client.post(f"{V2}/posts", json={"title": "T", "content": "C"}, headers=alice)
    assert response.json["tags"] == []


def test_posts_share_tag_rows(client, app, alice):
    create(client, alice, ["python", "flask"])
    create(client, alice, ["python"])
    assert tag_names(app) == ["flask", "python"]
    assert links(app) == 3


@pytest.mark.parametrize(
    "tags",
    [
        "python",
        [1],
        [None],
        [""],
        ["   "],
        ["x" * 33],
        ["has space"],
        ["under_score"],
        ["emoji🙂"],
        ["nul\x00"],
        [f"t{n}" for n in range(11)],
        {"a": 1},
    ],
)
def test_invalid_tags_are_422_and_create_nothing(client, app, alice, tags):
    response = create(client, alice, tags)
    assert_error(response, 422)
    assert "tags" in response.json["errors"]
    assert tag_names(app) == []
    assert client.get(f"{V2}/posts").json["total"] == 0


def test_ten_tags_are_fine_and_duplicates_do_not_count(client, alice):
    tags = [f"t{n}" for n in range(10)] + ["T0", " t1 "]
    response = create(client, alice, tags)
    assert response.status_code == 201
    assert len(response.json["tags"]) == 10


def test_patch_replaces_tags_and_put_without_tags_clears_them(client, app, alice):
    post = create(client, alice, ["a", "b"]).json
    patched = client.patch(f"{V2}/posts/{post['id']}", json={"tags": ["c", "a"]}, headers=alice)
    assert patched.json["tags"] == ["a", "c"]
    untouched = client.patch(f"{V2}/posts/{post['id']}", json={"title": "New"}, headers=alice)
    assert untouched.json["tags"] == ["a", "c"]
    replaced = client.put(
        f"{V2}/posts/{post['id']}", json={"title": "T", "content": "C"}, headers=alice
    )
    assert replaced.json["tags"] == []
    assert links(app) == 0


def post_links(app, post_id):
    with app.app_context():
        query = (
            sa.select(Tag.name, post_tags.c.tag_id)
            .join(post_tags, post_tags.c.tag_id == Tag.id)
            .where(post_tags.c.post_id == post_id)
            .order_by(Tag.name)
        )
        return [tuple(row) for row in db.session.execute(query)]


def test_an_edit_moves_only_the_tags_that_change(client, app, alice):
    """Kept tags keep their rows, dropped ones go, new and existing ones are linked; the
    answer, a read, the links and the published counts all agree."""
    other = create(client, alice, ["e"], title="Other").json
    post = create(client, alice, ["a", "b", "c"]).json
    before = dict(post_links(app, post["id"]))
    body = {"tags": ["d", "c", "e", "b", "d"], "published": False}
    patched = client.patch(f"{V2}/posts/{post['id']}", json=body, headers=alice)
    assert patched.status_code == 200, patched.json
    assert patched.json["tags"] == ["b", "c", "d", "e"]
    assert client.get(f"{V2}/posts/{post['id']}", headers=alice).json["tags"] == [
        "b",
        "c",
        "d",
        "e",
    ]
    after = dict(post_links(app, post["id"]))
    assert sorted(after) == ["b", "c", "d", "e"]
    assert after["b"] == before["b"] and after["c"] == before["c"]
    assert tag_names(app) == ["a", "b", "c", "d", "e"]
    assert client.get(f"{V2}/tags").json["items"] == [{"name": "e", "count": 1}]
    body = {"tags": ["a", "e"], "published": True}
    republished = client.patch(f"{V2}/posts/{post['id']}", json=body, headers=alice)
    assert republished.json["tags"] == ["a", "e"]
    assert client.get(f"{V2}/tags").json["items"] == [
        {"name": "e", "count": 2},
        {"name": "a", "count": 1},
    ]
    assert [name for name, _ in post_links(app, other["id"])] == ["e"]


def test_tag_filter(client, auth, alice):
    one = create(client, alice, ["python", "flask"], title="one").json
    two = create(client, alice, ["python"], title="two").json
    create(client, alice, ["rust"], title="three")
    create(client, alice, ["python"], title="draft", published=False)

    response = client.get(f"{V2}/posts", query_string={"tag": " Python ", "sort": "title"})
    assert response.status_code == 200
    assert [p["id"] for p in response.json["items"]] == [one["id"], two["id"]]
    assert response.json["total"] == 2
    assert client.get(f"{V2}/posts?tag=flask").json["total"] == 1
    assert client.get(f"{V2}/posts?tag=nothing").json["items"] == []
    # The author sees their draft in the list, as without the filter.
    assert client.get(f"{V2}/posts?tag=python", headers=alice).json["total"] == 3
    assert client.get(f"{V2}/posts?tag=python", headers=auth.user("bob")).json["total"] == 2


def test_tag_filter_keeps_the_tag_in_paging_links(client, alice):
    for n in range(3):
        create(client, alice, ["x"], title=f"p{n}")
    response = client.get(f"{V2}/posts?tag=x&limit=2")
    assert response.json["count"] == 2
    assert "tag=x" in response.headers["Link"]


@pytest.mark.parametrize("tag", ["", "a b", "x" * 33, "a_b"])
def test_invalid_tag_filter_is_422(client, tag):
    response = client.get(f"{V2}/posts", query_string={"tag": tag})
    assert_error(response, 422)
    assert "tag" in response.json["errors"]


def test_deleting_a_post_removes_its_tag_links(client, app, alice):
    post = create(client, alice, ["a", "b"]).json
    assert client.delete(f"{V2}/posts/{post['id']}", headers=alice).status_code == 204
    assert links(app) == 0
    assert client.get(f"{V2}/posts?tag=a").json["total"] == 0


def test_tag_filter_reads_an_index(app):
    """At a million posts ?tag= must not scan post_tags: (tag_id, post_id) is indexed."""
    with app.app_context():
        indexes = sa.inspect(db.engine).get_indexes("post_tags")
    assert ["tag_id", "post_id"] in [index["column_names"] for index in indexes]


def test_tags_that_exist_are_read_not_inserted(client, app, alice):
    """A new post naming tags that all exist links them in one statement (INSERT … SELECT
    by name); only new names are inserted, and a mix of both links every tag once."""
    from ..helpers import sql_statements

    assert create(client, alice, ["a", "b"], title="first").status_code == 201
    with sql_statements(app) as seen:
        assert create(client, alice, ["b", "a"], title="second").status_code == 201
    assert not [s for s in seen if s.lstrip().upper().startswith("INSERT INTO TAGS")]
    assert len([s for s in seen if "FROM tags" in s]) == 1
    with sql_statements(app) as seen:
        mixed = create(client, alice, ["a", "c"], title="third")
    assert mixed.status_code == 201 and mixed.json["tags"] == ["a", "c"]
    assert len([s for s in seen if s.lstrip().upper().startswith("INSERT INTO TAGS")]) == 1
    assert tag_names(app) == ["a", "b", "c"] and links(app) == 6
