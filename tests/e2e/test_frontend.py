"""The reference frontend in a real browser (Debian's chromium driven by Playwright).

Served by the app itself at ``/`` (SERVE_FRONTEND) and, for the cross-origin test, by
``python -m http.server`` on another port against an API that lists that origin in CORS.
"""

from __future__ import annotations

import os
import re
import time
import uuid

from ..helpers import PASSWORD, ROOT, require_browser

try:
    from playwright.sync_api import expect
except ImportError:  # skip the module on a developer's machine, fail it under CI
    require_browser()
    raise

expect.set_options(timeout=10_000)
SCREENSHOTS = ROOT / "docs" / "screenshots"

SEED_POSTS = [
    (
        "ada",
        "Notes on the Analytical Engine",
        "The engine weaves algebraic patterns just as the Jacquard loom weaves flowers and "
        "leaves. A few thoughts on what that means for the people who will program it.",
    ),
    (
        "grace",
        "Why I keep a nanosecond on my desk",
        "A piece of wire about thirty centimetres long: the distance light travels in a "
        "billionth of a second. It is the best argument against wasting a single cycle.",
    ),
    (
        "linus",
        "Release early, release often",
        "Small changes, reviewed in the open and shipped quickly, beat the grand rewrite "
        "nearly every time. Here is how we keep the patch queue moving.",
    ),
    (
        "ada",
        "Poetical science",
        "Imagination is the discovering faculty, pre-eminently. It is that which penetrates "
        "into the unseen worlds around us, the worlds of science.",
    ),
    (
        "grace",
        "It is easier to ask forgiveness",
        "…than it is to get permission. On shipping the first compiler while the committee "
        "was still debating whether computers could understand English words.",
    ),
    (
        "linus",
        "Good taste in code",
        "Removing the special case for the head of a linked list is a small thing, but it "
        "is the kind of small thing that tells you how someone thinks about data.",
    ),
]
SEED_TAGS = [
    ["engines", "history"],
    ["hardware", "performance"],
    ["open-source", "process"],
    ["history", "science"],
    ["compilers", "history"],
    ["code-review", "data-structures"],
]


EDITOR_TEXT = """The engine is not a calculating machine in the ordinary sense.

It can arrange and combine its numerical quantities exactly as if they were letters \
or any other general symbols; and in fact it might bring out its results in algebraical \
notation, were provisions made accordingly.

Note G follows: a table of the operations for computing the Bernoulli numbers."""


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def want_screenshot(name: str) -> bool:
    """Regenerate the README screenshots when asked (UPDATE_SCREENSHOTS=1) or when missing."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return os.getenv("UPDATE_SCREENSHOTS") == "1" or not (SCREENSHOTS / name).exists()


def refresh_cookie(page, base: str) -> str | None:
    """The HttpOnly refresh cookie the API set in this page's browser context (or None)."""
    for cookie in page.context.cookies(f"{base}/api/v2/auth/refresh"):
        if cookie["name"] == "refresh_token":
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert cookie["path"] == "/api/v2/auth"
            return cookie["value"]
    return None


def bearer_log(page) -> list[str]:
    """Every access token the page sends from now on, in order."""
    sent: list[str] = []

    def record(request):
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            sent.append(header.removeprefix("Bearer "))

    page.on("request", record)
    return sent


def no_token_in_storage(page) -> None:
    """Cookie mode: neither storage holds a token (only the CSRF token, in localStorage)."""
    stored = page.evaluate(
        "() => JSON.stringify([Object.entries(sessionStorage), Object.entries(localStorage)])"
    )
    assert "eyJ" not in stored, stored


def flash(page):
    return page.locator("#flash")


def nav(page):
    return page.locator("#nav")


def login_in_ui(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/#/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My posts")).to_be_visible()
    expect(nav(page)).to_contain_text(username)


def test_post_list_pages_through_link_headers(servers, pages):
    api = servers.api
    tokens = {}
    for name in ("ada", "grace", "linus"):
        api.create_user(name)
        tokens[name] = api.login(name)["access_token"]
    for index in range(6):  # six filler posts so the list has a second page
        api.create_post(tokens["linus"], f"Changelog {index + 1}", "Bug fixes and small polish.")
    for (author, title, content), tags in zip(SEED_POSTS, SEED_TAGS, strict=True):
        api.create_post(tokens[author], title, content, tags=tags)
    status, first = api.call("GET", "/api/v2/posts")
    assert status == 200 and first["total"] >= 12

    page = pages.new()
    page.goto(f"{api.base}/")
    cards = page.locator(".post-card")
    expect(cards).to_have_count(10)
    expect(cards.locator("h2 a")).to_have_text([post["title"] for post in first["items"]])
    expect(cards.first).to_contain_text(f"by {first['items'][0]['author']['username']}")
    expect(page.get_by_role("link", name="← Previous")).to_have_count(0)
    if want_screenshot("post-list.png"):
        page.mouse.move(0, 0)
        page.screenshot(path=str(SCREENSHOTS / "post-list.png"))

    page.get_by_role("link", name="Next →").click()
    status, second = api.call("GET", "/api/v2/posts?offset=10&limit=10")
    expect(page).to_have_url(re.compile(r"#/\?after=[\w-]+&limit=10$"))  # the keyset cursor
    expect(cards.locator("h2 a")).to_have_text([post["title"] for post in second["items"]])
    page.get_by_role("link", name="← Previous").click()
    expect(cards).to_have_count(10)
    expect(cards.first).to_contain_text(first["items"][0]["title"])

    # The editor, as the README shows it.
    login_in_ui(page, api.base, "ada")
    nav(page).get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill("Sketch of the Analytical Engine, annotated")
    page.get_by_label("Content").fill(EDITOR_TEXT)
    if want_screenshot("editor.png"):
        page.mouse.move(0, 0)
        page.screenshot(path=str(SCREENSHOTS / "editor.png"))
    page.get_by_role("button", name="Save draft").click()
    expect(flash(page)).to_contain_text("Draft saved")
    assert page.js_errors == []


def test_writing_a_post_from_draft_to_deleted(servers, pages):
    api = servers.api
    username = unique("writer")
    word = unique("oolong")

    author = pages.new("author")
    author.goto(f"{api.base}/#/register")
    author.get_by_label("Username").fill(username)
    author.get_by_label("Password").fill(PASSWORD)
    author.get_by_role("button", name="Register").click()
    expect(flash(author)).to_contain_text("Your account is ready")
    expect(author.get_by_label("Username or e-mail")).to_have_value(username)
    author.get_by_label("Password").fill(PASSWORD)
    author.get_by_role("button", name="Log in").click()
    expect(author.get_by_role("heading", name="My posts")).to_be_visible()

    # A draft: saved, visible to its author only.
    nav(author).get_by_role("link", name="New post").click()
    author.get_by_label("Title").fill(f"Brewing {word}")
    author.get_by_label("Content").fill("Water at 90 °C.\nThree minutes.\n\nNo milk.")
    author.get_by_role("button", name="Save draft").click()
    expect(flash(author)).to_contain_text("Draft saved")
    expect(author).to_have_url(re.compile(r"#/editor/\d+$"))
    post_id = int(author.url.rsplit("/", 1)[1])
    status, body = api.call("GET", f"/api/v2/posts/{post_id}")
    assert status == 404, body  # anonymous API callers do not see drafts either

    reader = pages.new("reader")
    reader.goto(f"{api.base}/")
    expect(reader.locator(".post-list")).to_be_visible()  # rendered after the API answered
    expect(reader.locator(".post-list")).not_to_contain_text(word)
    reader.goto(f"{api.base}/#/posts/{post_id}")
    expect(reader.get_by_role("heading", name="Not found")).to_be_visible()

    nav(author).get_by_role("link", name="My posts").click()
    row = author.locator(f'[data-post-id="{post_id}"]')
    expect(row).to_contain_text("Draft")
    row.get_by_role("link", name="Edit").click()

    # Publish: now the anonymous reader sees it.
    author.get_by_role("button", name="Publish").click()
    expect(flash(author)).to_contain_text("Published")
    expect(author.get_by_role("button", name="Unpublish")).to_be_visible()
    reader.goto(f"{api.base}/")
    expect(reader.locator(".post-list")).to_contain_text(f"Brewing {word}")

    # Edit the title; the API has the new one.
    author.get_by_label("Title").fill(f"Brewing {word}, revisited")
    author.get_by_label("Content").fill(
        "Water at 90 °C, never boiling.\nThree minutes, then taste.\n\nNo milk, no sugar."
    )
    author.get_by_role("button", name="Save changes").click()
    expect(flash(author)).to_contain_text("Changes saved")
    status, body = api.call("GET", f"/api/v2/posts/{post_id}")
    assert status == 200 and body["title"] == f"Brewing {word}, revisited"
    assert body["published"] is True

    # Search finds it, and the post page shows the content as written.
    reader.get_by_role("searchbox").fill(word)
    reader.get_by_role("searchbox").press("Enter")
    expect(reader).to_have_url(re.compile(rf"#/\?q={word}$"))
    expect(reader.locator(".post-card")).to_have_count(1)
    reader.get_by_role("link", name=f"Brewing {word}, revisited").click()
    # Markdown: two paragraphs, the first with a soft line break.
    expect(reader.locator(".post-body p")).to_have_count(2)
    expect(reader.locator(".post-body p").first).to_contain_text("Water at 90 °C, never boiling.")
    expect(reader.locator(".post-body p").last).to_have_text("No milk, no sugar.")
    expect(reader.get_by_role("link", name="Edit post")).to_have_count(0)

    # Unpublish: a draft again, gone for the reader.
    author.get_by_role("button", name="Unpublish").click()
    expect(flash(author)).to_contain_text("Unpublished")
    expect(author.get_by_role("button", name="Publish")).to_be_visible()
    reader.reload()
    expect(reader.get_by_role("heading", name="Not found")).to_be_visible()

    # Delete, after confirming.
    author.get_by_role("button", name="Delete post").click()
    expect(author.get_by_role("alertdialog")).to_contain_text("cannot be undone")
    author.get_by_role("button", name="Yes, delete it").click()
    expect(flash(author)).to_contain_text("Post deleted")
    expect(author.get_by_role("heading", name="My posts")).to_be_visible()
    expect(author.locator(f'[data-post-id="{post_id}"]')).to_have_count(0)
    status, body = api.call("GET", f"/api/v2/posts/{post_id}")
    assert status == 404, body
    reader.reload()
    expect(reader.get_by_role("heading", name="Not found")).to_be_visible()
    assert author.js_errors == [] and reader.js_errors == []


def test_todos_add_tick_filter_and_delete(servers, pages):
    api = servers.api
    username = unique("doer")
    api.create_user(username)
    page = pages.new()
    sent = bearer_log(page)
    login_in_ui(page, api.base, username)
    nav(page).get_by_role("link", name="Todos").click()
    expect(page.get_by_role("heading", name="My todos")).to_be_visible()

    for title in ("Buy milk", "Write the report", "Call the plumber"):
        page.get_by_label("New todo").fill(title)
        page.get_by_role("button", name="Add").click()
        expect(page.locator(".todo")).to_contain_text([title])
    page.get_by_label("New todo").fill("")
    page.get_by_role("button", name="Add").click()
    expect(page.locator('[data-error-for="title"]')).to_have_text("Must not be empty.")
    rows = page.locator(".todo")
    expect(rows).to_have_count(3)

    page.get_by_label("Done: Buy milk").check()
    expect(page.locator(".todo.done")).to_have_text(re.compile("Buy milk"))
    token = sent[-1]
    status, body = api.call("GET", "/api/v2/todos?completed=true", token=token)
    assert status == 200 and [t["title"] for t in body["items"]] == ["Buy milk"]

    page.get_by_role("link", name="Open").click()
    expect(rows.locator(".todo-title")).to_have_text(["Call the plumber", "Write the report"])
    page.get_by_role("link", name="Done", exact=True).click()
    expect(rows.locator(".todo-title")).to_have_text(["Buy milk"])
    page.get_by_label("Done: Buy milk").click()  # unticked, it leaves the "Done" list
    expect(page.get_by_text("Nothing done yet.")).to_be_visible()
    page.get_by_role("link", name="All").click()
    expect(rows).to_have_count(3)

    page.get_by_role("button", name="Delete todo: Call the plumber").click()
    expect(rows.locator(".todo-title")).to_have_text(["Write the report", "Buy milk"])
    status, body = api.call("GET", "/api/v2/todos", token=token)
    assert sorted(t["title"] for t in body["items"]) == ["Buy milk", "Write the report"]
    assert page.js_errors == []


def test_expired_access_token_is_refreshed_without_the_user_noticing(servers, pages):
    api = servers.short_api  # access tokens live 2 seconds
    username = unique("patient")
    api.create_user(username)
    page = pages.new()
    sent = bearer_log(page)
    login_in_ui(page, api.base, username)
    nav(page).get_by_role("link", name="Todos").click()
    page.get_by_label("New todo").fill("Before the token expired")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".todo")).to_have_count(1)
    before_access, before_refresh = sent[-1], refresh_cookie(page, api.base)
    assert before_refresh
    no_token_in_storage(page)

    time.sleep(api.expires + 1.5)
    status, body = api.call("GET", "/api/v2/me", token=before_access)
    assert (status, body["message"]) == (401, "Token has expired")

    page.get_by_label("New todo").fill("After the token expired")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".todo-title")).to_have_text(
        ["After the token expired", "Before the token expired"]
    )
    expect(flash(page)).to_be_empty()
    expect(page.locator("body")).to_have_attribute("data-session", "user")
    assert sent[-1] != before_access
    after_refresh = refresh_cookie(page, api.base)
    assert after_refresh != before_refresh  # rotated, in the cookie
    no_token_in_storage(page)
    fresh = api.login(username)["access_token"]
    status, body = api.call("GET", "/api/v2/todos", token=fresh)
    assert status == 200 and body["total"] == 2

    # Several requests hitting an expired token at once share one refresh.
    time.sleep(api.expires + 1.5)
    statuses = page.evaluate(
        """async () => {
            const { api } = await import("/js/api.js");
            const open = { query: { completed: "false" } };
            const calls = [api("/me"), api("/todos"), api("/todos", open)];
            return (await Promise.all(calls)).map((answer) => answer.status);
        }"""
    )
    assert statuses == [200, 200, 200]
    assert refresh_cookie(page, api.base) != after_refresh
    expect(page.locator("body")).to_have_attribute("data-session", "user")

    # A refresh token two rotations old replayed (as a thief would): the API kills every
    # token, and the frontend logs out cleanly on its next request.
    status, body = api.call("POST", "/api/v2/auth/refresh", {"refresh_token": before_refresh})
    assert status == 401, body
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(flash(page)).to_contain_text("Your session has ended")
    assert page.evaluate("() => localStorage.getItem('blog.csrf')") is None
    assert page.js_errors == []


def test_logout_leaves_no_usable_token_behind(servers, pages):
    api = servers.api
    username = unique("leaver")
    api.create_user(username)
    page = pages.new()
    sent = bearer_log(page)
    page.goto(f"{api.base}/#/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("form .banner")).to_have_text("Invalid credentials")
    assert refresh_cookie(page, api.base) is None

    login_in_ui(page, api.base, username)
    access, refresh = sent[-1], refresh_cookie(page, api.base)
    assert api.call("GET", "/api/v2/me", token=access)[0] == 200
    no_token_in_storage(page)

    page.get_by_role("button", name="Log out").click()
    expect(flash(page)).to_contain_text("You are logged out")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate("() => sessionStorage.length + localStorage.length") == 0
    assert refresh_cookie(page, api.base) is None  # the logout answer cleared it
    status, body = api.call("GET", "/api/v2/me", token=access)
    assert (status, body["message"]) == (401, "Token has been revoked")
    status, body = api.call("POST", "/api/v2/auth/refresh", {"refresh_token": refresh})
    assert (status, body["code"]) == (401, "token_revoked")
    page.reload()
    expect(nav(page).get_by_role("link", name="Log in")).to_be_visible()
    page.goto(f"{api.base}/#/todos")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.js_errors == []


def test_profile_changes_and_account_deletion(servers, pages):
    api = servers.api
    username, taken = unique("owner"), unique("taken")
    api.create_user(username)
    api.create_user(taken)
    page = pages.new()
    sent = bearer_log(page)
    login_in_ui(page, api.base, username)
    nav(page).get_by_role("link", name=username).click()
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()

    name_form = page.locator('[data-form="username"]')
    name_form.get_by_label("Username").fill(taken.upper())
    name_form.get_by_role("button", name="Change username").click()
    expect(name_form.locator('[data-error-for="username"]')).to_have_text("Username already exists")
    renamed = unique("renamed")
    name_form.get_by_label("Username").fill(renamed)
    name_form.get_by_role("button", name="Change username").click()
    expect(flash(page)).to_contain_text("Username changed")
    expect(nav(page)).to_contain_text(renamed)

    email_form = page.locator('[data-form="email"]')
    email_form.get_by_label("E-mail").fill("not-an-address")
    email_form.get_by_label("Current password").fill(PASSWORD)
    email_form.get_by_role("button", name="Change e-mail").click()
    expect(email_form.locator('[data-error-for="email"]')).to_have_text(
        "Not a valid email address."
    )

    pw_form = page.locator('[data-form="password"]')
    pw_form.get_by_label("New password", exact=True).fill("short")
    pw_form.get_by_label("Repeat new password").fill("short")
    pw_form.get_by_label("Current password").fill(PASSWORD)
    pw_form.get_by_role("button", name="Change password").click()
    expect(pw_form.locator('[data-error-for="password"]')).to_have_text(
        "Must be at least 8 characters long."
    )
    new_password = "a much better passphrase"
    pw_form.get_by_label("New password", exact=True).fill(new_password)
    pw_form.get_by_label("Repeat new password").fill(new_password)
    pw_form.get_by_label("Current password").fill("wrong password")
    pw_form.get_by_role("button", name="Change password").click()
    expect(pw_form.locator('[data-error-for="current_password"]')).to_have_text(
        "Incorrect password."
    )
    old = sent[-1]
    pw_form.get_by_label("Current password").fill(PASSWORD)
    pw_form.get_by_role("button", name="Change password").click()
    expect(flash(page)).to_contain_text("Password changed")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('blog.csrf')") is None
    status, body = api.call("GET", "/api/v2/me", token=old)
    assert (status, body["message"]) == (401, "Invalid token")

    login_in_ui(page, api.base, renamed, new_password)
    nav(page).get_by_role("link", name=renamed).click()
    delete_form = page.locator('[data-form="delete"]')
    delete_form.get_by_label("Current password").fill(PASSWORD)
    delete_form.get_by_role("button", name="Delete my account").click()
    expect(delete_form.locator('[data-error-for="current_password"]')).to_have_text(
        "Incorrect password."
    )
    delete_form.get_by_label("Current password").fill(new_password)
    delete_form.get_by_role("button", name="Delete my account").click()
    expect(flash(page)).to_contain_text("Your account has been deleted")
    assert page.evaluate("() => localStorage.getItem('blog.csrf')") is None
    status, body = api.call(
        "POST", "/api/v2/auth/login", {"username": renamed, "password": new_password}
    )
    assert (status, body["message"]) == (401, "Invalid credentials")
    assert page.js_errors == []


def test_the_api_cannot_be_switched_from_the_address_bar(servers, pages):
    """A link with ?api= must not point the login form at another server."""
    hostile = servers.short_api.base
    for url in (
        f"{servers.api.base}/?api={hostile}#/login",
        f"{servers.static}/?api={hostile}#/login",
    ):
        page = pages.new()
        hosts = set()
        page.on("request", lambda request, hosts=hosts: hosts.add(request.url.split("/api/")[0]))
        page.goto(url)
        expect(page.locator("#api-origin")).to_have_text(servers.api.base)
        page.get_by_label("Username or e-mail").fill("alice")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_response(lambda response: "/auth/login" in response.url) as login:
            page.get_by_role("button", name="Log in").click()
        assert login.value.url.startswith(servers.api.base)
        assert hostile not in hosts


def test_frontend_served_from_another_origin(servers, pages):
    api = servers.api  # CORS_ORIGINS lists servers.static
    username = unique("remote")
    page = pages.new()
    api_hosts = set()
    page.on("request", lambda request: api_hosts.add(request.url.split("/api/")[0]))
    page.goto(f"{servers.static}/#/register")
    assert servers.static != api.base
    expect(page.locator("#api-origin")).to_have_text(api.base)
    expect(page.locator("form")).to_contain_text(f"Signing in to the API at {api.base}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_label("Username or e-mail")).to_have_value(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My posts")).to_be_visible()

    # A title that would run script if it were ever parsed as HTML.
    title = f'<img src=x onerror="window.pwned=1"> {unique("cors")}'
    nav(page).get_by_role("link", name="New post").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Content").fill("<script>window.pwned = 2</script>")
    page.get_by_role("button", name="Publish").click()
    expect(flash(page)).to_contain_text("Published")
    page.goto(f"{servers.static}/#/")
    expect(page.locator(".post-card h2 a").first).to_have_text(title)
    page.locator(".post-card h2 a").first.click()
    expect(page.locator(".post-body")).to_have_text("")  # the server dropped the script
    assert page.evaluate("() => window.pwned") is None
    assert page.locator(".post img, .post script").count() == 0
    status, body = api.call("GET", f"/api/v2/posts?q={title.split()[-1]}")
    assert body["items"][0]["title"] == title
    assert api.base in api_hosts  # the calls went to the API origin, not the static server

    # The Link header is exposed to this origin, so paging works across origins too.
    api.create_post(api.login(username)["access_token"], "A second page", "One post a page.")
    page.goto(f"{servers.static}/#/?limit=1")
    expect(page.locator(".post-card")).to_have_count(1)
    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"#/\?after=[\w-]+&limit=1$"))
    expect(page.get_by_role("link", name="← Previous")).to_be_visible()

    # An API that does not list this origin in CORS_ORIGINS is unreachable from it.
    other = pages.new("no-cors")
    other.goto(f"{servers.static}/short/#/")
    expect(other.locator("[role=alert]")).to_contain_text(
        f"Cannot reach the API at {servers.short_api.base}"
    )
    assert page.js_errors == []


def test_docs_page_renders_under_its_content_security_policy(servers, pages):
    page = pages.new("docs")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{servers.api.base}/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Blog API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
    assert page.evaluate("() => Object.keys(localStorage)") == []


def test_two_tabs_editing_one_post_the_second_save_shows_the_conflict(servers, pages):
    api = servers.api
    username = unique("twotabs")
    status, _ = api.call("POST", "/api/v2/users", {"username": username, "password": PASSWORD})
    assert status == 201

    tab1 = pages.new("tab1")
    tab1.goto(f"{api.base}/#/login")
    tab1.get_by_label("Username or e-mail").fill(username)
    tab1.get_by_label("Password").fill(PASSWORD)
    tab1.get_by_role("button", name="Log in").click()
    expect(tab1.get_by_role("heading", name="My posts")).to_be_visible()
    nav(tab1).get_by_role("link", name="New post").click()
    tab1.get_by_label("Title").fill("Original")
    tab1.get_by_label("Content").fill("First version.")
    tab1.get_by_role("button", name="Save draft").click()
    expect(tab1).to_have_url(re.compile(r"#/editor/\d+$"))
    editor_url = tab1.url
    post_id = int(editor_url.rsplit("/", 1)[1])

    tab2 = pages.new("tab2")  # its own session: log in there too
    tab2.goto(f"{api.base}/#/login")
    tab2.get_by_label("Username or e-mail").fill(username)
    tab2.get_by_label("Password").fill(PASSWORD)
    tab2.get_by_role("button", name="Log in").click()
    expect(tab2.get_by_role("heading", name="My posts")).to_be_visible()
    tab2.goto(editor_url)
    expect(tab2.get_by_label("Title")).to_have_value("Original")

    tab1.get_by_label("Title").fill("Saved by tab 1")
    tab1.get_by_role("button", name="Save changes").click()
    expect(flash(tab1)).to_contain_text("Changes saved")

    tab2.get_by_label("Title").fill("Saved by tab 2")
    tab2.get_by_role("button", name="Save changes").click()
    conflict = tab2.locator("form .banner-error").filter(has_text="changed elsewhere")
    expect(conflict).to_be_visible()
    expect(tab2.get_by_label("Title")).to_have_value("Saved by tab 2")  # nothing typed is lost

    _, tokens = api.call("POST", "/api/v2/auth/login", {"username": username, "password": PASSWORD})
    status, body = api.call("GET", f"/api/v2/posts/{post_id}", token=tokens["access_token"])
    assert status == 200 and body["title"] == "Saved by tab 1"
    assert tab1.js_errors == []
