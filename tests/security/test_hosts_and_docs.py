"""Trusted hosts (``TRUSTED_HOSTS``: URLs the API builds never name a host it does not
serve) and the /docs page (a Content-Security-Policy, no tokens kept in localStorage)."""

import re

import pytest

from ..helpers import PASSWORD


def test_an_untrusted_host_is_a_json_400_and_builds_no_url(app_factory):
    app = app_factory(TRUSTED_HOSTS=["api.example.com"])
    client = app.test_client()

    response = client.post(
        "/api/v2/users",
        json={"username": "alice", "password": PASSWORD},
        headers={"Host": "evil.example"},
    )

    assert response.status_code == 400
    assert response.json["code"] == "bad_request"
    assert "Location" not in response.headers
    ok = client.post(
        "/api/v2/users",
        json={"username": "alice", "password": PASSWORD},
        base_url="http://api.example.com",
    )
    assert ok.status_code == 201
    assert ok.headers["Location"].startswith("http://api.example.com/api/v2/users/")


def test_trusted_hosts_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "api.example.com, .example.org")
    import importlib

    from app import config

    try:
        assert importlib.reload(config).Config.TRUSTED_HOSTS == ["api.example.com", ".example.org"]
    finally:
        monkeypatch.delenv("TRUSTED_HOSTS")
        importlib.reload(config)


@pytest.fixture
def docs_page(client):
    response = client.get("/docs/")
    assert response.status_code == 200
    return response


def test_docs_page_has_a_content_security_policy(docs_page):
    csp = docs_page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert docs_page.headers["Referrer-Policy"] == "no-referrer"


def test_docs_page_keeps_no_authorization_in_local_storage(docs_page):
    page = docs_page.get_data(as_text=True)
    assert not re.search(r'"persistAuthorization":\s*true', page)
