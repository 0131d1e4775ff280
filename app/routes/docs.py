"""The OpenAPI documents of both versions and a Swagger UI page to read them (``/docs``).

Swagger UI's files come with the flask-swagger-ui package and are served from here: the
page works without any network access.
"""

from flask import Blueprint, Flask, jsonify
from flask_swagger_ui import get_swaggerui_blueprint

from .. import openapi

bp = Blueprint("docs", __name__)

DOCS_URL = "/docs"


def openapi_document(version):
    """Serve the OpenAPI 3 document of this API version."""
    return jsonify(openapi.document(version))


for _version in openapi.VERSIONS:
    bp.add_url_rule(
        f"/api/{_version}/openapi.json",
        "openapi",
        openapi_document,
        methods=["GET"],
        defaults={"version": _version},
    )


def register(app: Flask) -> None:
    """Register the documents and the Swagger UI page."""
    app.register_blueprint(bp)
    app.register_blueprint(
        get_swaggerui_blueprint(
            DOCS_URL,
            "/api/v2/openapi.json",
            config={
                "app_name": "Blog API docs",
                "urls": [
                    {"url": f"/api/{v}/openapi.json", "name": v} for v in reversed(openapi.VERSIONS)
                ],
                "urls.primaryName": "v2",
                "persistAuthorization": True,
            },
            blueprint_name="swagger_ui",
        )
    )
