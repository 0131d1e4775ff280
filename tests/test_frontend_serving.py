"""The app serves the reference frontend at ``/`` only when SERVE_FRONTEND is on."""

from __future__ import annotations

from pathlib import Path

import pytest

FRONTEND_JS = Path(__file__).resolve().parents[1] / "frontend" / "js"


class Served:
    """A test client whose answers are read and closed (file responses hold a handle)."""

    def __init__(self, client):
        self.client = client

    def get(self, path):
        response = self.client.get(path)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def served(app_factory):
    return Served(app_factory(SERVE_FRONTEND=True).test_client())


def test_index_is_served_at_root_when_enabled(served):
    response = served.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b'<script type="module" src="js/app.js"></script>' in response.data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/js/app.js", "text/javascript"),
        ("/js/api.js", "text/javascript"),
        ("/js/views/posts.js", "text/javascript"),
        ("/css/style.css", "text/css"),
        ("/img/favicon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served_with_their_mime_type(served, path, mimetype):
    response = served.get(path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data


SINKS = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "DOMParser",
    "parseFromString",
    "createContextualFragment",
    "setHTMLUnsafe",
    "srcdoc",
    "new Function",
)
# The one deliberate exception: the HTML the server rendered from Markdown and sanitized.
SANITIZED_HTML = "export function renderSanitizedHtml("


def _code(script: Path) -> str:
    lines = script.read_text().splitlines()
    comment = ("//", "/*", "*")
    return "\n".join(line for line in lines if not line.strip().startswith(comment)) + "\n"


def test_frontend_code_never_parses_html_from_strings():
    """API data only becomes text nodes, except in the one function for sanitized HTML."""
    scripts = sorted(FRONTEND_JS.rglob("*.js"))
    assert len(scripts) >= 5
    exceptions = 0
    for script in scripts:
        code = _code(script)
        if SANITIZED_HTML in code:
            start = code.index(SANITIZED_HTML)
            end = code.index("\n}\n", start) + 3
            body, code = code[start:end], code[:start] + code[end:]
            assert "new DOMParser().parseFromString(" in body
            assert not [s for s in SINKS if s in body and s not in ("DOMParser", "parseFromString")]
            exceptions += 1
        assert not [sink for sink in SINKS if sink in code], script
    assert exceptions == 1


def test_sanitized_html_is_rebuilt_from_an_allow_list():
    """The exception adopts nothing from the parsed document: elements are re-created."""
    code = _code(FRONTEND_JS / "dom.js")
    assert "importNode" not in code and "adoptNode" not in code
    assert "document.createElement(tag)" in code
    assert "SAFE_TAGS.has(tag)" in code and "safeUrl(value)" in code


@pytest.mark.parametrize(
    "path",
    [
        "/js/missing.js",
        "/js/../../app/config.py",
        "/js/%2e%2e/%2e%2e/pyproject.toml",
        "/index.html/../app/__init__.py",
        "/frontend/index.html",
        "/js/app.py",
    ],
)
def test_paths_outside_the_frontend_are_json_404s(served, path):
    response = served.get(path)
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_api_answers_json_as_before_with_the_frontend_on(served):
    assert served.get("/api/v2/posts").json["items"] == []
    response = served.get("/api/v2/nothing-here")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert served.get("/health").json["status"] == "ok"


def test_nothing_is_served_at_root_when_disabled(client):
    response = client.get("/")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
    assert client.get("/js/app.js").status_code == 404


def test_frontend_dir_can_point_elsewhere(app_factory, tmp_path):
    site = tmp_path / "site"
    (site / "js").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>Custom</title>")
    (site / "js" / "app.js").write_text("export {};")
    client = Served(app_factory(SERVE_FRONTEND=True, FRONTEND_DIR=str(site)).test_client())
    assert b"Custom" in client.get("/").data
    assert client.get("/js/app.js").data == b"export {};"


def test_a_missing_frontend_dir_is_logged_and_answers_404(app_factory, tmp_path, caplog):
    app = app_factory(SERVE_FRONTEND=True, FRONTEND_DIR=str(tmp_path / "nowhere"))
    assert "has no index.html; set FRONTEND_DIR" in caplog.text
    response = Served(app.test_client()).get("/")
    assert response.status_code == 404
    assert response.json["code"] == "not_found"
