"""gunicorn process faults under write load, on SQLite and PostgreSQL: a worker SIGKILLed,
a zero-downtime reload (USR2, then TERM to the old master: docs/deploying.md), a stop
(TERM). 0 acknowledged writes lost, 0 duplicates from retried requests, no 500."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from .servers import Load, app_env, call, check_writes, gunicorn, post_rows, register_and_login

pytestmark = pytest.mark.slow

WRITERS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'faults.db'}"
    return request.getfixturevalue("fresh_postgres")


def users(port, count=4):
    return [register_and_login(port, f"writer{n}") for n in range(count)]


def test_a_worker_killed_under_write_load_loses_nothing(database_url, tmp_path):
    with gunicorn(app_env(database_url, tmp_path), tmp_path) as gun:
        load = Load(gun.port, users(gun.port))
        with load.running(WRITERS):
            load.wait_for_acks(16)
            for victim in gun.workers()[:2]:
                os.kill(victim, signal.SIGKILL)
                load.wait_for_acks(8)
            killed_at = time.monotonic()
            recovery = load.recovered_within(killed_at, WRITERS, 15)
        print(f"SIGKILL x2: recovered in {recovery:.2f} s; {load.summary()}")
        assert len(gun.workers()) == 4  # the master replaced them

    check_writes(load, post_rows(database_url))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # ~35 s each: the
# reload does not depend on the backend, PostgreSQL reconnects are test_postgres.py's
def test_a_usr2_reload_under_write_load_drops_no_request(database_url, tmp_path):
    # --preload: the new master imports the app once, then forks workers that serve at
    # once, instead of four workers importing it side by side on two cores (~15 s here).
    with gunicorn(app_env(database_url, tmp_path), tmp_path, "--preload") as gun:
        load = Load(gun.port, users(gun.port))
        old_master = gun.process.pid
        with load.running(WRITERS):
            load.wait_for_acks(16)
            started = time.monotonic()
            os.kill(old_master, signal.SIGUSR2)  # a new master with the new code
            new_master = wait_for_new_master(gun.pidfile, old_master)
            # Forked is not ready: each new worker imports the app first, and retiring the
            # old ones before that leaves nobody to accept (timeouts under CPU contention).
            wait_until(lambda: ready(gun, gun.workers(new_master)), 90)
            # TERM is graceful: the old master stops accepting, its workers finish what
            # they hold; the shared socket is the new master's now. (WINCH works only for
            # a daemonized gunicorn; QUIT is the fast, request-dropping shutdown.)
            os.kill(old_master, signal.SIGTERM)
            assert gun.process.wait(timeout=40) == 0
            switched = time.monotonic() - started
            load.wait_for_acks(16)
            assert call(gun.port, "GET", "/health")[0] == 200
        print(f"USR2 reload: switched in {switched:.2f} s; {load.summary()}")

    check_writes(load, post_rows(database_url))
    assert not load.errors, f"connections refused or reset during the reload: {load.summary()}"
    assert set(load.statuses) == {201}, load.summary()


def test_a_stop_under_write_load_loses_no_acknowledged_write(database_url, tmp_path):
    with gunicorn(app_env(database_url, tmp_path), tmp_path) as gun:
        load = Load(gun.port, users(gun.port), retry_for=5)
        with load.running(WRITERS):
            load.wait_for_acks(24)
            gun.process.send_signal(signal.SIGTERM)
            assert gun.process.wait(timeout=40) == 0
        print(f"TERM: {load.summary()}")

    load.gave_up.clear()  # writes begun after the stop are simply unacknowledged
    check_writes(load, post_rows(database_url))


def wait_for_new_master(pidfile: Path, old: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in (pidfile, Path(f"{pidfile}.2")):  # gunicorn 23+ writes <pidfile>.2
            try:
                pid = int(path.read_text().strip())
            except (OSError, ValueError):
                continue
            if pid != old:
                return pid
        time.sleep(0.05)
    raise AssertionError("USR2 started no new master")


def ready(gun, workers) -> bool:
    log = gun.log()
    return len(workers) == 4 and all(f"Worker ready (pid: {pid})" in log for pid in workers)


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
