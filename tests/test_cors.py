"""CORS for browser frontends: allowed origins from CORS_ORIGINS, echoed exactly."""

import pytest

ALLOWED = "http://frontend.test"  # TestingConfig.CORS_ORIGINS


def preflight(client, path, origin, method="POST", headers="Authorization, Content-Type"):
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v2/posts", "POST"), ("/api/v2/posts/1", "PATCH"), ("/api/v1/todos/1", "DELETE")],
)
def test_preflight_from_allowed_origin_allows_authorization(client, path, method):
    response = preflight(client, path, ALLOWED, method)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    allowed_headers = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed_headers
    assert method in response.headers["Access-Control-Allow-Methods"]
    # A configured origin may send the refresh cookie.
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_a_configured_origin_may_send_the_refresh_cookie_and_the_csrf_header(client):
    response = preflight(
        client, "/api/v2/auth/refresh", ALLOWED, "POST", "Content-Type, X-CSRF-Token"
    )

    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert "x-csrf-token" in allowed


def test_actual_request_exposes_location_and_link(client, auth):
    headers = {**auth.user("alice"), "Origin": ALLOWED}
    created = client.post("/api/v2/posts", json={"title": "T", "content": "C"}, headers=headers)
    listed = client.get("/api/v2/posts", headers={"Origin": ALLOWED})

    for response in (created, listed):
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
        exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"Location", "Link"} <= exposed
    assert created.status_code == 201 and "Location" in created.headers
    assert listed.status_code == 200 and "Link" in listed.headers


def test_error_answers_carry_cors_headers_so_the_frontend_can_read_them(client):
    unauthorized = client.get("/api/v2/me", headers={"Origin": ALLOWED})
    not_found = client.get("/api/v2/nowhere", headers={"Origin": ALLOWED})

    assert unauthorized.status_code == 401
    assert not_found.status_code == 404
    for response in (unauthorized, not_found):
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.parametrize(
    "origin",
    ["http://evil.test", "http://frontend.test.evil.test", "https://frontend.test", "null"],
)
def test_disallowed_origin_gets_no_cors_headers(client, origin):
    pre = preflight(client, "/api/v2/posts", origin)
    actual = client.get("/api/v2/posts", headers={"Origin": origin})

    assert actual.status_code == 200  # the server answers; the browser withholds it
    for response in (pre, actual):
        assert not [h for h in response.headers.keys() if h.startswith("Access-Control-")]


def test_configured_list_echoes_each_origin_never_a_wildcard(app_factory):
    origins = ["http://a.test", "https://b.test:8443"]
    client = app_factory(CORS_ORIGINS=origins).test_client()

    for origin in origins:
        response = preflight(client, "/api/v2/todos", origin)
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_no_origins_configured_means_no_cors(app_factory):
    client = app_factory(CORS_ORIGINS=[]).test_client()

    response = preflight(client, "/api/v2/posts", ALLOWED)

    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origins", [["*"], ["http://a.test", "*"]])
def test_wildcard_origin_never_comes_with_credentials(app_factory, origins):
    client = app_factory(CORS_ORIGINS=origins).test_client()

    for origin in ("http://anything.test", "http://a.test"):
        response = client.get("/api/v2/posts", headers={"Origin": origin})
        pre = preflight(client, "/api/v2/auth/refresh", origin, "POST")

        assert response.headers["Access-Control-Allow-Origin"] == "*"
        for answer in (response, pre):
            assert "Access-Control-Allow-Credentials" not in answer.headers


def test_cors_covers_only_the_api(client):
    response = client.get("/health", headers={"Origin": ALLOWED})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
