"""gunicorn settings: ``gunicorn "app:create_app()"`` from the repository root reads this file.

Every value can be overridden on the command line; the environment variables below are the
ones a platform (Heroku-style ``PORT``/``WEB_CONCURRENCY``) or docs/deploying.md sets.
"""

import os

from dotenv import load_dotenv

# The app reads .env itself, but this file is read first, by the gunicorn master.
load_dotenv()

bind = f"0.0.0.0:{os.getenv('PORT', '8000')}"
# memory:// rate-limit counters live in one process: with several workers each would count
# logins on its own (2 workers = twice the limit). Use Redis (RATELIMIT_STORAGE_URI) to scale.
_shared_counters = not os.getenv("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")
workers = int(os.getenv("WEB_CONCURRENCY") or (2 if _shared_counters else 1))
worker_class = "sync"  # short requests, no streaming: plain sync workers behind a proxy

# Logs to stdout/stderr: the process manager or container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.getenv("GUNICORN_LOG_LEVEL", "info")

timeout = 30
graceful_timeout = 30
keepalive = 5

# gunicorn rejects oversized request lines and headers itself, with an HTML 400 page the
# API contract forbids. Raise the limits far enough that such requests reach the app: a
# 100 KB bearer token must get the JSON 401 "Invalid token", not gunicorn's HTML error.
# The app caps tokens at a few KB itself (app.auth.MAX_TOKEN_LENGTH) and bodies at
# MAX_CONTENT_LENGTH; the reverse proxy in front should allow at least as much.
# 8190 (gunicorn's maximum finite value) answered a longer URL with an HTML 414; 0 lets
# request lines up to gunicorn's 1 MiB read buffer reach the app, whose JSON answers (404,
# or 422 for an over-long query parameter) the contract requires.
limit_request_line = 0
limit_request_fields = 64
limit_request_field_size = 131072

# Addresses whose X-Forwarded-* headers gunicorn trusts (comma-separated, "*" for any).
# The app itself trusts X-Forwarded-For only through PROXY_FIX_X_FOR (see docs/deploying.md).
forwarded_allow_ips = os.getenv("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 23+ opens a control socket at one fixed path per user; two servers on one host
# (blue/green deploys, CI jobs side by side) would fight over it. We do not use it.
control_socket_disable = True

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
