"""Redis faults under gunicorn, on a private redis-server: stopped, then hung (SIGSTOP).
Logins and /health keep answering fast (defect 4); the switch to memory and back is a
warning in the log and a metric, and the shared storage is used again within seconds of
Redis returning (defect 5)."""

from __future__ import annotations

import time

import pytest

from .servers import PASSWORD, app_env, call, gunicorn, register_and_login

pytestmark = pytest.mark.slow

FAST = 1.5  # seconds: a login or /health while Redis is down or hung (was 15 s or a hang)
RECOVERY_SECONDS = 6


@pytest.fixture
def server(private_redis, tmp_path):
    env = app_env(
        f"sqlite:///{tmp_path / 'redis-faults.db'}",
        tmp_path,
        RATELIMIT_STORAGE_URI=private_redis.url,
        RATELIMIT_STORAGE_RECHECK_SECONDS="1",
    )
    with gunicorn(env, tmp_path) as running:
        register_and_login(running.port, "alice")
        yield running


def login(port):
    started = time.monotonic()
    status, body, _ = call(
        port,
        "POST",
        "/api/v2/auth/login",
        {"username": "alice", "password": PASSWORD},
        timeout=20,
    )
    return status, time.monotonic() - started


def timed(port, path):
    started = time.monotonic()
    status = call(port, "GET", path, timeout=20)[0]
    return status, time.monotonic() - started


def switches(port, to):
    status, _, _ = call(port, "GET", "/metrics")
    assert status == 200
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    prefix = f'blogapi_ratelimit_storage_switches_total{{to="{to}"}}'
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix))


def test_redis_stopped_logins_stay_fast_and_the_switch_is_loud(server, private_redis):
    assert all(login(server.port) == (200, pytest.approx(0, abs=FAST)) for _ in range(4))
    private_redis.stop()

    answers = [login(server.port) for _ in range(12)]

    assert [s for s, _ in answers] == [200] * 12
    assert max(t for _, t in answers) < FAST, answers
    assert "Rate-limit storage unreachable" in server.log()
    assert switches(server.port, "memory") >= 1

    private_redis.start()
    back = time.monotonic()
    while server.log().count("Rate-limit storage answers again") < 1:
        assert login(server.port)[0] == 200
        assert time.monotonic() - back < RECOVERY_SECONDS, "workers stayed on memory"
        time.sleep(0.1)
    print(f"redis back: first worker on shared storage after {time.monotonic() - back:.2f} s")
    assert switches(server.port, "storage") >= 1


def test_redis_hung_logins_and_health_stay_fast(server, private_redis):
    assert login(server.port)[0] == 200
    private_redis.pause()
    try:
        answers = [login(server.port) for _ in range(8)]
        health = [timed(server.port, "/health") for _ in range(4)]
    finally:
        private_redis.resume()

    print(f"redis hung: slowest login {max(t for _, t in answers):.2f} s")
    assert [s for s, _ in answers] == [200] * 8
    assert max(t for _, t in answers) < FAST, answers
    assert [s for s, _ in health] == [200] * 4
    assert max(t for _, t in health) < FAST
