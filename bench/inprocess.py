"""In-process cost of the list requests: SQL statements and median milliseconds per request,
through the whole WSGI app (Flask's test client, no HTTP), on a seeded database.

``python -m bench`` runs it on the full database of each backend; on its own it measures any
database, which is how the "before" figures of docs/performance.md were taken (the same
file, with another checkout's ``app`` first on ``PYTHONPATH``)::

    python -m bench.inprocess sqlite:///bench/results/data/full_100000.db
    PYTHONPATH=/tmp/main python -m bench.inprocess "$URL" --only search,search_common
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import time
from typing import Any
from urllib.parse import urlsplit

# (name, path, whether it needs the reader's token). "@last:<path>" is the page that the
# `next` links of <path> end at (the last page, reached by cursor); "@offset:<path>" the
# same page asked for by offset.
LISTS = [
    ("posts_first", "/api/v2/posts?limit=10", False),
    ("posts20", "/api/v2/posts?limit=20", False),  # issue #15's list of 20
    ("posts20_reader", "/api/v2/posts?limit=20", True),  # with `liked` for the reader
    ("posts_last", "@last:/api/v2/posts?limit=10", False),
    ("posts_last_offset", "@offset:/api/v2/posts?limit=10", False),
    ("tag_first", "/api/v2/posts?tag=python&limit=10", False),
    ("tag_last", "@last:/api/v2/posts?tag=python&limit=10", False),
    ("search", "/api/v2/posts?q=garden&limit=10", False),
    ("search_two_words", "/api/v2/posts?q=python+flask&limit=10", False),
    ("search_common", "/api/v2/posts?q=data&limit=10", False),
    ("search_newest", "/api/v2/posts?q=garden&sort=-created_at&limit=10", False),
    ("feed_first", "/api/v2/feed?limit=10", True),
    ("feed_last", "@last:/api/v2/feed?limit=10", True),
]


def _relative(url: str) -> str:
    return urlsplit(url)._replace(scheme="", netloc="").geturl()


def _next_link(response: Any) -> str | None:
    for part in response.headers.get("Link", "").split(","):
        target, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            return _relative(target.strip().strip("<>"))
    return None


def resolve(client: Any, path: str, headers: dict[str, str]) -> str:
    """Turn ``@last:``/``@offset:`` paths into the concrete URL of the list's last page."""
    if not path.startswith("@"):
        return path
    kind, _, base = path[1:].partition(":")
    first = client.get(base, headers=headers)
    assert first.status_code == 200, first.json
    total, limit = first.json["total"], first.json["limit"]
    last_offset = max((total - 1) // limit * limit, 0)
    if kind == "offset":
        return f"{base}&offset={last_offset}"
    if last_offset == 0:
        return base
    # The page before the last by offset; its `next` link is the cursor of the last page.
    before = client.get(f"{base}&offset={last_offset - limit}", headers=headers)
    return _next_link(before) or f"{base}&offset={last_offset}"


def measure(
    db_url: str,
    secret: str | None = None,
    *,
    only: set[str] | None = None,
    repeat: int = 15,
    count: bool = True,
) -> dict[str, dict[str, Any]]:
    """Median ms, statements, ``total`` and the URL for each list of LISTS on ``db_url``.

    ``count``: statements are counted by a ``before_cursor_execute`` listener, and reads
    that go below Core when nothing listens (the auth read, the post list: app.readconn)
    then go through Core; without it they are measured as served, and not counted."""
    import sqlalchemy as sa

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.sessions import session_access_token

    secret = secret or secrets.token_urlsafe(48)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret})
    client = app.test_client()
    seen: list[str] = []
    with app.app_context():
        if count:
            sa.event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        reader = db.session.get(User, 1)
        token = session_access_token(reader)
        db.session.remove()
    found: dict[str, dict[str, Any]] = {}
    for name, path, needs_token in LISTS:
        if only and name not in only:
            continue
        headers = {"Authorization": f"Bearer {token}"} if needs_token else {}
        url = resolve(client, path, headers)
        client.get(url, headers=headers)  # warm: imports, caches, prepared statements
        timings, cpu = [], []
        for _ in range(repeat):
            seen.clear()
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            timings.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
            assert response.status_code == 200, response.json
        # The token check's own statement is part of the request; pings are not.
        statements = [s for s in seen if not s.lstrip().upper().startswith("SELECT 1")]
        found[name] = {
            "ms": round(statistics.median(timings) * 1000, 2),
            # This process's CPU: on SQLite all of the work, and unlike wall time not
            # inflated by other jobs on a shared machine; on PostgreSQL the client's part.
            "cpu_ms": round(statistics.median(cpu) * 1000, 2),
            "statements": len(statements) if count else "–",
            "total": response.json["total"],
            "offset": response.json["offset"],
            "url": url,
        }
    with app.app_context():
        db.engine.dispose()
    return found


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [
        "| list | ms | CPU ms | statements | total | offset |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['ms']:.1f} | {r['cpu_ms']:.1f} | {r['statements']} | {r['total']} "
            f"| {r['offset']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("url", help="SQLAlchemy URL of a seeded database")
    parser.add_argument("--only", default="", help="comma-separated list names")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    parser.add_argument(
        "--uncounted",
        action="store_true",
        help="no statement listener: reads below Core stay below Core (statements not counted)",
    )
    args = parser.parse_args(argv)
    only = {name for name in args.only.split(",") if name} or None
    results = measure(args.url, only=only, repeat=args.repeat, count=not args.uncounted)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
