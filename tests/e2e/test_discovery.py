"""Finding things in a real browser: author pages with a follow button, the Following tab,
the tag cloud, search in the server's order, and the Atom feeds the pages offer."""

from __future__ import annotations

import re
import uuid

import feedparser
import pytest

from ..helpers import signed_in

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[dev]'"
)
expect = sync_api.expect
expect.set_options(timeout=10_000)

ATOM_LINKS = 'head link[rel="alternate"][type="application/atom+xml"]'


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def watch_csp(page) -> list[str]:
    """Collect the page's Content-Security-Policy violations (none may happen)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


def read_feed(page, url: str):
    """Fetch a feed as the browser would and parse it strictly."""
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.body())
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_author_page_with_bio_posts_feed_and_a_follow_button(servers, pages):
    api = servers.api
    author, reader = unique("author"), unique("reader")
    author_id = api.create_user(author)["id"]
    api.create_user(reader)
    token = api.login(author)["access_token"]
    status, _ = api.call(
        "PATCH",
        "/api/v2/me",
        {"bio": "Writes <b>about</b> tea.", "image": "https://images.example.com/me.png"},
        token,
    )
    assert status == 200
    first = api.create_post(token, unique("First "), "one")
    second = api.create_post(token, unique("Second "), "two")
    draft = api.create_post(token, unique("Draft "), "hidden", published=False)

    page = pages.new("reader")
    csp = watch_csp(page)
    signed_in(page, api, reader)
    page.goto(f"{api.base}/#/p/{first['slug']}")
    page.locator(".post a.author").click()

    expect(page).to_have_url(re.compile(rf"#/u/{author}$"))
    expect(page.get_by_role("heading", name=author, exact=True)).to_be_visible()
    expect(page.locator(".bio")).to_have_text("Writes <b>about</b> tea.")  # text, not markup
    expect(page.locator(".avatar-initial")).to_have_text(author[0].upper())
    picture = page.get_by_role("link", name="Profile picture")
    expect(picture).to_have_attribute("href", "https://images.example.com/me.png")
    cards = page.locator(".post-card-title a")
    expect(cards).to_have_text([second["title"], first["title"]])  # no draft
    expect(page.locator(".author-page")).not_to_contain_text(draft["title"])

    counts, button = page.locator(".follow-counts"), page.locator("button.follow")
    expect(counts).to_have_text("0 followers · 0 following")
    expect(button).to_have_text("Follow")
    button.click()
    expect(counts).to_have_text("1 follower · 0 following")
    expect(button).to_have_text("Unfollow")
    expect(button).to_have_attribute("aria-pressed", "true")
    reader_token = api.login(reader)["access_token"]
    _, profile = api.call("GET", f"/api/v2/users/{author_id}", token=reader_token)
    assert (profile["following"], profile["followers_count"]) == (True, 1)

    page.reload()
    expect(page.locator("button.follow")).to_have_text("Unfollow")
    page.locator("button.follow").click()
    expect(page.locator(".follow-counts")).to_have_text("0 followers · 0 following")
    expect(page.locator("button.follow")).to_have_attribute("aria-pressed", "false")

    # The page offers the author's feed beside the site's; both are valid Atom.
    author_feed = page.locator(f"{ATOM_LINKS}[data-page-feed]")
    expect(author_feed).to_have_attribute("href", f"{api.base}/feeds/users/{author_id}.atom")
    feed = read_feed(page, author_feed.get_attribute("href"))
    assert [entry.title for entry in feed.entries] == [second["title"], first["title"]]
    assert feed.entries[0].link == f"{api.base}/#/p/{second['slug']}"
    page.get_by_role("link", name="Posts", exact=True).click()
    expect(page.locator(f"{ATOM_LINKS}[data-page-feed]")).to_have_count(0)

    anonymous = pages.new("anonymous")
    anonymous.goto(f"{api.base}/#/u/{author}")
    expect(anonymous.locator("a.follow")).to_have_text("Log in to follow")
    expect(anonymous.locator(".follow-counts")).to_have_text("0 followers · 0 following")
    anonymous.goto(f"{api.base}/#/u/{unique('nobody')}")
    expect(anonymous.get_by_role("heading", name="Not found")).to_be_visible()
    assert page.js_errors == [] and anonymous.js_errors == [] and csp == []


def test_following_tab_shows_only_followed_authors_and_pages(servers, pages):
    api = servers.api
    followed, other, reader = unique("liked"), unique("other"), unique("fan")
    followed_id = api.create_user(followed)["id"]
    api.create_user(other)
    api.create_user(reader)
    followed_token = api.login(followed)["access_token"]
    titles = [
        api.create_post(followed_token, f"{followed} {n:02d}", "x")["title"] for n in range(11)
    ]
    api.create_post(followed_token, unique("Unpublished "), "x", published=False)
    api.create_post(api.login(other)["access_token"], unique("Not followed "), "x")
    status, _ = api.call(
        "PUT", f"/api/v2/users/{followed_id}/follow", token=api.login(reader)["access_token"]
    )
    assert status == 200

    page = pages.new("reader")
    signed_in(page, api, reader)
    page.get_by_role("link", name="Following", exact=True).click()

    expect(page).to_have_url(re.compile(r"#/following$"))
    expect(page.get_by_role("heading", name="From people you follow")).to_be_visible()
    cards = page.locator(".post-card-title a")
    expect(cards).to_have_text(titles[::-1][:10])  # newest first, a page of 10
    expect(page.locator(".post-card .author")).to_have_text([followed] * 10)
    page.get_by_role("link", name="Next →").click()
    expect(cards).to_have_text([titles[0]])
    page.get_by_role("link", name="Latest").click()
    expect(page.get_by_role("heading", name="Latest posts")).to_be_visible()

    anonymous = pages.new("anonymous")
    anonymous.goto(f"{api.base}/#/")
    expect(anonymous.get_by_role("heading", name="Latest posts")).to_be_visible()
    expect(anonymous.locator(".feed-tabs")).to_have_count(0)
    anonymous.goto(f"{api.base}/#/following")
    expect(anonymous.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.js_errors == [] and anonymous.js_errors == []


def test_tag_cloud_sizes_tags_by_count_and_links_to_the_tag_page(servers, pages):
    api = servers.api
    author = unique("tagger")
    api.create_user(author)
    token = api.login(author)["access_token"]
    busy, rare = unique("busy"), unique("rare")
    for n in range(6):
        api.create_post(token, f"{busy} {n}", "x", tags=[busy, rare] if n == 0 else [busy])

    page = pages.new()
    csp = watch_csp(page)
    page.goto(f"{api.base}/#/")
    home_cloud = page.locator(".cloud-box .tag-cloud")
    expect(home_cloud).to_be_visible()
    expect(home_cloud.get_by_role("link", name=busy)).to_have_attribute("data-count", "6")

    page.get_by_role("link", name="Tags", exact=True).click()
    expect(page.get_by_role("heading", name="Tags", exact=True)).to_be_visible()
    busy_link = page.locator(".tag-cloud").get_by_role("link", name=busy)
    rare_link = page.locator(".tag-cloud").get_by_role("link", name=rare)
    expect(busy_link).to_have_attribute("title", "6 posts")
    expect(rare_link).to_have_attribute("title", "1 post")
    size = re.compile(r"\bcloud-(\d)\b")
    busy_size = int(size.search(busy_link.get_attribute("class"))[1])
    rare_size = int(size.search(rare_link.get_attribute("class"))[1])
    assert busy_size > rare_size
    # Both sizes in one evaluation, retried: a cloud re-rendered between two lookups leaves a
    # detached element, whose computed font size is empty (NaN).
    both = page.wait_for_function(
        """([busy, rare]) => {
            const size = (name) => {
                const link = [...document.querySelectorAll(".tag-cloud a")]
                    .find((a) => a.textContent.trim() === name);
                return link ? parseFloat(getComputedStyle(link).fontSize) : NaN;
            };
            const sizes = [size(busy), size(rare)];
            return sizes.every((v) => !Number.isNaN(v)) && sizes;
        }""",
        arg=[busy, rare],
    ).json_value()
    assert both[0] > both[1]  # the stylesheet applies it

    busy_link.click()
    expect(page).to_have_url(re.compile(rf"#/tags/{busy}$"))
    expect(page.get_by_role("heading", name=f"Posts tagged {busy}")).to_be_visible()
    expect(page.locator(".post-card")).to_have_count(6)
    assert page.js_errors == [] and csp == []


def test_search_shows_results_in_the_servers_order(servers, pages):
    api = servers.api
    author = unique("seeker")
    api.create_user(author)
    token = api.login(author)["access_token"]
    word = unique("quokka")
    api.create_post(token, f"All about the {word}", f"The {word} is a small marsupial.")
    api.create_post(token, "Island notes", f"Rottnest has many a {word}.")
    api.create_post(token, f"{word} {word} {word}", "Repeated in the title.")
    api.create_post(token, "Unrelated", "Nothing to see here.")
    _, expected = api.call("GET", f"/api/v2/posts?q={word}")
    expected_titles = [post["title"] for post in expected["items"]]
    assert len(expected_titles) == 3

    page = pages.new()
    page.goto(f"{api.base}/#/")
    page.get_by_role("searchbox", name="Search posts").fill(word)
    page.get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(rf"#/\?q={word}$"))
    expect(page.get_by_role("heading", name=f"Results for {word}")).to_be_visible()
    expect(page.locator(".post-card-title a")).to_have_text(expected_titles)
    expect(page.locator(".count")).to_contain_text("1–3 of 3 posts")
    assert page.js_errors == []


def test_pages_offer_the_site_feed_for_autodiscovery(servers, pages):
    api = servers.api
    author = unique("feeder")
    api.create_user(author)
    post = api.create_post(api.login(author)["access_token"], unique("Feed me "), "**bold**")

    page = pages.new()
    # Discoverable without running the page's script: the served HTML names the feed.
    html = page.request.get(f"{api.base}/").text()
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" [^>]*href="/feeds/posts.atom"', html
    )
    page.goto(f"{api.base}/#/")
    site_feed = page.locator(ATOM_LINKS).first
    expect(site_feed).to_have_attribute("href", f"{api.base}/feeds/posts.atom")
    feed = read_feed(page, site_feed.get_attribute("href"))
    entry = next(entry for entry in feed.entries if entry.title == post["title"])
    assert entry.content[0].value == "<p><strong>bold</strong></p>"
    assert entry.link == f"{api.base}/#/p/{post['slug']}"

    # Served from another origin, the page points readers at the API's feed.
    elsewhere = pages.new("static")
    elsewhere.goto(f"{servers.static}/#/")
    expect(elsewhere.get_by_role("heading", name="Latest posts")).to_be_visible()
    expect(elsewhere.locator(ATOM_LINKS).first).to_have_attribute(
        "href", f"{api.base}/feeds/posts.atom"
    )
    assert page.js_errors == [] and elsewhere.js_errors == []
