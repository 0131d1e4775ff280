"""``python -m bench.peer --peer-dir DIR``: our RealWorld face beside the peer, same data.

The peer is nsidnev/fastapi-realworld-example-app (FastAPI + asyncpg), checked out by the
user in ``DIR`` outside this repository; none of its code is in this repository. This module:

1. builds a venv for the peer in ``DIR/.venv`` when it has none (``PEER_REQUIREMENTS``: its
   lock file's versions, moved up only where they have no build for this Python);
2. seeds our data in a schema of our PostgreSQL database (``bench.realworld_data``), creates
   the peer's database beside it (``bench_peer``), runs the peer's own alembic migration and
   copies our rows into its tables;
3. serves ours with gunicorn (2 sync workers, as ``python -m bench`` does) and the peer with
   ``uvicorn[standard]`` (2 workers), checks that both answer every scenario alike, then
   drives each scenario on each server with wrk, alternating scenarios and servers round by
   round, and prints medians, spread, server CPU per request and the ratio ours ÷ peer.

Absolute rates move with whatever else runs on the machine; the ratios of one alternating
run are the figures to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from . import load, realworld_data, seed
from .__main__ import ROOT, Server, cpu_snapshot, free_port, server_pids, start, stop, versions

PEER_REPO = "nsidnev/fastapi-realworld-example-app"
# Its poetry.lock, except: pydantic 1.9.2, asyncpg 0.26.0, psycopg2-binary 2.9.3 and
# SQLAlchemy 1.4.31 have no wheels for Python 3.11 (pydantic would build without its
# compiled core); anyio stays on 3.x, which its Starlette 0.19.1 was written against.
PEER_REQUIREMENTS = [
    "uvicorn[standard]==0.18.2",
    "fastapi==0.79.1",
    "starlette==0.19.1",
    "anyio==3.7.1",
    "pydantic[email,dotenv]==1.10.19",
    "passlib[bcrypt]==1.7.4",
    "bcrypt==3.2.2",
    "pyjwt==2.4.0",
    "asyncpg==0.27.0",
    "psycopg2-binary==2.9.9",
    "aiosql==6.2",
    "pypika==0.48.9",
    "alembic==1.8.1",
    "sqlalchemy==1.4.46",
    "python-slugify==6.1.2",
    "Unidecode==1.3.4",
    "loguru==0.6.0",
]
PEER_VERSIONS = ("uvicorn", "uvloop", "httptools", "fastapi", "starlette", "pydantic", "asyncpg")
TOKEN_DAYS = 7  # the peer's tokens live a week; ours for the run are given the same


@dataclass
class Scenario:
    name: str
    path: str
    auth: bool
    rates: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "peer": []})
    cpu_us: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "peer": []})
    errors: dict[str, int] = field(default_factory=lambda: {"ours": 0, "peer": 0})
    bytes: dict[str, int] = field(default_factory=dict)


def scenarios() -> list[Scenario]:
    return [
        Scenario("articles", "/api/articles", False),
        Scenario("articles_tag", f"/api/articles?tag={realworld_data.COMMON_TAG}", False),
        Scenario("feed", "/api/articles/feed", True),
        Scenario("user", "/api/user", True),
        Scenario("comments", f"/api/articles/{realworld_data.measured_slug()}/comments", False),
    ]


# --- the peer: venv, database, server -------------------------------------------------------


def check_peer_dir(peer_dir: str) -> None:
    for part in ("app/main.py", "alembic.ini", "app/db/migrations"):
        if not os.path.exists(os.path.join(peer_dir, part)):
            raise SystemExit(
                f"{peer_dir} is not a checkout of {PEER_REPO} (no {part}); "
                "see docs/performance.md, 'Against the peer'"
            )


def clean_env() -> dict[str, str]:
    """This environment without what points a Python at our code or our venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def ensure_venv(venv: str, base_python: str) -> str:
    """The peer venv's python; the venv is made and filled when it has no uvicorn yet."""
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(os.path.join(venv, "bin", "uvicorn")):
        print(f"building the peer's venv in {venv} ...", file=sys.stderr, flush=True)
        subprocess.run([base_python, "-m", "venv", venv], check=True, env=clean_env())
        pip = [python, "-m", "pip", "install", "-q", "--prefer-binary"]
        subprocess.run(pip + PEER_REQUIREMENTS, check=True, env=clean_env())
    return python


def peer_versions(python: str) -> dict[str, str]:
    out = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout
    found = {p["name"].lower(): p["version"] for p in json.loads(out or "[]")}
    python_version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout.strip()
    return {"python": python_version} | {name: found.get(name, "-") for name in PEER_VERSIONS}


def peer_password(python: str) -> tuple[str, str]:
    """A salt and the hash of salt + ``PASSWORD``, as the peer's ``UserInDB`` makes them."""
    code = (
        "import sys, bcrypt; from passlib.context import CryptContext; "
        "salt = bcrypt.gensalt().decode(); "
        "print(salt); print(CryptContext(schemes=['bcrypt']).hash(salt + sys.argv[1]))"
    )
    out = subprocess.run(
        [python, "-c", code, realworld_data.PASSWORD],
        capture_output=True,
        text=True,
        check=True,
        env=clean_env(),
    )
    salt, hashed = out.stdout.split()
    return salt, hashed


def peer_dsn(pg_url: str, database: str) -> str:
    """A plain ``postgresql://`` URL of the peer's database (asyncpg, psycopg2 and libpq)."""
    url = sa.engine.make_url(pg_url).set(drivername="postgresql", database=database, query={})
    return url.render_as_string(hide_password=False)


def create_database(pg_url: str, database: str) -> None:
    engine = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    engine.dispose()


def peer_env(dsn: str, secret: str, pool: int) -> dict[str, str]:
    env = clean_env()
    env.update(
        APP_ENV="prod",
        DATABASE_URL=dsn,
        SECRET_KEY=secret,
        # Its asyncpg pool per worker (stock: 10 kept open), set to our DB_POOL_SIZE default.
        MAX_CONNECTION_COUNT=str(pool),
        MIN_CONNECTION_COUNT=str(pool),
    )
    return env


def migrate_peer(peer_dir: str, python: str, dsn: str) -> None:
    """Drop whatever the peer's database holds and run the peer's own alembic migration."""
    engine = sa.create_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    alembic = [python, "-m", "alembic", "upgrade", "head"]
    env = peer_env(dsn, "migration-only", 1)
    done = subprocess.run(alembic, cwd=peer_dir, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the peer's alembic upgrade failed:\n{done.stderr[-2000:]}")


def start_peer(server: Server, peer_dir: str, python: str, secret: str, args, log) -> None:
    """uvicorn with its standard extras (uvloop, httptools), ``--workers``, stock otherwise."""
    server.port = free_port()
    server.app_name = f"bench_peer_{os.getpid()}"
    dsn = f"{server.url}?application_name={server.app_name}"
    cmd = [python, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
    cmd += ["--port", str(server.port), "--workers", str(args.workers)]
    env = peer_env(dsn, secret, args.peer_pool)
    server.process = subprocess.Popen(cmd, cwd=peer_dir, env=env, stdout=log, stderr=log)
    wait_ready(server, "/api/tags", log.name)


def wait_ready(server: Server, path: str, log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}: see {log}")
        try:
            with urllib.request.urlopen(server.base() + path, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer {path} within 60 s: see {log}")


# --- data and tokens ------------------------------------------------------------------------


def prepare_data(args, pg_url: str, secret: str, python: str) -> tuple[str, str]:
    """Seed ours and the peer's database when they are not (``--reseed`` forces it)."""
    ours_url = seed.with_search_path(pg_url, args.schema)
    ours = sa.create_engine(ours_url, poolclass=sa.pool.NullPool)
    if args.reseed or not realworld_data.is_seeded(ours):
        began = time.monotonic()
        print(f"seeding our schema {args.schema} ...", file=sys.stderr, flush=True)
        realworld_data.seed_ours(ours_url, args.schema, pg_url, secret)
        print(f"  done in {time.monotonic() - began:.1f}s", file=sys.stderr, flush=True)
    create_database(pg_url, args.peer_database)
    dsn = peer_dsn(pg_url, args.peer_database)
    peer = sa.create_engine(dsn.replace("postgresql://", "postgresql+psycopg://", 1))
    wanted = realworld_data.counts(ours)
    stale = realworld_data.marker(peer, peer=True) != realworld_data.seed_mark()
    if args.reseed or stale or realworld_data.counts(peer, peer=True) != wanted:
        began = time.monotonic()
        print(f"migrating and filling {args.peer_database} ...", file=sys.stderr, flush=True)
        migrate_peer(args.peer_dir, python, dsn)
        realworld_data.copy_to_peer(ours_url, dsn, *peer_password(python))
        print(f"  done in {time.monotonic() - began:.1f}s", file=sys.stderr, flush=True)
    found = realworld_data.counts(peer, peer=True)
    ours.dispose()
    peer.dispose()
    if found != wanted:
        raise RuntimeError(f"the peer's rows {found} are not ours {wanted}")
    return ours_url, dsn


def our_token(url: str, secret: str) -> str:
    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.sessions import session_access_token

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(username=realworld_data.BENCH_USER))
        token = session_access_token(user, lifetime=TOKEN_DAYS * 86400)
        db.session.remove()
        db.engine.dispose()
    return token


def peer_token(secret: str) -> str:
    """What the peer's ``create_access_token_for_user`` signs: its payload, HS256, its secret."""
    import jwt

    payload = {
        "username": realworld_data.BENCH_USER,
        "exp": datetime.now(UTC) + timedelta(days=TOKEN_DAYS),
        "sub": "access",
    }
    return jwt.encode(payload, secret, algorithm="HS256")


# --- checks ---------------------------------------------------------------------------------


def get_json(url: str, token: str | None) -> tuple[Any, int]:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{url}: {error.code} {error.read()[:300]!r}") from None
    return json.loads(body), len(body)


def check_answer(scenario: Scenario, body: Any) -> str | None:
    """What is wrong with one server's answer to ``scenario``, or None."""
    followed = {f"author{n}" for n in range(2, realworld_data.FOLLOWED + 2)}
    if scenario.name.startswith("articles") or scenario.name == "feed":
        articles = body.get("articles", [])
        if len(articles) != 20:
            return f"{len(articles)} articles, not 20"
        if scenario.name == "articles_tag" and any(
            realworld_data.COMMON_TAG not in a["tagList"] for a in articles
        ):
            return f"an article without the tag {realworld_data.COMMON_TAG}"
        if scenario.name == "feed" and any(
            a["author"]["username"] not in followed or not a["author"]["following"]
            for a in articles
        ):
            return "an article by someone the user does not follow"
    elif scenario.name == "user":
        if body["user"]["username"] != realworld_data.BENCH_USER:
            return f"user {body['user']['username']}"
    elif scenario.name == "comments":
        if len(body["comments"]) != realworld_data.MEASURED_COMMENTS:
            return f"{len(body['comments'])} comments"
    return None


def check_servers(items: list[Scenario], servers: dict[str, Server], tokens: dict) -> None:
    """Both servers answer every scenario 200 with the same data, before anything is timed."""
    problems = []
    for s in items:
        for side, server in servers.items():
            try:
                body, size = get_json(server.base() + s.path, tokens[side] if s.auth else None)
            except RuntimeError as error:
                problems.append(f"{side} {s.name}: {error}")
                continue
            s.bytes[side] = size
            if problem := check_answer(s, body):
                problems.append(f"{side} {s.name}: {problem}")
    if problems:
        raise RuntimeError(
            "the servers do not answer alike (logs: bench/results/peer-logs/): "
            + "; ".join(problems)
        )


# --- run and report -------------------------------------------------------------------------


def drive(s: Scenario, side: str, server: Server, token: str, args, pg_url: str) -> None:
    headers = {"Authorization": f"Token {token}"} if s.auth else {}
    before = cpu_snapshot(server_pids(server, pg_url))
    result = load.drive(
        server.base() + s.path, headers, seconds=args.seconds, connections=args.connections
    )
    after = cpu_snapshot(server_pids(server, pg_url))
    used = sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
    s.rates[side].append(result.requests_per_second)
    s.cpu_us[side].append(used / max(result.requests, 1) * 1e6)
    s.errors[side] += result.errors


def report(items: list[Scenario]) -> str:
    lines = [
        "| scenario | ours req/s (min–max) | peer req/s (min–max) | ours ÷ peer "
        "| per round (min–max) | CPU µs/req ours | peer | ÷ by CPU | errors | bytes ours / peer |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in items:
        ours, peer = s.rates["ours"], s.rates["peer"]
        rounds = [o / p for o, p in zip(ours, peer, strict=True) if p]
        cpu_o, cpu_p = statistics.median(s.cpu_us["ours"]), statistics.median(s.cpu_us["peer"])
        lines.append(
            f"| {s.name} | {statistics.median(ours):.0f} ({min(ours):.0f}–{max(ours):.0f}) "
            f"| {statistics.median(peer):.0f} ({min(peer):.0f}–{max(peer):.0f}) "
            f"| **{statistics.median(ours) / statistics.median(peer):.2f}** "
            f"| {min(rounds):.2f}–{max(rounds):.2f} | {cpu_o:.0f} | {cpu_p:.0f} "
            f"| {cpu_p / cpu_o:.2f} | {s.errors['ours']} / {s.errors['peer']} "
            f"| {s.bytes.get('ours', 0)} / {s.bytes.get('peer', 0)} |"
        )
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if "model name" in line), ""
            )
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "load_average": os.getloadavg(),
        "kernel": platform.release(),
    }


def run(args) -> int:
    pg_url = args.database_url
    if not pg_url:
        print("set BENCH_DATABASE_URL or TEST_DATABASE_URL (PostgreSQL)", file=sys.stderr)
        return 2
    peer_dir = os.path.abspath(args.peer_dir)
    check_peer_dir(peer_dir)
    items = [s for s in scenarios() if not args.only or s.name in args.only.split(",")]
    if not items:
        names = ", ".join(s.name for s in scenarios())
        print(f"--only names none of the scenarios: {names}", file=sys.stderr)
        return 2
    python = ensure_venv(args.peer_venv or os.path.join(peer_dir, ".venv"), args.peer_python)
    os.environ["FLASK_ENV"] = "production"
    secret, peer_secret = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
    ours_url, dsn = prepare_data(args, pg_url, secret, python)
    tokens = {"ours": our_token(ours_url, secret), "peer": peer_token(peer_secret)}
    logs_dir = os.path.join(ROOT, "bench", "results", "peer-logs")
    os.makedirs(logs_dir, exist_ok=True)
    servers = {
        "ours": Server("rw", "bench.app:create_bench_app()", ours_url),
        "peer": Server("peer", "", dsn),
    }
    extra: dict[str, Any] = {
        "ours": versions(),
        "peer": peer_versions(python) | {"commit": peer_commit(peer_dir)},
        "machine_before": machine(),
    }
    with (
        open(os.path.join(logs_dir, "ours.log"), "w") as ours_log,
        open(os.path.join(logs_dir, "peer.log"), "w") as peer_log,
    ):
        try:
            start(servers["ours"], secret, args.workers, log=ours_log)
            start_peer(servers["peer"], peer_dir, python, peer_secret, args, peer_log)
            check_servers(items, servers, tokens)
            for s in items:  # warm-up: imports, pools, prepared statements
                for side, server in servers.items():
                    headers = {"Authorization": f"Token {tokens[side]}"} if s.auth else {}
                    load.drive(server.base() + s.path, headers, seconds=1, connections=2)
            for round_no in range(args.rounds):
                shift = round_no % len(items)
                sides = ["ours", "peer"] if round_no % 2 == 0 else ["peer", "ours"]
                for s in items[shift:] + items[:shift]:
                    for side in sides:
                        drive(s, side, servers[side], tokens[side], args, pg_url)
                print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr, flush=True)
        finally:
            for server in servers.values():
                stop(server)
    extra["machine_after"] = machine()
    print(report(items))
    print()
    print(json.dumps(extra, indent=2))
    out = os.path.join(ROOT, "bench", "results", "peer.json")
    with open(out, "w") as handle:
        json.dump(
            {
                "results": {
                    s.name: {
                        "path": s.path,
                        "rates": s.rates,
                        "cpu_us": s.cpu_us,
                        "errors": s.errors,
                        "bytes": s.bytes,
                    }
                    for s in items
                },
                **extra,
                "args": {k: v for k, v in vars(args).items() if k != "database_url"},
            },
            handle,
            indent=2,
        )
    return 0


def peer_commit(peer_dir: str) -> str:
    if not shutil.which("git"):
        return "-"
    found = subprocess.run(
        ["git", "-C", peer_dir, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return found.stdout.strip() or "-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peer-venv", help="the peer's venv (default: PEER_DIR/.venv)")
    parser.add_argument(
        "--peer-python", default=sys.executable, help="builds the peer's venv when it has none"
    )
    parser.add_argument("--peer-database", default="bench_peer", help="made when missing")
    parser.add_argument("--peer-pool", type=int, default=5, help="asyncpg pool per worker")
    parser.add_argument("--schema", default="bench_rw", help="our data's schema")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--peer-dir", required=True, help=f"a checkout of {PEER_REPO}")
    add_arguments(parser)
    parser.add_argument("--seconds", type=float, default=5.0, help="per scenario and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--reseed", action="store_true", help="seed and copy the data again")
    parser.add_argument(
        "--database-url",
        default=os.getenv("BENCH_DATABASE_URL") or os.getenv("TEST_DATABASE_URL"),
        help="our PostgreSQL database (default: BENCH_DATABASE_URL, TEST_DATABASE_URL)",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
