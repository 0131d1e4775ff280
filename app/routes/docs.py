"""The OpenAPI document of every API face and a Swagger UI page to read them (``/docs``).

Swagger UI's files come with the flask-swagger-ui package and are served from here: the
page works without any network access.
"""

from flask import Flask, jsonify
from flask_swagger_ui import get_swaggerui_blueprint

from .. import openapi
from ..faces import describe, faces_of

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
    app.register_blueprint(
        get_swaggerui_blueprint(
            DOCS_URL,
            f"{primary.url_prefix}/openapi.json",
            config={
                "app_name": "Blog API docs",
                "urls": [
                    {"url": f"{f.url_prefix}/openapi.json", "name": f.name} for f in reversed(faces)
                ],
                "urls.primaryName": primary.name,
                "persistAuthorization": True,
            },
            blueprint_name="swagger_ui",
        )
    )
