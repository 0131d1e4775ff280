"""Fixtures for the browser tests: gunicorn-served APIs, a static server, Debian's chromium.

Every server is a real subprocess on a free port (tests/servers.py), with a freshly
migrated SQLite database in a temp directory. Without playwright or chromium the tests
skip with a message saying what to install, and fail under CI (tests/helpers.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..helpers import CHROMIUM, ROOT, Api, MailCatcher, Pages, require_browser
from ..servers import free_port, migrate, serve, serve_static

FRONTEND = ROOT / "frontend"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    setattr(item, f"report_{report.when}", report)  # the page fixture screenshots failures
    return report


# --- servers ------------------------------------------------------------------------------


def start_api(stack: ExitStack, tmp: Path, name: str, **env: str) -> Api:
    """Migrate a fresh SQLite file, then serve the app with gunicorn on a free port."""
    workdir = tmp / name
    workdir.mkdir()
    port = free_port()
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FLASK_ENV": "production",
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-production-0123",
        "DATABASE_URL": f"sqlite:///{workdir / 'blog.db'}",
        "SERVE_FRONTEND": "true",
        "ARGON2_TIME_COST": "2",  # the OWASP minimum, below which production warns
        "ARGON2_MEMORY_COST": "19456",
        "ARGON2_PARALLELISM": "1",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "REGISTER_RATE_LIMIT": "1000 per minute",
        "POST_RATE_LIMIT": "1000 per minute",
        "CORS_ORIGINS": "",
        "JWT_ACCESS_TOKEN_EXPIRES": "3600",
        **env,
    }
    for key in ("JWT_SECRET_KEY", "JWT_ISSUER", "JWT_AUDIENCE", "FRONTEND_DIR"):
        environ.pop(key, None)
    # Run from the temp dir so no gunicorn.conf.py or .env of the checkout applies.
    migrate(environ, cwd=workdir)
    args = ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"]
    args += ["--access-logfile", "-", "app:create_app()"]
    base = stack.enter_context(
        serve(args, cwd=workdir, env=environ, log_path=workdir / "gunicorn.log", port=port)
    )
    return Api(base, int(environ["JWT_ACCESS_TOKEN_EXPIRES"]))


def pinned_copy(target: Path, api_base: str) -> None:
    """Copy frontend/ to ``target`` with ``<meta name="api-base">`` set to ``api_base``."""
    shutil.copytree(FRONTEND, target, dirs_exist_ok=True)
    index = target / "index.html"
    html = index.read_text()
    pinned = html.replace(
        '<meta name="api-base" content="">', f'<meta name="api-base" content="{api_base}">'
    )
    assert pinned != html
    index.write_text(pinned)


@dataclass
class Servers:
    static: str  # python -m http.server serving frontend/
    api: Api  # CORS allows ``static``; also serves the frontend itself
    short_api: Api  # access tokens live 2 seconds


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    require_browser()
    tmp = tmp_path_factory.mktemp("e2e")
    static_root = tmp / "static"
    static_root.mkdir()
    with ExitStack() as stack:
        static_origin = stack.enter_context(
            serve_static(static_root, log_path=tmp / "static.log", port=free_port())
        )
        api = start_api(stack, tmp, "api", CORS_ORIGINS=static_origin)
        short_api = start_api(stack, tmp, "short", JWT_ACCESS_TOKEN_EXPIRES="2")
        # The static copies are pinned the way a deployment pins them: / talks to ``api``,
        # /short/ to ``short_api`` (which does not list this origin in CORS_ORIGINS).
        pinned_copy(static_root, api.base)
        pinned_copy(static_root / "short", short_api.base)
        yield Servers(static_origin, api, short_api)


@dataclass
class MailApi:
    api: Api  # mails through ``smtp``; links point at FRONTEND_LINKS
    smtp: MailCatcher


FRONTEND_LINKS = "http://frontend.invalid"


@pytest.fixture(scope="session")
def mail_api(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailApi]:
    """An API that sends its mail to an SMTP server (aiosmtpd) running in this process."""
    catcher = MailCatcher()
    catcher.controller.start()
    try:
        with ExitStack() as stack:
            api = start_api(
                stack,
                tmp_path_factory.mktemp("mail"),
                "mail",
                MAIL_BACKEND="smtp",
                MAIL_SERVER="127.0.0.1",
                MAIL_PORT=str(catcher.port),
                MAIL_TIMEOUT="5",
                FRONTEND_URL=FRONTEND_LINKS,
            )
            yield MailApi(api, catcher)
    finally:
        catcher.controller.stop()


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(servers: Servers):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def pages(browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, request)
    yield opened
    opened.close()
