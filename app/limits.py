"""Rate limits, declared on the routes: ``@limits.login`` limits and documents.

``login`` is one budget per client address, ``LOGIN_RATE_LIMIT``, shared by every route it
decorates (v1 and v2 login); over it, 429 with ``Retry-After`` in the face's error shape.

Each app gets its own Flask-Limiter ``Limiter`` (``bind``): Flask-Limiter keeps storage, key
prefix and on/off switch on the Limiter object, so one instance bound to several apps in a
process lets the last app's settings silently replace the others'. The decorator finds its
app's limit at request time through Flask-Limiter's own ``RouteLimit`` (used as a context
manager), so nothing depends on the order in which ``create_app`` registers things.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address

from . import metrics
from .faces import describe

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

LOGIN_LIMITED_MESSAGE = "Too many login attempts; try again later"
_KEY = "blogapi.limits"


class FallbackLimiter(Limiter):
    """Flask-Limiter that retries its storage every ``RATELIMIT_STORAGE_RECHECK_SECONDS``.

    Flask-Limiter backs off exponentially, up to 32 s, before it looks at a failed storage
    again; meanwhile each worker counts on its own (the limit times the number of workers).
    """

    recheck_seconds = 1.0
    _last_recheck = 0.0

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
    limiter = FallbackLimiter(key_func=get_remote_address, default_limits=[])
    limiter.recheck_seconds = float(app.config["RATELIMIT_STORAGE_RECHECK_SECONDS"])
    limiter.init_app(app)
    login_limit = RouteLimit(
        lambda: current_app.config["LOGIN_RATE_LIMIT"],
        scope="login",
        shared=True,
        error_message=LOGIN_LIMITED_MESSAGE,
        limiter=limiter,
    )
    app.extensions[_KEY] = {"limiter": limiter, "login": login_limit}


def _limited(name: str) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        describe(view).rate_limited = True

        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            limits = current_app.extensions.get(_KEY)
            if limits is None:
                return view(*args, **kwargs)
            with limits[name]:
                return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


login = _limited("login")
login.__doc__ = "Put a view under the shared login budget (and say so in its OpenAPI operation)."


def retry_after() -> str:
    """Whole seconds until the limit that was just hit resets (at least 1)."""
    limits = current_app.extensions.get(_KEY)
    current = limits["limiter"].current_limit if limits else None
    if current is None:
        return "60"
    return str(max(1, int(current.reset_at - time.time())))
