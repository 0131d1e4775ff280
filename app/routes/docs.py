"""The OpenAPI document of every API face and a Swagger UI page to read them (``/docs``).

Swagger UI's files come with the flask-swagger-ui package and are served from here: the
page works without any network access.
"""

import base64
import hashlib
import re

from flask import Flask, Response, jsonify
from flask_swagger_ui import get_swaggerui_blueprint

from .. import openapi
from ..face_registry import faces_of
from ..routedoc import describe

DOCS_URL = "/docs"


def openapi_document(face):
    """Serve the OpenAPI 3 document of this API face."""
    return jsonify(openapi.document(face))


describe(openapi_document).description = "This document."


def register(app: Flask) -> None:
    """Register each face's document (``<prefix>/openapi.json``) and the Swagger UI page."""
    faces = list(faces_of(app).values())
    primary = faces_of(app).get("v2", faces[-1])
    for face in faces:
        app.add_url_rule(
            f"{face.url_prefix}/openapi.json",
            "docs.openapi",
            openapi_document,
            methods=["GET"],
            defaults={"face": face.name},
        )
    swagger_ui = get_swaggerui_blueprint(
        DOCS_URL,
        f"{primary.url_prefix}/openapi.json",
        config={
            "app_name": "Blog API docs",
            "urls": [
                {"url": f"{f.url_prefix}/openapi.json", "name": f.name} for f in reversed(faces)
            ],
            "urls.primaryName": primary.name,
            # Not persisted: a token typed into "Authorize" must not outlive the tab
            # in localStorage, where any script on this origin could read it.
            "persistAuthorization": False,
        },
        blueprint_name="swagger_ui",
    )
    swagger_ui.after_request(content_security_policy)
    app.register_blueprint(swagger_ui)


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(response: Response) -> Response:
    """Lock the docs page down to its own files and its one inline script (by hash).

    Swagger UI's page carries its configuration in an inline script; hashing it keeps
    every other inline script (an injected one) from running.
    """
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(response.get_data(as_text=True))
    )
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
