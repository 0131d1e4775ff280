"""Fixtures for the browser tests: gunicorn-served APIs, a static server, Debian's chromium.

Every server is a real subprocess on a free port (the OS picks it; we read it back from
the server's own log line), with a freshly migrated SQLite database in a temp directory.
Without playwright or chromium the tests skip with a message saying what to install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.getenv("E2E_CHROMIUM", "/usr/bin/chromium")
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
PASSWORD = "correct horse battery"
START_TIMEOUT = 30  # seconds for a server to say where it listens


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


def wait_for_port(proc: subprocess.Popen[str], pattern: str, log: Path) -> int:
    """Read the server's log until ``pattern`` (with a ``(\\d+)`` port group) shows up."""
    deadline = time.monotonic() + START_TIMEOUT
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        match = regex.search(log.read_text(errors="replace"))
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@dataclass
class Api:
    """A live API server and a tiny urllib client to check what the browser did."""

    base: str
    proc: subprocess.Popen[str]
    log: Path
    expires: int

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            err.close()
            return err.code, json.loads(raw) if raw else None

    def create_user(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        status, body = self.call(
            "POST", "/api/v2/users", {"username": username, "password": password}
        )
        assert status == 201, body
        return body

    def login(self, username: str, password: str = PASSWORD) -> dict[str, Any]:
        status, body = self.call(
            "POST", "/api/v2/auth/login", {"username": username, "password": password}
        )
        assert status == 200, body
        return body

    def create_post(self, token: str, title: str, content: str, published: bool = True) -> dict:
        status, body = self.call(
            "POST",
            "/api/v2/posts",
            {"title": title, "content": content, "published": published},
            token,
        )
        assert status == 201, body
        return body


def start_api(tmp: Path, name: str, **env: str) -> Api:
    """Migrate a fresh SQLite file, then serve the app with gunicorn on a free port."""
    workdir = tmp / name
    workdir.mkdir()
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
    migrate = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade", "-d", ROOT / "migrations"],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = workdir / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1"]
    command += ["--threads", "4", "--access-logfile", "-", "app:create_app()"]
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            command, cwd=workdir, env=environ, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    port = wait_for_port(proc, r"Listening at: http://127\.0\.0\.1:(\d+)", log)
    return Api(f"http://127.0.0.1:{port}", proc, log, int(environ["JWT_ACCESS_TOKEN_EXPIRES"]))


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


def require_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[e2e]'")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install -y chromium")


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    require_browser()
    tmp = tmp_path_factory.mktemp("e2e")
    static_log = tmp / "static.log"
    static_root = tmp / "static"
    static_root.mkdir()
    command = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"]
    with static_log.open("w") as out:
        static = subprocess.Popen(
            command, cwd=static_root, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    procs = [static]
    try:
        port = wait_for_port(static, r"port (\d+)", static_log)
        static_origin = f"http://127.0.0.1:{port}"
        api = start_api(tmp, "api", CORS_ORIGINS=static_origin)
        procs.append(api.proc)
        short_api = start_api(tmp, "short", JWT_ACCESS_TOKEN_EXPIRES="2")
        procs.append(short_api.proc)
        # The static copies are pinned the way a deployment pins them: / talks to ``api``,
        # /short/ to ``short_api`` (which does not list this origin in CORS_ORIGINS).
        pinned_copy(static_root, api.base)
        pinned_copy(static_root / "short", short_api.base)
        yield Servers(static_origin, api, short_api)
    finally:
        for proc in reversed(procs):
            stop(proc)


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(servers: Servers):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Pages:
    """New browser contexts (each one a separate tab with its own sessionStorage)."""

    def __init__(self, browser, request: pytest.FixtureRequest) -> None:
        self.browser = browser
        self.request = request
        self.opened: list[tuple[str, Any]] = []

    def new(self, label: str = "page"):
        context = self.browser.new_context(viewport={"width": 1100, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        self.opened.append((label, page))
        return page

    def close(self) -> None:
        failed = any(
            getattr(getattr(self.request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        for label, page in self.opened:
            if failed:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.request.node.name)
                page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
            page.context.close()


@pytest.fixture
def pages(browser, request: pytest.FixtureRequest) -> Iterator[Pages]:
    opened = Pages(browser, request)
    yield opened
    opened.close()
