"""The rate-limit fallback is loud (defect 5): switching to memory and back is logged as a
warning and counted in /metrics; an unreachable Redis costs a login at most its timeout."""

from __future__ import annotations

import logging
import time

from ..helpers import PASSWORD

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def test_switching_to_memory_is_a_warning_and_a_metric(app_factory, auth, caplog):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS)
    client = app.test_client()
    auth.app, auth.client = app, client
    auth.create_user("alice")
    before = _switches(client, "memory")

    with caplog.at_level(logging.WARNING, logger="app.limits"):
        started = time.monotonic()
        response = client.post(
            "/api/v2/auth/login", json={"username": "alice", "password": PASSWORD}
        )
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 2
    warnings = [r for r in caplog.records if r.name == "app.limits"]
    assert len(warnings) == 1
    assert "multiplied by the number of workers" in warnings[0].getMessage()
    assert _switches(client, "memory") == before + 1


def _switches(client, to):
    text = client.get("/metrics").get_data(as_text=True)
    for line in text.splitlines():
        if line.startswith(f'blogapi_ratelimit_storage_switches_total{{to="{to}"}}'):
            return float(line.split()[-1])
    return 0.0
