"""Atom feeds (/feeds): valid for strict readers, newest 20 published posts, sanitized
content, stable entry ids, conditional GET, caching headers, rate limit, JSON errors."""

from __future__ import annotations

import feedparser
import lxml.html
import pytest
from lxml import etree

from .helpers import Auth, Seed, assert_error, sql_statements, user_id

V2 = "/api/v2"
ATOM = "{http://www.w3.org/2005/Atom}"


def read_feed(response):
    """Parse the feed as a strict reader does: well-formed Atom 1.0 or the test fails."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def xml_entries(response):
    """The entries as the raw XML holds them (feedparser sanitizes HTML on its own)."""
    return etree.fromstring(response.get_data()).findall(f"{ATOM}entry")


def create_post(client, headers, **body):
    response = client.post(f"{V2}/posts", json={"content": "text", **body}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_site_feed_holds_the_20_newest_published_posts_newest_first(app, client, auth):
    auth.create_user("alice")
    auth.create_user("bob")
    alice, bob = user_id(app, "alice"), user_id(app, "bob")
    seed = Seed(app)
    seed.posts([alice, bob], 25)  # post 000 … post 024, a minute apart
    seed.post(alice, "a newer draft", published=False, minute=100)

    response = client.get("/feeds/posts.atom")
    feed = read_feed(response)

    assert [entry.title for entry in feed.entries] == [f"post {n:03d}" for n in range(24, 4, -1)]
    assert feed.feed.title == "Blog"
    newest = feed.entries[0]
    assert newest.author == "alice"  # post 024: round-robin from alice
    assert newest.author_detail.href == "http://localhost/#/u/alice"
    assert newest.link.startswith("http://localhost/#/p/seed-")
    assert newest.content[0].type == "text/html"
    assert newest.content[0].value == "<p>content 024</p>"
    assert newest.updated == "2026-01-01T12:24:00+00:00"
    assert feed.feed.updated == newest.updated
    assert {
        "rel": "self",
        "type": "application/atom+xml",
        "href": "http://localhost/feeds/posts.atom",
    } in feed.feed.links
    assert response.headers["Last-Modified"] == "Thu, 01 Jan 2026 12:24:00 GMT"


def test_user_feed_has_only_that_authors_published_posts(app, client, auth):
    headers = auth.user("alice")
    auth.create_user("bob")
    seed = Seed(app)
    seed.post(user_id(app, "bob"), "bob's post", minute=5)
    seed.post(user_id(app, "alice"), "alice's secret draft", published=False, minute=6)
    seed.post(user_id(app, "alice"), "alice's post", minute=1)

    # The author's own token shows her drafts in the API, never in a feed.
    for request_headers in ({}, headers):
        feed = read_feed(
            client.get(f"/feeds/users/{user_id(app, 'alice')}.atom", headers=request_headers)
        )

        assert [entry.title for entry in feed.entries] == ["alice's post"]
    assert feed.feed.title == "Posts by alice · Blog"
    assert feed.feed.link == "http://localhost/#/u/alice"
    # One feed, one id: a zero-padded id names the same feed.
    padded = read_feed(client.get(f"/feeds/users/0{user_id(app, 'alice')}.atom"))
    assert (
        padded.feed.id
        == feed.feed.id
        == f"http://localhost/feeds/users/{user_id(app, 'alice')}.atom"
    )


def test_tags_and_summaries_in_one_statement_for_any_number_of_posts(app, client, auth):
    headers = auth.user("alice")
    create_post(client, headers, title="tagged", summary="In short", tags=["Tea", "x-y"])
    Seed(app).posts([user_id(app, "alice")], 30)

    alice = user_id(app, "alice")
    with sql_statements(app) as statements:
        site = read_feed(client.get("/feeds/posts.atom"))
    with sql_statements(app) as by_author:
        read_feed(client.get(f"/feeds/users/{alice}.atom"))

    entry = site.entries[0]
    assert entry.title == "tagged"
    assert [tag.term for tag in entry.tags] == ["tea", "x-y"]
    assert entry.summary == "In short"
    assert len(site.entries) == 20
    assert len(statements) == 1  # the posts with authors and tags: no query per entry
    assert len(by_author) == 2  # the user, then the posts


def test_a_user_without_posts_has_a_valid_empty_feed(app, client, auth):
    auth.create_user("quiet")

    response = client.get(f"/feeds/users/{user_id(app, 'quiet')}.atom")
    feed = read_feed(response)

    assert feed.entries == []
    assert feed.feed.updated  # Atom requires it: the account's creation
    empty_site = read_feed(client.get("/feeds/posts.atom"))
    assert empty_site.entries == []


@pytest.mark.parametrize("user_path", ["999", "0", "-1", "99999999999999999999"])
def test_unknown_user_is_a_json_404(client, user_path):
    response = client.get(f"/feeds/users/{user_path}.atom")

    body = assert_error(response, 404, "not_found")
    assert body["message"] == "User not found"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/feeds", 404),
        ("GET", "/feeds/posts.rss", 404),
        ("GET", "/feeds/users/alice.atom", 404),
        ("POST", "/feeds/posts.atom", 405),
        ("DELETE", "/feeds/users/1.atom", 405),
    ],
)
def test_other_feed_paths_answer_json_errors(client, method, path, status):
    assert_error(client.open(path, method=method), status)


XSS = """<script>alert(1)</script>
<img src=x onerror="alert(2)">
<a href="javascript:alert(3)">link</a>
<svg onload="alert(4)"></svg>
[md](javascript:alert(5))"""


def test_xss_payloads_stay_sanitized_and_titles_stay_text(client, auth):
    headers = auth.user("mallory")
    create_post(client, headers, title="<script>alert('title')</script> & co", content=XSS)

    response = client.get("/feeds/posts.atom")
    read_feed(response)
    (entry,) = xml_entries(response)

    title = entry.find(f"{ATOM}title")
    assert title.text == "<script>alert('title')</script> & co"  # text: escaped in the XML
    assert title.get("type") in (None, "text")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    elements = lxml.html.fragment_fromstring(content.text, create_parent="div").iter()
    for element in elements:
        assert element.tag not in {"script", "svg", "iframe", "style"}
        for name, value in element.attrib.items():
            assert not name.startswith("on")
            assert not value.strip().lower().startswith("javascript:")
    assert "link" in content.text  # the harmless text survives
    assert b"<script" not in response.get_data()  # nothing unescaped anywhere


def test_entry_ids_stay_the_same_across_edits(client, auth):
    headers = auth.user("alice")
    post = create_post(client, headers, title="First title")
    before = read_feed(client.get("/feeds/posts.atom")).entries[0]

    changed = client.patch(
        f"{V2}/posts/{post['id']}",
        json={"title": "A new title", "slug": "a-new-title", "content": "new *text*"},
        headers=headers,
    )
    assert changed.status_code == 200
    after = read_feed(client.get("/feeds/posts.atom")).entries[0]

    assert after.id == before.id
    assert after.id.startswith("tag:localhost,") and after.id.endswith(f":post-{post['id']}")
    assert after.title == "A new title"
    assert after.link.endswith("#/p/a-new-title") and before.link.endswith("#/p/first-title")
    assert after.content[0].value == "<p>new <em>text</em></p>"
    assert after.updated >= before.updated


def test_unicode_and_control_characters_in_titles(client, auth):
    headers = auth.user("zoë")
    title = "Café déjà vu — 東京 🚀 עברית"
    create_post(client, headers, title=title, content="Ünïcödé **body**")
    # Control characters XML cannot carry: dropped, not a broken feed for every reader.
    create_post(client, headers, title="bell\x07 and\x0b tab\tend", content="a\x01b")

    feed = read_feed(client.get("/feeds/posts.atom"))

    assert [entry.title for entry in feed.entries] == ["bell and tab\tend", title]
    assert feed.entries[1].author == "zoë"
    assert feed.entries[1].content[0].value == "<p>Ünïcödé <strong>body</strong></p>"


def test_conditional_get_answers_304_until_the_feed_changes(client, auth):
    headers = auth.user("alice")
    create_post(client, headers, title="one")
    first = client.get("/feeds/posts.atom")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    by_etag = client.get("/feeds/posts.atom", headers={"If-None-Match": etag})
    by_date = client.get("/feeds/posts.atom", headers={"If-Modified-Since": modified})

    assert etag.startswith('"') and not etag.startswith("W/")
    for answer in (by_etag, by_date):
        assert answer.status_code == 304
        assert answer.get_data() == b""
        assert answer.headers["ETag"] == etag
        assert answer.headers["Cache-Control"] == first.headers["Cache-Control"]

    create_post(client, headers, title="two")
    fresh = client.get("/feeds/posts.atom", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag
    assert [entry.title for entry in read_feed(fresh).entries] == ["two", "one"]
    # A draft changes nothing a reader can see: the same ETag, still 304.
    create_post(client, headers, title="draft", published=False)
    current = fresh.headers["ETag"]
    assert client.get("/feeds/posts.atom", headers={"If-None-Match": current}).status_code == 304


def test_unpublishing_an_entry_changes_the_etag(client, auth):
    headers = auth.user("alice")
    post = create_post(client, headers, title="soon a draft")
    etag = client.get("/feeds/posts.atom").headers["ETag"]

    client.patch(f"{V2}/posts/{post['id']}", json={"published": False}, headers=headers)
    answer = client.get("/feeds/posts.atom", headers={"If-None-Match": etag})

    assert answer.status_code == 200
    assert read_feed(answer).entries == []


def test_caching_and_safety_headers(client):
    response = client.get("/feeds/posts.atom")

    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "Pragma" not in response.headers  # public data: caches may keep it
    head = client.head("/feeds/posts.atom")
    assert head.status_code == 200 and head.headers["ETag"] == response.headers["ETag"]


def test_links_use_frontend_url_and_the_trusted_host(app_factory):
    app = app_factory(
        FRONTEND_URL="https://blog.example.org/app/", TRUSTED_HOSTS=["api.example.org"]
    )
    client = app.test_client()
    Auth(app, client).create_user("alice")
    Seed(app).post(user_id(app, "alice"), "Hello")

    response = client.get("/feeds/posts.atom", base_url="https://api.example.org")
    feed = read_feed(response)

    assert feed.feed.id == "https://api.example.org/feeds/posts.atom"
    assert feed.feed.link == "https://blog.example.org/app/#/"
    assert feed.entries[0].link.startswith("https://blog.example.org/app/#/p/seed-")
    assert feed.entries[0].author_detail.href == "https://blog.example.org/app/#/u/alice"
    assert feed.entries[0].id.startswith("tag:api.example.org,2026-01-01:post-")
    # Any other Host is refused before a URL is built from it.
    assert_error(client.get("/feeds/posts.atom", base_url="https://evil.example.com"), 400)


def test_feeds_are_rate_limited_per_client_address(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, FEED_RATE_LIMIT="2 per minute")
    client = app.test_client()

    statuses = [client.get("/feeds/posts.atom").status_code for _ in range(2)]
    limited = client.get("/feeds/users/1.atom")

    assert statuses == [200, 200]
    body = assert_error(limited, 429, "rate_limited")
    assert body["message"] == "Too many feed requests; poll less often"
    assert int(limited.headers["Retry-After"]) >= 1
    other = client.get("/feeds/posts.atom", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
