"""The reference frontend (``frontend/``) served at ``/`` when ``SERVE_FRONTEND`` is on."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, send_from_directory
from flask.blueprints import BlueprintSetupState

bp = Blueprint("frontend", __name__)

# The checkout (or editable install) keeps frontend/ next to the app package.
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "frontend"

# Explicit types: module scripts must be served as JavaScript whatever /etc/mime.types says.
MIME_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}

# The served frontend talks to this API only; no inline script or style is ever needed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def frontend_dir(app: Flask | None = None) -> Path:
    return Path((app or current_app).config.get("FRONTEND_DIR") or DEFAULT_DIR)


@bp.record_once
def warn_when_missing(state: BlueprintSetupState) -> None:
    # A wheel (non-editable) install does not carry frontend/: say so instead of a bare 404.
    path = frontend_dir(state.app)
    if not (path / "index.html").is_file():
        state.app.logger.warning(
            "SERVE_FRONTEND is on but %s has no index.html; set FRONTEND_DIR", path
        )


def send(filename: str) -> Response:
    mimetype = MIME_TYPES.get(Path(filename).suffix)
    if mimetype is None:
        abort(404)
    response = send_from_directory(frontend_dir(), filename, mimetype=mimetype, max_age=0)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/")
def index():
    """Serve the single page of the frontend."""
    return send("index.html")


@bp.get("/<any(css, js, img):folder>/<path:filename>")
def asset(folder, filename):
    """Serve a stylesheet, script module or image of the frontend."""
    return send(f"{folder}/{filename}")
