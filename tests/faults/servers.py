"""Private servers the fault tests may restart, kill and freeze, and the write load they
put on gunicorn.

Nothing here touches a shared server: PostgreSQL is a throwaway cluster (initdb in a temp
directory, on a free port, run as the ``postgres`` OS user when the tests run as root),
Redis a ``redis-server --save ''`` on a free port. Both listen on 127.0.0.1 only. Without
the binaries the tests skip, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..servers import ROOT, free_port, healthy, migrate

HOST = "127.0.0.1"
PASSWORD = "fault-injection-password-0123"


def require(binary: str, *candidates: str) -> str:
    """The path of ``binary``; skip without it (fail under CI=true)."""
    for path in (shutil.which(binary), *candidates):
        if path and os.access(path, os.X_OK):
            return path
    message = f"{binary} is not installed"
    if os.getenv("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI must run the fault tests")
    pytest.skip(message)


def _pg_binary(name: str) -> str:
    return require(name, *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True))


# --- PostgreSQL -----------------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway cluster: ``restart()``, ``terminate_app_connections()``, ``url``."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user to run PostgreSQL")
            self.as_user = [require("runuser"), "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        self.data, self.log = self.dir / "data", self.dir / "server.log"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@{HOST}:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, result.stdout + result.stderr + self._log_tail()

    def _log_tail(self) -> str:
        try:
            return self.log.read_text()[-2000:]
        except OSError:
            return ""

    def init(self) -> None:
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-N")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} -c fsync=off "
            "-c full_page_writes=off -c max_connections=60"
        )
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self, mode: str = "fast", down_for: float = 0.0) -> None:
        self.stop(mode)
        time.sleep(down_for)
        self.start()

    def sql(self, statement: str) -> list[tuple]:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(sa.text(statement))
                return [tuple(row) for row in result] if result.returns_rows else []
        finally:
            engine.dispose()

    def terminate_app_connections(self) -> int:
        """``pg_terminate_backend`` every other client connection (the app's pools)."""
        rows = self.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return sum(1 for (ok,) in rows if ok)

    def cleanup(self) -> None:
        try:
            self.stop("immediate")
        except (AssertionError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


# --- Redis ------------------------------------------------------------------------------------


class PrivateRedis:
    """``redis-server`` on a free port: ``stop()``, ``start()``, ``pause()`` (SIGSTOP)."""

    def __init__(self) -> None:
        self.binary = require("redis-server")
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import redis

                if redis.Redis(host=HOST, port=self.port, socket_timeout=0.5).ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise AssertionError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)


# --- gunicorn ----------------------------------------------------------------------------------


SECRET_PATTERNS = [
    re.compile(re.escape(PASSWORD)),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),  # a JWT
    re.compile(r"\$argon2id?\$"),  # a password hash
]


def secrets_in(text: str) -> list[str]:
    return [m.group(0)[:40] for p in SECRET_PATTERNS for m in p.finditer(text)]


@dataclass
class Gunicorn:
    """A running gunicorn from the repository's gunicorn.conf.py."""

    process: subprocess.Popen
    port: int
    log_path: Path
    pidfile: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def workers(self, master: int | None = None) -> list[int]:
        master = master or self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def app_env(database_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    metrics_dir = tmp / "prometheus"
    metrics_dir.mkdir(exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "DB_"))},
        "FLASK_ENV": "production",
        "SECRET_KEY": "fault-tests-secret-key-0123456789abcdef-xyz",
        "DATABASE_URL": database_url,
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8",
        "ARGON2_PARALLELISM": "1",
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "REGISTER_RATE_LIMIT": "100000 per minute",
        "POST_RATE_LIMIT": "100000 per minute",
        "METRICS_ENABLED": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WEB_CONCURRENCY": "4",
        "PYTHONWARNINGS": "ignore",
        **extra,
    }


@contextmanager
def gunicorn(env: dict[str, str], tmp: Path, *args: str) -> Iterator[Gunicorn]:
    """Migrate, start gunicorn with gunicorn.conf.py, yield it; stop it and check its log."""
    migrate(env)
    port = free_port()
    env = {**env, "PORT": str(port)}
    log_path, pidfile = tmp / f"gunicorn-{port}.log", tmp / f"gunicorn-{port}.pid"
    log = open(log_path, "wb")
    process = subprocess.Popen(
        # The console script, not ``python -m gunicorn``: a USR2 re-exec of the latter runs
        # gunicorn/__main__.py as a script, and gunicorn/http then shadows the stdlib's http.
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"{HOST}:{port}",
            "--pid",
            str(pidfile),
            *args,
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Gunicorn(process, port, log_path, pidfile)
    try:
        deadline = time.monotonic() + 60
        while not (healthy(HOST, port) and len(server.workers()) >= int(env["WEB_CONCURRENCY"])):
            assert process.poll() is None, f"gunicorn exited:\n{server.log()}"
            assert time.monotonic() < deadline, f"gunicorn did not start:\n{server.log()}"
            time.sleep(0.1)
        yield server
    finally:
        for path in (pidfile, Path(f"{pidfile}.2")):  # a master started by USR2
            try:
                other = int(path.read_text().strip())
            except (OSError, ValueError):
                continue
            if other != process.pid:
                _terminate(other)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        leaked = secrets_in(server.log())
        assert not leaked, f"the server log holds secrets: {leaked}"


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


# --- HTTP -------------------------------------------------------------------------------------


def call(port: int, method: str, path: str, body=None, headers=None, timeout: float = 10):
    """(status, json body, headers) or raise OSError/HTTPException when the connection fails."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json", **(headers or {})} if data else headers or {}
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        raw = response.read()
        parsed = (
            json.loads(raw)
            if raw and response.getheader("Content-Type", "").startswith("application/json")
            else None
        )
        return response.status, parsed, dict(response.getheaders())
    finally:
        conn.close()


def register_and_login(port: int, username: str) -> dict[str, str]:
    status, body, _ = call(
        port, "POST", "/api/v2/users", {"username": username, "password": PASSWORD}
    )
    assert status == 201, body
    status, body, _ = call(
        port, "POST", "/api/v2/auth/login", {"username": username, "password": PASSWORD}
    )
    assert status == 200, body
    return {"Authorization": f"Bearer {body['access_token']}"}


# --- the write load -----------------------------------------------------------------------------


@dataclass
class Load:
    """Writers creating posts, each retried with its Idempotency-Key until acknowledged."""

    port: int
    headers: list[dict[str, str]]
    retry_for: float = 45.0  # give up on one write after this long
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # connection-level failures
    acked: dict[str, int] = field(default_factory=dict)  # title -> post id
    attempted: set[str] = field(default_factory=set)
    last_ack: dict[int, float] = field(default_factory=dict)
    gave_up: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ports: list[int] = field(default_factory=list)

    def writer(self, n: int) -> None:
        headers = self.headers[n % len(self.headers)]
        i = 0
        while not self.stop.is_set():
            title = f"w{n}-{i}"
            i += 1
            with self.lock:
                self.attempted.add(title)
            started = time.monotonic()
            while True:
                try:
                    status, body, _ = call(
                        self.port,
                        "POST",
                        "/api/v2/posts",
                        {"title": title, "content": "c"},
                        {**headers, "Idempotency-Key": title},
                        timeout=10,
                    )
                except (OSError, http.client.HTTPException) as exc:
                    status, body = None, None
                    with self.lock:
                        self.errors[type(exc).__name__] += 1
                with self.lock:
                    if status is not None:
                        self.statuses[status] += 1
                    if status == 201:
                        self.acked[title] = body["id"]
                        self.last_ack[n] = time.monotonic()
                if status == 201:
                    break
                if time.monotonic() - started > self.retry_for:
                    self.gave_up.append(title)
                    break
                if self.stop.is_set() and status is None:
                    break  # the server is gone for good (a stop): unacknowledged
                time.sleep(random.uniform(0.02, 0.1))

    @contextmanager
    def running(self, writers: int) -> Iterator[Load]:
        threads = [
            threading.Thread(target=self.writer, args=(n,), daemon=True) for n in range(writers)
        ]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            for thread in threads:
                thread.join(timeout=60)
            assert not any(t.is_alive() for t in threads), "a writer did not finish"

    def wait_for_acks(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        target = len(self.acked) + count
        while len(self.acked) < target:
            assert time.monotonic() < deadline, f"no progress: {self.summary()}"
            time.sleep(0.05)

    def recovered_within(self, since: float, writers: int, timeout: float) -> float:
        """Seconds after ``since`` until every writer had a write acknowledged again."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                done = [self.last_ack.get(n, 0) > since for n in range(writers)]
            if all(done):
                return max(self.last_ack[n] for n in range(writers)) - since
            assert time.monotonic() < deadline, (
                f"not recovered within {timeout} s: {self.summary()}"
            )
            time.sleep(0.05)

    def summary(self) -> str:
        return (
            f"acked={len(self.acked)} statuses={dict(self.statuses)} "
            f"errors={dict(self.errors)} gave_up={len(self.gave_up)}"
        )


def post_rows(database_url: str) -> list[tuple[str, int]]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT title, id FROM posts"))]
    finally:
        engine.dispose()


def check_writes(load: Load, rows: list[tuple[str, int]]) -> None:
    """0 acknowledged writes lost, 0 duplicates, no 500."""
    counts = Counter(title for title, _ in rows)
    duplicates = {t: c for t, c in counts.items() if c > 1}
    ids = {title: pid for title, pid in rows}
    lost = [t for t, pid in load.acked.items() if ids.get(t) != pid]
    assert not lost, f"acknowledged writes lost: {lost[:10]} ({load.summary()})"
    assert not duplicates, f"duplicated by retries: {list(duplicates)[:10]}"
    assert load.statuses[500] == 0, f"500s where 503 was due: {load.summary()}"
    assert set(counts) <= load.attempted, "rows nobody wrote"
    assert not load.gave_up, f"writes that never succeeded: {load.gave_up[:5]}"
