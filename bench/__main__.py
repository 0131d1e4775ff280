"""``python -m bench``: seed, serve each app with gunicorn, drive it, print medians and ratios.

Scenarios run in alternation (one pass over all of them per round, order rotated each round)
so that load from anything else on the machine spreads over every scenario alike; the
ratios of one run are the figures to read, not the absolute rates.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from . import inprocess, load, seed, writes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA_DIR = os.path.join(ROOT, "bench", "results", "data")


@dataclass
class Server:
    name: str
    factory: str
    url: str
    port: int = 0
    process: subprocess.Popen | None = None
    app_name: str = ""
    env: dict[str, str] = field(default_factory=dict)  # beside FLASK_ENV, DATABASE_URL, …

    def database_url(self) -> str:
        if not self.url.startswith("postgresql"):
            return self.url
        self.app_name = f"bench_{self.name}_{os.getpid()}"
        return f"{self.url}&application_name={self.app_name}"

    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Scenario:
    name: str
    backend: str
    server: str
    path: str
    token: str  # "ours", "fjwt" or "" (no Authorization header)
    body: str = ""  # a JSON body (bench/writes.py): POSTed, 201 expected; "": GET
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)  # server CPU per request
    errors: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_args(workers: int, port: int, factory: str) -> list[str]:
    """gunicorn's arguments for ``workers`` sync workers: one request at a time each.

    ``--threads 1`` as well as ``-k sync``: gunicorn.conf.py (read from the repository root)
    sets 8 threads, and gunicorn runs a "sync" worker with more than one thread as gthread.
    """
    sync = ["-w", str(workers), "-k", "sync", "--threads", "1"]
    return [*sync, "-b", f"127.0.0.1:{port}", "--log-level", "warning", factory]


def start(server: Server, secret: str, workers: int, log=None) -> None:
    """gunicorn with ``workers`` sync workers; its output (a log line per request) to ``log``."""
    server.port = free_port()
    env = dict(
        os.environ,
        FLASK_ENV="production",
        SECRET_KEY=secret,
        DATABASE_URL=server.database_url(),
        PYTHONPATH=ROOT,
        **server.env,
    )
    env.pop("JWT_SECRET_KEY", None)
    cmd = [sys.executable, "-m", "gunicorn", *gunicorn_args(workers, server.port, server.factory)]
    server.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(server.base() + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn for {server.name} did not answer /health")


def stop(server: Server) -> None:
    if server.process and server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(15)
        except subprocess.TimeoutExpired:
            server.process.kill()


def server_pids(server: Server, pg_url: str | None) -> list[int]:
    """The gunicorn workers of ``server`` and, on PostgreSQL, the backends serving them."""
    pids = load.children(server.process.pid) if server.process else []
    if server.app_name and pg_url:
        import sqlalchemy as sa

        engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            pids += (
                conn.execute(
                    sa.text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": server.app_name},
                )
                .scalars()
                .all()
            )
        engine.dispose()
    return pids


def cpu_snapshot(pids: list[int]) -> dict[int, float]:
    return {pid: load.cpu_seconds([pid]) for pid in pids}


def has_fjwt() -> bool:
    try:
        import flask_jwt_extended  # noqa: F401
    except ImportError:
        print("no flask-jwt-extended (pip install '.[bench]'): fjwt_me skipped", file=sys.stderr)
        return False
    return True


def tokens(db_url: str, secret: str) -> dict[str, str]:
    from app.extensions import db
    from app.models import User
    from app.sessions import session_access_token

    from .app import create_bench_app, create_fjwt_app, fjwt_token

    overrides = {"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret}
    app = create_fjwt_app(overrides) if has_fjwt() else create_bench_app(overrides)
    with app.app_context():
        user = db.session.get(User, 1)
        ours = session_access_token(user)
        db.session.remove()
        db.engine.dispose()
    return {"ours": ours, "fjwt": fjwt_token(app, 1) if has_fjwt() else ""}


def scenarios_for(backend: str) -> list[Scenario]:
    """The load scenarios; the lists are those of bench.inprocess, on the full database
    (their ``@last:``/``@offset:`` paths are resolved once the server runs)."""
    scenarios = [
        Scenario("bare", backend, "empty", "/bench/bare", ""),
        Scenario("me", backend, "empty", "/api/v1/me", "ours"),
        Scenario("me_1m", backend, "full", "/api/v1/me", "ours"),
        Scenario("fjwt_me", backend, "fjwt", "/bench/fjwt/me", "fjwt"),
        # A v2 page of 20 as a signed-in reader sees it: tags, counts, `liked`, author.
        Scenario("list20", backend, "full", "/api/v2/posts?limit=20", "ours"),
        Scenario("post_plain", backend, "write", "/api/v2/posts", "ours", writes.plain_body()),
        Scenario("post_rich", backend, "write", "/api/v2/posts", "ours", writes.rich_body()),
    ]
    for name, path, needs_token in inprocess.LISTS:
        scenarios.append(Scenario(name, backend, "full", path, "ours" if needs_token else ""))
    return scenarios


def write_server(url: str) -> Server:
    """The server of the write scenarios, on the empty database: the real app, whose
    per-user limit on writing posts (30 a minute) would otherwise answer 429 to nearly all
    of them; the limiter still runs, with a limit no run reaches."""
    return Server(
        "write",
        "bench.app:create_bench_app()",
        url,
        env={"POST_RATE_LIMIT": "1000000000 per minute"},
    )


def resolve_paths(scenarios: list[Scenario], base: str, token: str) -> None:
    """Resolve ``@last:``/``@offset:`` paths against the running full server."""

    class Client:  # the little of a test client that inprocess.resolve uses, over HTTP
        def get(self, path: str, headers: dict[str, str]) -> Any:
            request = urllib.request.Request(base + path, headers=headers)
            with urllib.request.urlopen(request, timeout=120) as response:
                body = json.loads(response.read())
                return SimpleNamespace(
                    status_code=response.status, json=body, headers=response.headers
                )

    for s in scenarios:
        if s.path.startswith("@"):
            headers = {"Authorization": f"Bearer {token}"} if s.token else {}
            s.path = inprocess.resolve(Client(), s.path, headers)


def argon2_figures() -> dict[str, float]:
    from argon2 import PasswordHasher

    hasher = PasswordHasher()
    digest = hasher.hash("correct horse battery staple")
    timings = []
    for _ in range(10):
        began = time.process_time()
        hasher.verify(digest, "correct horse battery staple")
        timings.append(time.process_time() - began)
    verify = statistics.median(timings)
    return {
        "memory_cost_kib": hasher.memory_cost,
        "time_cost": hasher.time_cost,
        "parallelism": hasher.parallelism,
        "verify_ms": verify * 1000,
        "logins_per_second_per_core": 1 / verify,
    }


def versions() -> dict[str, str]:
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for dist in ("flask", "sqlalchemy", "pyjwt", "gunicorn", "psycopg", "argon2-cffi"):
        try:
            found[dist] = version(dist)
        except Exception:
            found[dist] = "-"
    if shutil.which("wrk"):
        banner = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
        found["wrk"] = banner.split()[1]
    return found


RATIOS = [
    ("me ÷ bare", "me", "bare"),
    ("v2 list of 20 ÷ bare", "list20", "bare"),
    ("rich POST ÷ plain POST", "post_rich", "post_plain"),
    ("me (1M revoked) ÷ me (empty)", "me_1m", "me"),
    ("last page ÷ first page (rate; cost is 1/x)", "posts_last", "posts_first"),
    ("last page by offset ÷ first page", "posts_last_offset", "posts_first"),
    ("tag: last page ÷ first page", "tag_last", "tag_first"),
    ("feed: last page ÷ first page", "feed_last", "feed_first"),
    ("this project ÷ flask-jwt-extended", "me", "fjwt_me"),
]


def report(results: dict[str, list[Scenario]]) -> str:
    lines = [
        "| backend | scenario | median req/s | min | max | server CPU µs/req | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for backend, scenarios in results.items():
        for s in scenarios:
            lines.append(
                f"| {backend} | {s.name} | {statistics.median(s.rates):.0f} | {min(s.rates):.0f} "
                f"| {max(s.rates):.0f} | {statistics.median(s.cpu_us):.0f} | {s.errors} |"
            )
    lines += [
        "",
        "| backend | ratio | by req/s | by server CPU/req |",
        "|---|---|---:|---:|",
    ]
    for backend, scenarios in results.items():
        rate = {s.name: statistics.median(s.rates) for s in scenarios}
        cpu = {s.name: statistics.median(s.cpu_us) for s in scenarios}
        for label, top, bottom in RATIOS:
            if top in rate and bottom in rate:
                # A scenario slower than its run (a search of a million matches) completes
                # no request: 0 req/s, and no ratio to print.
                by_rate = f"{rate[top] / rate[bottom]:.2f}" if rate[bottom] else "-"
                by_cpu = f"{cpu[bottom] / cpu[top]:.2f}" if cpu[top] and cpu[bottom] else "-"
                lines.append(f"| {backend} | {label} | {by_rate} | {by_cpu} |")
    return "\n".join(lines)


SMALL = 1000  # the size each list's cost is compared with


def in_process_report(extra: dict[str, Any], posts: int) -> str:
    """The in-process table per backend, with each list's cost ÷ its cost at SMALL posts
    (from that run's ``latest_1000.json``, when there is one)."""
    small_file = os.path.join(ROOT, "bench", "results", f"latest_{SMALL}.json")
    small: dict[str, Any] = {}
    if posts != SMALL and os.path.exists(small_file):
        with open(small_file) as handle:
            small = json.load(handle)
    lines = [
        f"In-process, {posts} posts: median ms per request, SQL statements, and the cost "
        f"÷ the same list at {SMALL} posts",
        "",
        "| backend | list | ms | CPU ms | statements | total | ÷ first page | ÷ 1k posts |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, found in extra.items():
        if not key.endswith("_inprocess"):
            continue
        backend = key.removesuffix("_inprocess")
        before = small.get(key, {})
        for name, r in found.items():
            first = found.get(name.replace("_last_offset", "_first").replace("_last", "_first"))
            vs_first = f"{r['ms'] / first['ms']:.2f}" if first and first is not r else ""
            vs_small = f"{r['ms'] / before[name]['ms']:.2f}" if name in before else ""
            lines.append(
                f"| {backend} | {name} | {r['ms']:.1f} | {r['cpu_ms']:.1f} | {r['statements']} "
                f"| {r['total']} "
                f"| {vs_first} | {vs_small} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=float, default=5.0, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--posts", type=int, default=seed.POSTS, help="posts in the full database (1000, 1000000)"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed the databases and stop")
    parser.add_argument(
        "--peer-dir",
        help="then run bench.peer (PostgreSQL) against this checkout of "
        "nsidnev/fastapi-realworld-example-app, with the same rounds, seconds, connections "
        "and workers; absent: no peer comparison",
    )
    args = parser.parse_args(argv)

    os.environ["FLASK_ENV"] = "production"
    wanted, pg_url = seed.backends(args.backends)
    os.makedirs(args.data_dir, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    dbs = {(d.backend, d.variant): d for d in seed.databases(args.data_dir, pg_url, args.posts)}
    for (backend, _variant), database in dbs.items():
        if backend in wanted and (args.reseed or not seed.is_seeded(database, secret)):
            began = time.monotonic()
            print(f"seeding {backend}/{database.variant} ...", file=sys.stderr, flush=True)
            seed.seed(database, secret, pg_url)
            print(f"  done in {time.monotonic() - began:.1f}s", file=sys.stderr, flush=True)
    if args.seed_only:
        return 0

    results: dict[str, list[Scenario]] = {}
    extra: dict[str, object] = {"versions": versions(), "argon2": argon2_figures()}
    only = {name for name in args.only.split(",") if name}
    for backend in wanted:
        servers = {
            "empty": Server("empty", "bench.app:create_bench_app()", dbs[(backend, "empty")].url),
            "full": Server("full", "bench.app:create_bench_app()", dbs[(backend, "full")].url),
            "fjwt": Server("fjwt", "bench.app:create_fjwt_app()", dbs[(backend, "empty")].url),
            "write": write_server(dbs[(backend, "empty")].url),
        }
        scenarios = [s for s in scenarios_for(backend) if not only or s.name in only]
        if not has_fjwt():
            scenarios = [s for s in scenarios if s.token != "fjwt"]
        # A token lives in its database (its session row): one per database a server reads.
        by_database = {v: tokens(dbs[(backend, v)].url, secret) for v in ("empty", "full")}
        tokens_of = {name: by_database["full" if name == "full" else "empty"] for name in servers}
        if any(s.body for s in scenarios):
            writes.clear(dbs[(backend, "empty")].url, secret)  # what a stopped run left
        try:
            for server in {s.server for s in scenarios}:
                start(servers[server], secret, args.workers)
            if servers["full"].process:
                resolve_paths(scenarios, servers["full"].base(), tokens_of["full"]["ours"])
            if not only or any(s.server == "full" for s in scenarios):
                extra[f"{backend}_inprocess"] = inprocess.measure(
                    dbs[(backend, "full")].url, secret, only=only or None
                )
            for s in scenarios:  # warm-up: imports, pools, prepared statements, caches
                token = tokens_of[s.server][s.token] if s.token else ""
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                body = writes.for_run(s.body) if s.body else None
                load.drive(
                    servers[s.server].base() + s.path,
                    headers,
                    seconds=1,
                    connections=2,
                    body=body,
                )
                if s.body:
                    writes.clear(dbs[(backend, "empty")].url, secret)
            for round_no in range(args.rounds):
                shift = round_no % len(scenarios)
                for s in scenarios[shift:] + scenarios[:shift]:
                    token = tokens_of[s.server][s.token] if s.token else ""
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    server = servers[s.server]
                    before = cpu_snapshot(server_pids(server, pg_url))
                    result = load.drive(
                        server.base() + s.path,
                        headers,
                        seconds=args.seconds,
                        connections=args.connections,
                        body=writes.for_run(s.body) if s.body else None,
                    )
                    after = cpu_snapshot(server_pids(server, pg_url))
                    used = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
                    if s.body:  # every round writes into an equally empty table
                        writes.clear(dbs[(backend, "empty")].url, secret)
                    s.rates.append(result.requests_per_second)
                    s.cpu_us.append(used / max(result.requests, 1) * 1e6)
                    s.errors += result.errors
                print(f"{backend}: round {round_no + 1}/{args.rounds} done", file=sys.stderr)
        finally:
            for server in servers.values():
                stop(server)
        results[backend] = scenarios

    print(report(results))
    print()
    print(in_process_report(extra, args.posts))
    print()
    print(json.dumps(extra, indent=2))
    out = os.path.join(ROOT, "bench", "results", f"latest_{args.posts}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)  # ignored by git: absent on a fresh clone
    with open(out, "w") as handle:
        json.dump(
            {
                "results": {
                    b: {
                        s.name: {
                            "rates": s.rates,
                            "cpu_us": s.cpu_us,
                            "errors": s.errors,
                            "path": s.path,
                        }
                        for s in ss
                    }
                    for b, ss in results.items()
                },
                **extra,
                "args": vars(args),
            },
            handle,
            indent=2,
        )
    if args.peer_dir:
        from . import peer

        print(file=sys.stderr)
        return peer.main(
            [
                f"--peer-dir={args.peer_dir}",
                f"--rounds={args.rounds}",
                f"--seconds={args.seconds}",
                f"--connections={args.connections}",
                f"--workers={args.workers}",
            ]
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
