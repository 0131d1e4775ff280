"""One JSON log line per request, and the request id that ties a client's report to it.

``X-Request-ID``: a client's (or the proxy's) id is kept when it is short and plain
(``REQUEST_ID_PATTERN``), otherwise one is generated; either way it is echoed on the answer
and written on the request's log line. The line holds method, route template, path, status,
duration, user id, client address (as ProxyFix sees it) and request id, never a header, a
body or a query string, so no token or password can reach the log through it. It is the
only access log: gunicorn's own is off unless ``GUNICORN_ACCESS_LOG`` asks for it.

``LOG_FORMAT=json`` (the default) writes every record of the ``app`` loggers as one JSON
object per line on stderr, where gunicorn's and the container's logs go; ``text`` keeps
Python's plain format for reading at a terminal.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.orm.attributes import instance_state

from . import metrics

REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
access_log = logging.getLogger("app.access")

#: Attributes every LogRecord has; anything else was passed with ``extra=`` and is a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", **extra}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(app: Flask) -> None:
    """Give the ``app`` loggers one stderr handler (once per process) in LOG_FORMAT."""
    logger = logging.getLogger("app")
    logger.setLevel(logging.INFO)
    if any(getattr(h, "_blogapi", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._blogapi = True  # type: ignore[attr-defined]
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger.addHandler(handler)


def request_id() -> str:
    """The current request's id (generated on first use outside a request's hooks)."""
    rid = g.get("request_id")
    if rid is None:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        rid = sent if REQUEST_ID_PATTERN.fullmatch(sent) else uuid.uuid4().hex
        g.request_id = rid
    return rid


def _user_id() -> int | None:
    """The caller's id from the identity map: after a rollback ``user.id`` would query."""
    user = g.get("current_user")
    if user is None:
        return None
    key = instance_state(user).key  # what sa.inspect(user).identity reads, without the lookup
    return key[1][0] if key else None


def register(app: Flask) -> None:
    configure_logging(app)

    @app.before_request
    def start() -> None:
        g.request_started = time.perf_counter()
        request_id()

    @app.after_request
    def finish(response: Response) -> Response:
        started = g.get("request_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        response.headers[REQUEST_ID_HEADER] = request_id()
        metrics.observe(response, seconds)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "route": metrics.route_label(),
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "user_id": _user_id(),
                "remote_addr": request.remote_addr,
                "request_id": request_id(),
            },
        )
        return response
