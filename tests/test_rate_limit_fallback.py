"""The login limit survives its storage going away: counted in memory, never a 500."""

from .helpers import PASSWORD

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_login_keeps_working_and_limited_when_redis_is_unreachable(app_factory, auth):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
    )
    client = app.test_client()
    auth.app, auth.client = app, client
    auth.create_user("alice")
    body = {"username": "alice", "password": PASSWORD}

    answers = [client.post("/api/v2/auth/login", json=body) for _ in range(3)]

    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].json["code"] == "rate_limited"
    assert "access_token" not in answers[2].json


def test_fallback_can_be_turned_off_and_then_fails_closed_as_json(app_factory, auth):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=False,
    )
    client = app.test_client()
    auth.app, auth.client = app, client
    auth.create_user("alice")

    response = client.post("/api/v2/auth/login", json={"username": "alice", "password": PASSWORD})

    assert response.status_code == 500
    assert response.json["code"] == "internal_error"
    assert "access_token" not in response.json
