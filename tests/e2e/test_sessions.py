"""The browser side of sessions: the refresh cookie shared by two tabs, signing one device
out from another, and a password reset read from a real SMTP server.

The frontend runs in cookie mode: the refresh token is an HttpOnly cookie, the access token
lives in each tab's memory, the session's CSRF token in localStorage (docs/frontend.md).
"""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from ..helpers import PASSWORD
from .conftest import FRONTEND_LINKS


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/#/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My posts")).to_be_visible()


def refresh_calls(context) -> list:
    """Every refresh the context's tabs send, answered or not."""
    calls: list = []
    context.on("request", lambda r: calls.append(r) if r.url.endswith("/auth/refresh") else None)
    return calls


def test_two_tabs_whose_tokens_expire_refresh_at_the_same_moment_and_both_stay(servers, pages):
    api = servers.short_api  # access tokens live 2 seconds
    username = unique("tabs")
    api.create_user(username)
    first = pages.new("first-tab")
    log_in(first, api.base, username)
    second = first.context.new_page()  # the same browser: shared cookie and localStorage
    second.set_default_timeout(10_000)
    second.goto(f"{api.base}/#/todos")  # a new tab starts by refreshing from the cookie
    expect(second.get_by_role("heading", name="Todos")).to_be_visible()
    first.goto(f"{api.base}/#/todos")
    expect(first.get_by_role("heading", name="Todos")).to_be_visible()
    time.sleep(api.expires + 1.5)  # both tabs' access tokens have expired

    # Hold each tab's refresh until both tabs have sent one: both decided to refresh with
    # the one refresh token they share, before either got an answer. Released, they reach
    # the server back to back; whichever the browser sends with the old cookie is answered
    # from the grace (tests/load/test_refresh_grace.py proves that path under gunicorn),
    # and neither may look like theft.
    [shared] = first.context.cookies(api.base + "/api/v2/auth/refresh")
    held: list = []

    def hold(route):
        held.append(route)
        if len(held) == 2:
            for waiting in held:
                waiting.continue_()

    calls = refresh_calls(first.context)
    first.context.route("**/api/v2/auth/refresh", hold)
    for tab in (first, second):
        tab.evaluate(
            """() => { window.result = import("/js/api.js")
                 .then(({ api }) => api("/me")).then((r) => r.status, (e) => e.status); }"""
        )
    statuses = [tab.evaluate("() => window.result") for tab in (first, second)]

    assert statuses == [200, 200]
    assert len(calls) == 2
    assert {call.header_value("cookie") for call in calls} == {
        f"refresh_token={shared['value']}"
    }  # as the tabs sent them: the same refresh token
    assert [call.response().status for call in calls] == [200, 200]
    first.context.unroute("**/api/v2/auth/refresh")
    for tab in (first, second):
        tab.reload()
        expect(tab.locator("body")).to_have_attribute("data-session", "user")
        expect(tab.locator("#flash")).to_be_empty()
    token = api.login(username)["access_token"]
    status, body = api.call("GET", "/api/v2/me/sessions", token=token)
    assert status == 200 and body["total"] == 2  # the tabs' one session, and this login
    assert first.js_errors == []


def test_signing_out_one_device_from_the_other(servers, pages):
    api = servers.api
    username = unique("devices")
    api.create_user(username)
    laptop, phone = pages.new("laptop"), pages.new("phone")  # two browsers
    log_in(phone, api.base, username)
    log_in(laptop, api.base, username)

    laptop.locator("#nav").get_by_role("link", name="Sessions").click()
    devices = laptop.locator(".session")
    expect(devices).to_have_count(2)
    expect(laptop.locator('.session[data-current="true"]')).to_contain_text("this device")
    other = laptop.locator('.session[data-current="false"]')
    other.get_by_role("button", name="Sign out this device").click()
    expect(laptop.locator("#flash")).to_contain_text("That device is signed out")
    expect(devices).to_have_count(1)
    expect(laptop.locator(".session")).to_have_attribute("data-current", "true")

    phone.locator("#nav").get_by_role("link", name="Todos").click()
    expect(phone.get_by_role("heading", name="Log in")).to_be_visible()
    expect(phone.locator("#flash")).to_contain_text("Your session has ended")
    assert phone.evaluate("() => localStorage.getItem('blog.csrf')") is None

    laptop.reload()
    expect(laptop.locator("body")).to_have_attribute("data-session", "user")
    assert laptop.js_errors == [] and phone.js_errors == []


def wait_for_mail(smtp, address: str, subject: str, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp.to(address) if m["Subject"] == subject]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no mail {subject!r} to {address}")


def link_in(mail, page_name: str) -> str:
    text = mail.get_content()
    prefix = f"{FRONTEND_LINKS}/#/{page_name}?token="
    [line] = [line for line in text.splitlines() if line.startswith(prefix)]
    return line.removeprefix(FRONTEND_LINKS)


def test_a_full_password_reset_read_from_the_smtp_server(mail_api, pages):
    api, smtp = mail_api.api, mail_api.smtp
    username = unique("forgetful")
    address = f"{username}@example.com"
    status, _ = api.call(
        "POST", "/api/v2/users", {"username": username, "password": PASSWORD, "email": address}
    )
    assert status == 201
    other_device = api.login(username)["access_token"]

    page = pages.new("reset")
    log_in(page, api.base, username)
    banner = page.locator('[data-banner="verify-email"]')
    expect(banner).to_contain_text(
        f"Please verify your e-mail address: open the link we sent to {address}"
    )
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(address)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("form [role=status]")).to_contain_text("If an account has this address")

    mail = wait_for_mail(smtp, address, "Reset your password")
    page.goto(api.base + "/" + link_in(mail, "reset-password").lstrip("/"))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    new_password = "a brand new passphrase"
    page.get_by_label("New password").fill(new_password)
    page.get_by_role("button", name="Set password").click()
    expect(page.locator("#flash")).to_contain_text("Your password is changed")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert api.call("GET", "/api/v2/me", token=other_device)[0] == 401  # every session ended

    log_in(page, api.base, username, new_password)
    # The reset proved the address: no more banner. (A second click on the link is refused.)
    expect(banner).to_have_count(0)
    status, body = api.call(
        "POST",
        "/api/v2/auth/password-reset/confirm",
        {"token": link_in(mail, "reset-password").split("token=")[1], "password": "x" * 12},
    )
    assert (status, body["code"]) == (400, "token_invalid")
    assert page.js_errors == []


def test_the_verification_link_lifts_the_banner(mail_api, pages):
    api, smtp = mail_api.api, mail_api.smtp
    username = unique("verifier")
    address = f"{username}@example.com"
    status, _ = api.call(
        "POST", "/api/v2/users", {"username": username, "password": PASSWORD, "email": address}
    )
    assert status == 201
    page = pages.new("verify")
    log_in(page, api.base, username)
    banner = page.locator('[data-banner="verify-email"]')
    expect(banner).to_be_visible()

    mail = wait_for_mail(smtp, address, "Confirm your e-mail address")
    page.goto(api.base + "/" + link_in(mail, "verify-email").lstrip("/"))
    expect(page.locator("#flash")).to_contain_text("Your e-mail address is verified")
    expect(banner).to_have_count(0)
    assert page.js_errors == []
