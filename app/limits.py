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

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_limiter import Limiter, RouteLimit
from flask_limiter.util import get_remote_address

from .faces import describe

F = TypeVar("F", bound=Callable[..., Any])

LOGIN_LIMITED_MESSAGE = "Too many login attempts; try again later"
_KEY = "blogapi.limits"


def bind(app: Flask) -> None:
    """Give ``app`` its own Limiter and its shared limits (none when rate limiting is off)."""
    if not app.config.get("RATELIMIT_ENABLED"):
        return
    limiter = Limiter(key_func=get_remote_address, default_limits=[])
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
