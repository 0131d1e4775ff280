"""gunicorn settings: ``gunicorn "app:create_app()"`` from the repository root reads this file.

Every value can be overridden on the command line; the environment variables below are the
ones a platform (Heroku-style ``PORT``/``WEB_CONCURRENCY``) or docs/deploying.md sets.
"""

import json
import os
from http import HTTPStatus

import gunicorn.http.wsgi
import gunicorn.util
from dotenv import load_dotenv

# The app reads .env itself, but this file is read first, by the gunicorn master.
load_dotenv()

bind = f"0.0.0.0:{os.getenv('PORT', '8000')}"
# memory:// rate-limit counters live in one process: with several workers each would count
# logins on its own (2 workers = twice the limit). Use Redis (RATELIMIT_STORAGE_URI) to scale.
_shared_counters = not os.getenv("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
workers = int(os.getenv("WEB_CONCURRENCY") or (2 if _shared_counters else 1))
# Threads, not sync workers: a sync worker reads one request at a time, so a single client
# that sends half a request held the only worker until the timeout killed it (and its
# in-memory login counters with it). gthread waits for a request's first bytes off-thread and
# keeps its heartbeat on the main thread; the threads of one process share the memory://
# counters. Thousands of slow clients still need a buffering proxy (docs/deploying.md).
worker_class = "gthread"
threads = int(os.getenv("GUNICORN_THREADS") or 8)

# Logs to stdout/stderr: the process manager or container runtime collects them. The app
# writes one JSON access line per request (app/requestlog.py: method, route, path, status,
# duration, user, client address, request id); gunicorn's own access line would say the
# same again in another format at a cost on every request, so it is off unless
# GUNICORN_ACCESS_LOG names a file ("-" for stdout).
accesslog = os.getenv("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")
# gunicorn's default format, with the request line, referer and user agent cut short
# ("%(r).512s"): a client must not be able to write kilobytes into the log per request.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r).512s" %(s)s %(b)s "%(f).256s" "%(a).256s"'

timeout = 30
graceful_timeout = 30
keepalive = 5

# Bounded request lines and headers: gunicorn's pure-Python parser costs quadratic time on
# huge ones (a 16 MiB request line held a worker for 24 s). 8190 bytes is far more than the
# API needs (tokens are < 1 KB, the app caps them at 4 KB; ``q`` at 200 characters); longer
# lines get 414 and larger header fields 431, answered by gunicorn itself in the API's JSON
# error shape (``_json_error`` below), since the app never sees these requests.
limit_request_line = 8190
limit_request_fields = 64
limit_request_field_size = 8190

# Addresses whose X-Forwarded-* headers gunicorn trusts (comma-separated, "*" for any).
# The app itself trusts X-Forwarded-For only through PROXY_FIX_X_FOR (see docs/deploying.md).
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 23+ opens a control socket at one fixed path per user; two servers on one host
# (blue/green deploys, CI jobs side by side) would fight over it. We do not use it.
control_socket_disable = True


# gunicorn names itself in a Server header on every answer; say nothing about the software.
gunicorn.http.wsgi.SERVER = "blog-api"

_ERROR_CODES = {
    400: ("bad_request", "Malformed HTTP request"),
    403: ("forbidden", "Request forbidden"),
    414: ("uri_too_long", "Request line too long (at most 8190 bytes)"),
    417: ("expectation_failed", "Expectation failed"),
    431: ("header_fields_too_large", "Request header fields too large (at most 8190 bytes)"),
    500: ("internal_error", "Internal server error"),
    501: ("not_implemented", "Not implemented"),
}


def _json_error(sock, status_int, reason, mesg):
    """gunicorn's own error answers (bad request line, limits) in the API's JSON shape.

    Replaces ``gunicorn.util.write_error``, which writes an HTML page echoing part of the
    request. The message is fixed per status: nothing the client sent is echoed.
    """
    code, message = _ERROR_CODES.get(status_int, ("error", reason))
    # The reason phrase as the app's own errors spell it (app.errors.reason).
    try:
        phrase = HTTPStatus(status_int).phrase
    except ValueError:
        phrase = reason
    body = json.dumps({"error": phrase, "message": message, "code": code})
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Cache-Control: no-store\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, (head + body).encode("latin-1"))


gunicorn.util.write_error = _json_error
# /metrics with several workers: prometheus_client's multiprocess mode keeps each worker's
# counters in files under PROMETHEUS_MULTIPROC_DIR and /metrics adds them up. Set it to a
# directory of your own (emptied before each start) or let this file make a fresh one.
_metrics_default = os.getenv("FLASK_ENV", "development").strip() != "production"
_metrics_on = os.getenv("METRICS_ENABLED", str(_metrics_default)).strip().lower() in {
    "1",
    "true",
    "yes",
    "on",
}
if _metrics_on and not os.getenv("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="blogapi-metrics-")


def child_exit(_server, worker):
    """A dead worker's live gauges stop counting (its counters are kept)."""
    if os.getenv("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Say when a worker has loaded the app and serves: the USR2 deploy waits for this."""
    worker.log.info("Worker ready (pid: %s)", worker.pid)
