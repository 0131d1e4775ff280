"""``python -m bench.instructions``: instructions per request, in-process, under callgrind.

Seconds move with whatever else the machine runs; instruction counts do not. This runs the
app in one process under ``valgrind --tool=callgrind`` (Debian's ``valgrind``) and counts
the instructions of N requests of each scenario: the script calls ``os.getppid()`` between
phases and callgrind dumps its counters there (``--dump-before=getppid``), so each dump
file is one phase. Startup, seeding and warm-up fall into their own phases and are not
counted. Production config, SQLite in a temporary directory, ``app.test_client()``.

    python -m bench.instructions [--requests 100] [--repo PATH]

``--repo`` measures another checkout (its ``app`` package) with this script, for a before
and after of one change. Under callgrind Python runs ~50× slower: 100 requests of each
scenario take a few minutes.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = ("bare", "me", "rw_user", "posts20", "posts20_reader")
PASSWORD = "instructions-0123456789"


def phases(requests: int) -> None:
    """Run inside callgrind: seed, warm up, then one marked phase per scenario."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]  # bench/app.py
    import logging

    from flask import jsonify

    from app import create_app
    from app.extensions import db
    from app.models import Post, User

    try:
        from app.models import Tag
    except ImportError:  # a checkout from before the blog (--repo): posts without tags
        Tag = None

    data = tempfile.mkdtemp(prefix="bench-instr-")
    app = create_app(
        "production",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{data}/i.db", "SECRET_KEY": "i" * 48},
    )
    logging.getLogger("app").handlers.clear()  # the access line stays (it is built), unshown

    @app.get("/bench/bare")
    def bench_bare():
        return jsonify({"status": "ok"})

    with app.app_context():
        db.create_all()
        users = []
        for n in range(10):
            user = User(password_hash="unused")
            user.set_username(f"user{n}")
            if n == 1:
                user.set_password(PASSWORD)
            db.session.add(user)
            users.append(user)
        db.session.flush()
        tag_by_name = {}
        for n in range(200):
            post = Post(title=f"Post {n}", content=f"Body *{n}* " * 20, user_id=users[n % 10].id)
            if hasattr(Post, "slug"):
                post.slug = f"post-{n}"
            if Tag is not None:
                names = sorted([f"t{n % 7}", "common"])
                tags = [tag_by_name.setdefault(name, Tag(name=name)) for name in names]
                if hasattr(post, "set_tags"):
                    post.set_tags(tags)
                else:
                    post.tag_rows = tags
            db.session.add(post)
        db.session.commit()
    client = app.test_client()
    # A token through the API's own login (v1, in every version of this project): whatever
    # a token holds in the checkout measured (sessions, versions), it is a real one.
    login = client.post("/api/v1/login", json={"username": "user1", "password": PASSWORD})
    assert login.status_code == 200, login.get_json()
    signed = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    paths = {
        "bare": ("/bench/bare", None),
        "me": ("/api/v1/me", signed),
        # RealWorld's current user (the peer comparison's /api/user), same token.
        "rw_user": ("/api/user", {"Authorization": f"Token {login.get_json()['access_token']}"}),
        "posts20": ("/api/v2/posts?limit=20", None),
        "posts20_reader": ("/api/v2/posts?limit=20", signed),  # `liked` for the reader
    }
    for path, headers in paths.values():
        for _ in range(20):
            assert client.get(path, headers=headers).status_code == 200, path
    for name in SCENARIOS:
        path, headers = paths[name]
        os.getppid()  # callgrind dumps here: the phase before ends
        for _ in range(requests):
            client.get(path, headers=headers)
    os.getppid()
    shutil.rmtree(data, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--repo", default=ROOT, help="the checkout whose app is measured")
    parser.add_argument("--phases", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phases:
        phases(args.requests)
        return 0
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    out = tempfile.mkdtemp(prefix="bench-callgrind-")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.abspath(args.repo), ROOT]))
    env.pop("JWT_SECRET_KEY", None)
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--dump-before=getppid",
        f"--callgrind-out-file={out}/cg.%p",
        sys.executable,
        os.path.abspath(__file__),  # not -m: --repo's checkout may have no bench.instructions
        "--phases",
        "--requests",
        str(args.requests),
    ]
    run = subprocess.run(cmd, cwd=args.repo, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
        return 1
    dumps = sorted(glob.glob(f"{out}/cg.*.*"), key=lambda f: int(f.rsplit(".", 1)[1]))
    totals = []
    for path in dumps:
        with open(path) as dump:
            totals.append(next(int(x.split()[1]) for x in dump if x.startswith("summary:")))
    # dump 1 ends at the first mark (startup, seeding, warm-up); then one per scenario
    per_request = dict(zip(SCENARIOS, (t / args.requests for t in totals[1:]), strict=False))
    print(f"instructions per request ({args.requests} requests each, {args.repo}):")
    for name, value in per_request.items():
        print(f"  {name:8} {value / 1000:10,.0f}k")
    if "bare" in per_request and "me" in per_request:
        print(f"  bare ÷ me (instructions): {per_request['bare'] / per_request['me']:.2f}")
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
