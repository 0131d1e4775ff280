"""The blog in a real browser: slug URLs, rendered Markdown (inert XSS), tags, likes, comments,
and the editor's server preview (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import os
import re
import uuid

import pytest

from ..helpers import PASSWORD, ROOT

SCREENSHOTS = ROOT / "docs" / "screenshots"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install -e '.[e2e]'"
)
expect = sync_api.expect
expect.set_options(timeout=10_000)

XSS_CONTENT = """# Harmless heading

Safe [https link](https://example.com/page) and **bold** text.

<script>window.pwned = 'script'</script>
<img src=x onerror="window.pwned = 'img'">
<svg onload="window.pwned = 'svg'"><circle r="5"></circle></svg>
<iframe src="javascript:window.pwned='iframe'"></iframe>
<iframe srcdoc="<script>parent.pwned='srcdoc'</script>"></iframe>
<details open ontoggle="window.pwned = 'details'"><summary>more</summary>text</details>
<a href="javascript:window.pwned='link'">html link</a>
<a href="&#x6A;avascript:window.pwned='entity'">entity link</a>
<style>body { display: none }</style>

[markdown link](javascript:window.pwned='md')
[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQucHduZWQ9MTwvc2NyaXB0Pg==)
![data image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)
<b>unclosed <i>tags

<math><mtext><table><mglyph><style><img src=x onerror="window.pwned='mxss'">"""

# Every element and attribute under ``root``: what the page's DOM really holds.
INSPECT = """(root) => [...root.querySelectorAll('*')].map((el) => ({
    tag: el.localName,
    attrs: [...el.attributes].map((a) => [a.name, a.value]),
}))"""


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def signed_in(page, api, username):
    """Open the app signed in as ``username`` (its own cookie-mode login, without the form);
    return an access token of another session of theirs, for API calls."""
    page.goto(f"{api.base}/#/")
    page.evaluate(
        "async ([name, password]) => (await import('/js/api.js')).login(name, password)",
        [username, PASSWORD],
    )
    page.reload()
    expect(page.locator("#nav")).to_contain_text(username)
    return api.login(username)["access_token"]


def create_post(api, token, **body):
    status, post = api.call("POST", "/api/v2/posts", body, token)
    assert status == 201, post
    return post


def assert_inert(page, selector):
    assert page.evaluate("() => window.pwned") is None
    for element in page.eval_on_selector(selector, INSPECT):
        assert element["tag"] not in {"script", "style", "iframe", "svg", "math", "object"}
        for name, value in element["attrs"]:
            assert not name.startswith("on"), element
            assert name not in {"style", "srcdoc"}, element
            if name in ("href", "src"):
                assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), element


def test_post_page_at_its_slug_with_markdown_tags_and_old_slugs(servers, pages):
    api = servers.api
    author = unique("sluggy")
    api.create_user(author)
    token = api.login(author)["access_token"]
    word = unique("kyoto")
    post = create_post(
        api,
        token,
        title=f"Café in {word}",
        summary="A short trip",
        content="## Morning\n\nMatcha *first*, then [the map](https://example.com/map).",
        tags=["Travel", word],
    )
    assert post["slug"] == f"cafe-in-{word}"

    page = pages.new()
    page.goto(f"{api.base}/#/tags/{word}")
    expect(page.get_by_role("heading", name=f"Posts tagged {word}")).to_be_visible()
    card = page.locator(".post-card")
    expect(card).to_have_count(1)
    expect(card.locator(".tag")).to_have_text(sorted(["travel", word]))
    expect(card).to_contain_text("A short trip")
    expect(card).to_contain_text("0 likes · 0 comments")

    card.get_by_role("link", name=f"Café in {word}").click()
    expect(page).to_have_url(re.compile(rf"#/p/cafe-in-{word}$"))
    body = page.locator(".post-body")
    expect(body.locator("h2")).to_have_text("Morning")
    expect(body.locator("em")).to_have_text("first")
    link = body.get_by_role("link", name="the map")
    expect(link).to_have_attribute("href", "https://example.com/map")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    expect(page.locator(".summary")).to_have_text("A short trip")

    # The tag on the post leads to the tag page.
    page.locator(".post .tag", has_text="travel").click()
    expect(page.get_by_role("heading", name="Posts tagged travel")).to_be_visible()

    # A new slug: the old address still opens the post, and the bar shows the new one.
    status, _ = api.call("PATCH", f"/api/v2/posts/{post['id']}", {"slug": f"{word}-tea"}, token)
    assert status == 200
    page.goto(f"{api.base}/#/p/cafe-in-{word}")
    expect(page.get_by_role("heading", name=f"Café in {word}")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"#/p/{word}-tea$"))
    page.goto(f"{api.base}/#/posts/{post['id']}")
    expect(page).to_have_url(re.compile(rf"#/p/{word}-tea$"))
    page.goto(f"{api.base}/#/p/no-such-{word}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    assert page.js_errors == []


def test_a_post_and_a_comment_made_of_xss_payloads_render_inert(servers, pages):
    api = servers.api
    author = unique("mallory")
    api.create_user(author)
    token = api.login(author)["access_token"]
    post = create_post(api, token, title=unique("Payload "), content=XSS_CONTENT)
    status, _ = api.call(
        "POST", f"/api/v2/posts/{post['id']}/comments", {"content": XSS_CONTENT}, token
    )
    assert status == 201

    page = pages.new()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{api.base}/#/p/{post['slug']}")
    expect(page.locator(".post-body h1")).to_have_text("Harmless heading")
    expect(page.locator(".comment-body h1")).to_have_text("Harmless heading")
    body = page.locator(".post-body")
    expect(body.get_by_role("link", name="https link")).to_have_attribute(
        "href", "https://example.com/page"
    )
    expect(body.locator("strong")).to_have_text("bold")
    # Give any handler that might have slipped through a chance to fire.
    page.locator(".post-body").hover()
    page.wait_for_timeout(300)
    assert_inert(page, ".post")
    assert dialogs == []
    assert page.js_errors == []

    # The editor's preview goes through the same path.
    signed_in(page, api, author)
    page.goto(f"{api.base}/#/editor/{post['id']}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview h1")).to_have_text("Harmless heading")
    page.wait_for_timeout(300)
    assert_inert(page, ".preview")
    assert page.evaluate("() => window.pwned") is None


def test_like_button_counts_and_remembers(servers, pages):
    api = servers.api
    author, fan = unique("writer"), unique("fan")
    api.create_user(author)
    api.create_user(fan)
    post = create_post(
        api, api.login(author)["access_token"], title=unique("Likeable "), content="x"
    )

    anonymous = pages.new("anonymous")
    anonymous.goto(f"{api.base}/#/p/{post['slug']}")
    expect(anonymous.locator(".like")).to_have_text("♥ 0 · Log in to like")

    page = pages.new("fan")
    token = signed_in(page, api, fan)
    page.goto(f"{api.base}/#/p/{post['slug']}")
    like = page.locator("button.like")
    expect(like).to_have_text("♡ Like · 0")
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(like).to_have_text("♥ Liked · 1")
    expect(like).to_have_attribute("aria-pressed", "true")
    status, body = api.call("GET", f"/api/v2/posts/{post['id']}", token=token)
    assert (body["liked"], body["likes_count"]) == (True, 1)

    page.reload()
    expect(page.locator("button.like")).to_have_text("♥ Liked · 1")
    page.goto(f"{api.base}/#/")
    expect(page.locator(".post-card", has_text=post["title"])).to_contain_text("1 like ·")
    page.goto(f"{api.base}/#/p/{post['slug']}")
    page.locator("button.like").click()
    expect(page.locator("button.like")).to_have_text("♡ Like · 0")
    status, body = api.call("GET", f"/api/v2/posts/{post['id']}")
    assert body["likes_count"] == 0
    assert page.js_errors == []


def test_comments_read_write_edit_and_delete(servers, pages):
    api = servers.api
    author, reader = unique("host"), unique("guest")
    api.create_user(author)
    api.create_user(reader)
    author_token = api.login(author)["access_token"]
    post = create_post(
        api,
        author_token,
        title=unique("Discuss "),
        summary="Comments, likes and Markdown",
        content="Talk to me about **tea**:\n\n- green\n- black\n\n> Water at 80 °C.",
        tags=["tea", "questions"],
    )
    api.call("POST", f"/api/v2/posts/{post['id']}/comments", {"content": "First!"}, author_token)

    page = pages.new("reader")
    token = signed_in(page, api, reader)
    page.goto(f"{api.base}/#/p/{post['slug']}")
    comments = page.locator(".comment")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text("First!")
    expect(comments.first.get_by_role("button")).to_have_count(0)  # not theirs

    page.get_by_label("Your comment").fill("Hello *world*")
    page.get_by_role("button", name="Post comment").click()
    expect(comments).to_have_count(2)
    mine = comments.nth(1)
    expect(mine.locator("em")).to_have_text("world")
    expect(page.get_by_role("heading", name="Comments (2)")).to_be_visible()
    expect(page.get_by_label("Your comment")).to_have_value("")
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()  # one page holds all
    comment_id = int(mine.get_attribute("data-comment-id"))
    if os.getenv("UPDATE_SCREENSHOTS") == "1" or not (SCREENSHOTS / "post.png").exists():
        page.locator("button.like").click()
        expect(page.locator("button.like")).to_have_text("♥ Liked · 1")
        page.mouse.move(0, 0)
        page.screenshot(path=str(SCREENSHOTS / "post.png"), full_page=True)

    mine.get_by_role("button", name="Edit").click()
    mine.get_by_label("Edit comment").fill("Edited **text**")
    mine.get_by_role("button", name="Save comment").click()
    expect(mine.locator("strong")).to_have_text("text")
    status, body = api.call("GET", f"/api/v2/comments/{comment_id}")
    assert body["content"] == "Edited **text**"

    # An empty comment is refused next to the field, and nothing is added.
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-form [data-error-for=content]")).not_to_be_empty()
    expect(comments).to_have_count(2)

    # The post's author may delete the reader's comment, not edit it.
    host = pages.new("author")
    signed_in(host, api, author)
    host.goto(f"{api.base}/#/p/{post['slug']}")
    theirs = host.locator(f'[data-comment-id="{comment_id}"]')
    expect(theirs.get_by_role("button", name="Edit")).to_have_count(0)
    theirs.get_by_role("button", name="Delete").click()
    theirs.get_by_role("button", name="Really delete?").click()
    expect(theirs).to_have_count(0)
    expect(host.get_by_role("heading", name="Comments (1)")).to_be_visible()
    status, _ = api.call("GET", f"/api/v2/comments/{comment_id}", token=token)
    assert status == 404
    assert page.js_errors == [] and host.js_errors == []


def test_editor_writes_markdown_with_tags_and_a_server_preview(servers, pages):
    api = servers.api
    author = unique("editor")
    api.create_user(author)
    page = pages.new()
    token = signed_in(page, api, author)
    word = unique("tea")

    page.locator("#nav").get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill(f"Brewing {word}")
    page.get_by_label("Summary").fill("Three minutes")
    page.get_by_label("Tags").fill(f"Drinks, {word}, drinks")
    page.get_by_label("Content").fill("# Steps\n\n1. Boil\n2. **Wait**")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview")
    expect(preview.locator("h1")).to_have_text("Steps")
    expect(preview.locator("ol li")).to_have_text(["Boil", "Wait"])
    expect(preview.locator("strong")).to_have_text("Wait")

    # Bad tags: the field says why, and nothing is created.
    page.get_by_label("Tags").fill("no spaces please")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-error-for=tags]")).not_to_be_empty()
    status, mine = api.call("GET", f"/api/v2/posts?tag={word}", token=token)
    assert mine["total"] == 0

    page.get_by_label("Tags").fill(f"Drinks, {word}, drinks")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#flash")).to_contain_text("Published")
    status, listed = api.call("GET", f"/api/v2/posts?tag={word}")
    post = listed["items"][0]
    assert post["tags"] == sorted(["drinks", word])
    assert post["summary"] == "Three minutes"
    assert post["slug"] == f"brewing-{word}"

    # Editing the slug; a taken one is refused on the field.
    expect(page.get_by_label("Slug")).to_have_value(f"brewing-{word}")
    other = create_post(api, token, title=f"Other {word}", content="x")
    page.get_by_label("Slug").fill(other["slug"])
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("[data-error-for=slug]")).to_have_text("Slug already taken")
    page.get_by_label("Slug").fill(f"{word}-guide")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#flash")).to_contain_text("Changes saved")
    status, body = api.call("GET", f"/api/v2/posts/by-slug/{word}-guide")
    assert status == 200 and body["id"] == post["id"]
    assert page.js_errors == []


def test_long_comment_threads_page_with_show_more(servers, pages):
    api = servers.api
    author = unique("chatty")
    api.create_user(author)
    token = api.login(author)["access_token"]
    post = create_post(api, token, title=unique("Busy "), content="x")
    for n in range(52):
        api.call("POST", f"/api/v2/posts/{post['id']}/comments", {"content": f"c{n}"}, token)

    page = pages.new()
    page.goto(f"{api.base}/#/p/{post['slug']}")
    comments = page.locator(".comment")
    expect(page.get_by_role("heading", name="Comments (52)")).to_be_visible()
    expect(comments).to_have_count(50)
    page.get_by_role("button", name="Show more").click()
    expect(comments).to_have_count(52)
    expect(comments.last).to_contain_text("c51")
    expect(page.get_by_role("button", name="Show more")).to_be_hidden()
    assert page.js_errors == []
