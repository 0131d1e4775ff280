"""Rate limits, declared on the routes: ``@limits.login`` limits and documents.

Budgets, each shared by every route it decorates (v1 and v2 alike); over one, 429 with
``Retry-After`` in the face's error shape:

- ``login``: ``LOGIN_RATE_LIMIT`` per client address. A ``current_password`` check (PATCH
  and DELETE /me) spends it too (``password_attempt``).
- ``register``: ``REGISTER_RATE_LIMIT`` per client address (each sign-up costs an Argon2 hash).
- ``posts``: ``POST_RATE_LIMIT`` per user for creating, changing and deleting posts; stack it
  under the face's ``auth()``.
- ``feeds``: ``FEED_RATE_LIMIT`` per client address for the Atom feeds (``/feeds``), 304s
  included: a reader polls every few minutes at most, a scraper looping on them is cut off.
- Per account, whatever the address: ``ACCOUNT_FAILURE_LIMIT`` failed password checks (login
  or ``current_password``) lock that account's password checks until the window passes
  (``check_account``/``account_failed``). Unknown login names lock the same way, so the
  lock tells nobody whether an account exists.

The client address is the IPv4 address, or an IPv6 address's /64: one host usually owns a
whole /64, and would otherwise have 2^64 budgets.

Each app gets its own Flask-Limiter ``Limiter`` (``bind``): Flask-Limiter keeps storage, key
prefix and on/off switch on the Limiter object, so one instance bound to several apps in a
process lets the last app's settings silently replace the others'. The decorator finds its
app's limit at request time through Flask-Limiter's own ``RouteLimit`` (used as a context
manager), so nothing depends on the order in which ``create_app`` registers things.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address
from limits import parse
from werkzeug.exceptions import TooManyRequests

from . import metrics
from .routedoc import describe

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

LOGIN_LIMITED_MESSAGE = "Too many login attempts; try again later"
REGISTER_LIMITED_MESSAGE = "Too many sign-ups; try again later"
POSTS_LIMITED_MESSAGE = "Too many post changes; try again later"
FEEDS_LIMITED_MESSAGE = "Too many feed requests; poll less often"
_KEY = "blogapi.limits"
log = logging.getLogger(__name__)


def client_address() -> str:
    """The rate-limit key of the client: its IPv4 address, or its IPv6 /64."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _current_user_key() -> str:
    return f"user:{g.current_user.id}"


class FallbackLimiter(Limiter):
    """Flask-Limiter that retries its storage every ``RATELIMIT_STORAGE_RECHECK_SECONDS``.

    Flask-Limiter backs off exponentially, up to 32 s, before it looks at a failed storage
    again; meanwhile each worker counts on its own (the limit times the number of workers).
    """

    recheck_seconds = 1.0
    _last_recheck = 0.0

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        # Every limit of this app is entered by its route (``RouteLimit`` as a context
        # manager); there are no default, application or decorated limits for Flask-Limiter's
        # own before_request pass to find. That pass cost every request of every route about
        # a tenth of a bare route's instructions for nothing (issue #15), so it is skipped.
        if in_middleware:
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=False)

    def _Limiter__should_check_backend(self) -> bool:  # noqa: N802 - overrides a private
        now = time.monotonic()
        if now - self._last_recheck >= self.recheck_seconds:
            self._last_recheck = now
            return True
        return False


class _StorageSwitches(logging.Filter):
    """Turn Flask-Limiter's own notes on its storage into a warning an operator sees and a
    metric (``blogapi_ratelimit_storage_switches_total``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "falling back to in-memory storage" in message:
            metrics.count_storage_switch("memory")
            log.warning(
                "Rate-limit storage unreachable: this worker counts limits in its own memory "
                "until it answers again (the effective limit is multiplied by the number of "
                "workers)",
                extra={"ratelimit_storage": "memory"},
            )
            return False
        if "Rate limit storage recovered" in message:
            metrics.count_storage_switch("storage")
            log.warning(
                "Rate-limit storage answers again: this worker counts limits there again",
                extra={"ratelimit_storage": "shared"},
            )
            return False
        return True


def _watch_flask_limiter() -> None:
    logger = logging.getLogger("flask-limiter")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)  # "recovered" is an INFO record: let the filter see it
    if not any(isinstance(f, _StorageSwitches) for f in logger.filters):
        logger.addFilter(_StorageSwitches())


def storage_options(app: Flask) -> dict[str, Any]:
    """Short Redis timeouts: a hung Redis must cost a login milliseconds, not 15 seconds."""
    if not str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis", "rediss")):
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    timeout = int(app.config["RATELIMIT_STORAGE_TIMEOUT_MS"]) / 1000
    return {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),  # the fallback is the retry
        "health_check_interval": 0,
    }


def bind(app: Flask) -> None:
    """Give ``app`` its own Limiter and its shared limits (none when rate limiting is off)."""
    if not app.config.get("RATELIMIT_ENABLED"):
        return
    _watch_flask_limiter()
    options = storage_options(app)
    if options:
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", options)
    limiter = FallbackLimiter(key_func=client_address, default_limits=[])
    limiter.recheck_seconds = float(app.config["RATELIMIT_STORAGE_RECHECK_SECONDS"])
    limiter.init_app(app)

    def shared(setting: str, scope: str, message: str, **kwargs: Any) -> RouteLimit:
        return RouteLimit(
            lambda: current_app.config[setting],
            scope=scope,
            shared=True,
            error_message=message,
            limiter=limiter,
            **kwargs,
        )

    app.extensions[_KEY] = {
        "limiter": limiter,
        "login": shared("LOGIN_RATE_LIMIT", "login", LOGIN_LIMITED_MESSAGE),
        "register": shared("REGISTER_RATE_LIMIT", "register", REGISTER_LIMITED_MESSAGE),
        "posts": shared(
            "POST_RATE_LIMIT", "posts", POSTS_LIMITED_MESSAGE, key_function=_current_user_key
        ),
        "feeds": shared("FEED_RATE_LIMIT", "feeds", FEEDS_LIMITED_MESSAGE),
    }


# Flask-Limiter files a limit entered as a context manager under the source line that
# enters it; two limits entered from one line could swap places between the threads of a
# gthread worker. So each limit is entered from a line of its own.
def _enter_login(limit: RouteLimit) -> None:
    with limit:
        return


def _enter_register(limit: RouteLimit) -> None:
    with limit:
        return


def _enter_posts(limit: RouteLimit) -> None:
    with limit:
        return


def _enter_feeds(limit: RouteLimit) -> None:
    with limit:
        return


def _enter_password_check(limit: RouteLimit) -> None:
    with limit:
        return


_ENTER = {
    "login": _enter_login,
    "register": _enter_register,
    "posts": _enter_posts,
    "feeds": _enter_feeds,
}


def _limited(name: str) -> Callable[[F], F]:
    enter = _ENTER[name]

    def decorator(view: F) -> F:
        describe(view).rate_limited = True

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            limits = current_app.extensions.get(_KEY)
            if limits is not None:
                enter(limits[name])
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


login = _limited("login")
login.__doc__ = "Put a view under the shared login budget (and say so in its OpenAPI operation)."
register = _limited("register")
register.__doc__ = "Put a view under the shared sign-up budget of the client address."
posts = _limited("posts")
posts.__doc__ = "Put a view under the caller's post-writing budget (below ``auth()``)."
feeds = _limited("feeds")
feeds.__doc__ = "Put a view under the client address's budget for reading feeds."


def password_attempt() -> None:
    """Spend one unit of the client address's login budget on a password check (or 429)."""
    limits = current_app.extensions.get(_KEY)
    if limits is not None:
        _enter_password_check(limits["login"])


# --- per-account failures -----------------------------------------------------------------


def _account_limit() -> tuple[Any, Any] | None:
    limits = current_app.extensions.get(_KEY)
    if limits is None:
        return None
    return limits["limiter"].limiter, parse(current_app.config["ACCOUNT_FAILURE_LIMIT"])


def check_account(account: str) -> None:
    """429 while ``account`` has used up its failed password checks (before verifying)."""
    found = _account_limit()
    if found is None:
        return
    strategy, item = found
    try:
        allowed = strategy.test(item, "account-failures", account)
        reset = strategy.get_window_stats(item, "account-failures", account).reset_time
    except Exception:  # storage down: the per-address budgets still hold
        log.exception("Account failure limit unavailable")
        return
    if not allowed:
        raise TooManyRequests(LOGIN_LIMITED_MESSAGE, retry_after=max(1, int(reset - time.time())))


def account_failed(account: str) -> None:
    """Count one failed password check against ``account``."""
    found = _account_limit()
    if found is None:
        return
    strategy, item = found
    try:
        strategy.hit(item, "account-failures", account)
    except Exception:
        log.exception("Account failure limit unavailable")


def retry_after() -> str:
    """Whole seconds until the limit that was just hit resets (at least 1)."""
    limits = current_app.extensions.get(_KEY)
    current = limits["limiter"].current_limit if limits else None
    if current is None:
        return "60"
    return str(max(1, int(current.reset_at - time.time())))
