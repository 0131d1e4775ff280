"""``python -m bench.soak``: worker memory under a long mixed load.

For each backend: the full benchmark database (seeded as ``python -m bench`` seeds it, when it
is not yet), served as ``python -m bench`` serves it (gunicorn, ``--workers`` sync workers,
``FLASK_ENV=production``, the app's request log going to /dev/null), driven by wrk with
bench/requests.lua through a rotation of the requests a reader makes (``MIX``: ``/api/v1/me``,
a v2 page of 20, a post, a tag page, a search, the feed, and now and then a new post), all
with the reader's token. wrk runs in chunks of about ``--sample-every`` requests; after each
one the resident memory of every worker (``VmRSS`` of /proc/<pid>/status) is read. The
table shows the requests done and each worker's RSS, then the growth from the first sample
(after a warm-up of one pass of the mix) to the last.

The posts it writes carry bench/writes.py's titles and are deleted before and after the
run, so the full database keeps the counts ``python -m bench`` checks. It exits 0 whatever
the figures are: flat or not is for the reader; only a server that stops answering, or a
worker that is replaced, is an error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import subprocess
import sys
import time
import urllib.request

from . import load, seed, writes
from .__main__ import DEFAULT_DATA_DIR, Server, start, stop, tokens

# (weight, method, path, body); "@post@" is the id of the newest post, found at the start.
MIX = [
    (4, "GET", "/api/v1/me", ""),
    (3, "GET", "/api/v2/posts?limit=20", ""),
    (3, "GET", "/api/v2/posts/@post@", ""),
    (2, "GET", "/api/v2/posts?tag=python&limit=10", ""),
    (2, "GET", "/api/v2/posts?q=garden&limit=10", ""),
    (2, "GET", "/api/v2/feed?limit=10", ""),
    (1, "POST", "/api/v2/posts", "rich"),
]
BODIES = {"rich": writes.rich_body, "plain": writes.plain_body}


def rotation(post_id: int, run: str) -> list[str]:
    """The lines for bench/requests.lua: ``MIX`` with each request repeated by its weight,
    interleaved (the first of each, then the second of each, …), not in blocks."""
    lines: list[list[str]] = []
    for weight, method, path, body in MIX:
        text = f"{method} {path.replace('@post@', str(post_id))}"
        if body:
            text += " " + BODIES[body]().replace("@RUN@", run)
        lines.append([text] * weight)
    longest = max(len(group) for group in lines)
    return [group[i] for i in range(longest) for group in lines if i < len(group)]


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` in KiB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def newest_post(base: str, token: str) -> int:
    request = urllib.request.Request(
        base + "/api/v2/posts?limit=1", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())["items"][0]["id"]


def soak(
    database: seed.Database, secret: str, args: argparse.Namespace
) -> tuple[list[int], list[tuple[int, list[int]]], int]:
    """Drive one backend's full database; its workers, the samples and the errors."""
    token = tokens(database.url, secret)["ours"]
    writes.clear(database.url, secret)
    server = Server(
        f"soak_{database.backend}",
        "bench.app:create_bench_app()",
        database.url,
        env={"POST_RATE_LIMIT": "1000000000 per minute"},
    )
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[tuple[int, list[int]]] = []
    errors = 0
    try:
        start(server, secret, args.workers, log=subprocess.DEVNULL)
        workers = load.children(server.process.pid)
        lines = rotation(newest_post(server.base(), token), secrets.token_hex(4))
        # Warm-up, not counted: imports, pools and caches, every request of the mix on
        # each worker.
        load.rotate(server.base(), headers, lines, seconds=3, connections=args.connections)
        samples.append((0, [rss_kib(pid) for pid in workers]))
        done, rate = 0, 0.0
        while done < args.requests:
            wanted = min(args.sample_every, args.requests - done)
            seconds = max(1, math.ceil(wanted / rate)) if rate else 1
            result = load.rotate(
                server.base(), headers, lines, seconds=seconds, connections=args.connections
            )
            done += result.requests
            errors += result.errors
            rate = result.requests_per_second
            samples.append((done, [rss_kib(pid) for pid in workers]))
            cpu = ", ".join(f"{load.cpu_seconds([pid]):.1f}" for pid in workers)
            print(f"{database.backend}: {done} requests; workers' CPU s {cpu}", file=sys.stderr)
        if load.children(server.process.pid) != workers:
            print(f"{database.backend}: a worker was replaced", file=sys.stderr)
            errors += 1
    finally:
        stop(server)
        writes.clear(database.url, secret)
    return workers, samples, errors


def table(backend: str, workers: list[int], samples: list[tuple[int, list[int]]]) -> str:
    """The samples, RSS in MiB, and the growth first sample → last, and over the second
    half (what the first chunks' warm caches do not explain)."""
    head = " | ".join(f"worker {pid} RSS MiB" for pid in workers)
    lines = [
        f"| backend | requests | {head} |",
        "|---|---:|" + "---:|" * len(workers),
    ]
    for done, rss in samples:
        cells = " | ".join(f"{kib / 1024:.1f}" for kib in rss)
        lines.append(f"| {backend} | {done} | {cells} |")
    first, last = samples[0][1], samples[-1][1]
    growth = ", ".join(
        f"worker {pid}: {a / 1024:.1f} → {b / 1024:.1f} MiB ({(b - a) / 1024:+.1f})"
        for pid, a, b in zip(workers, first, last, strict=True)
    )
    middle = samples[len(samples) // 2][1]
    second_half = ", ".join(
        f"worker {pid}: {(b - m) / 1024:+.1f} MiB"
        for pid, m, b in zip(workers, middle, last, strict=True)
    )
    lines += [
        "",
        f"{backend}: growth first sample → last: {growth}",
        f"{backend}: growth over the second half of the samples: {second_half}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--requests", type=int, default=200_000, help="per backend")
    parser.add_argument("--sample-every", type=int, default=10_000, help="requests (about)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--posts", type=int, default=seed.POSTS, help="posts in the full database (seeded if not)"
    )
    args = parser.parse_args(argv)

    os.environ["FLASK_ENV"] = "production"
    wanted, pg_url = seed.backends(args.backends)
    os.makedirs(args.data_dir, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    found = {
        d.backend: d
        for d in seed.databases(args.data_dir, pg_url, args.posts)
        if d.variant == "full" and d.backend in wanted
    }
    reports = []
    for backend in wanted:
        database = found[backend]
        if not seed.is_seeded(database, secret):
            began = time.monotonic()
            print(f"seeding {backend}/full ...", file=sys.stderr, flush=True)
            seed.seed(database, secret, pg_url)
            print(f"  done in {time.monotonic() - began:.1f}s", file=sys.stderr, flush=True)
        workers, samples, errors = soak(database, secret, args)
        reports.append(table(backend, workers, samples) + f"\n{backend}: errors {errors}")
    print("\n\n".join(reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
