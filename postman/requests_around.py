"""Requests outside the versioned APIs: health, the OpenAPI documents, the JSON 404."""

from postman.rows import Folder, Request, error, expect


def openapi_document(version: str) -> Request:
    return Request(
        f"OpenAPI document {version}",
        "GET",
        f"/api/{version}/openapi.json",
        200,
        checks=[
            expect(
                "an OpenAPI 3 document",
                "const doc = pm.response.json();",
                "pm.expect(doc.openapi).to.match(/^3\\./);",
                f"pm.expect(doc.servers[0].url).to.eql('/api/{version}');",
            )
        ],
    )


FOLDER = Folder(
    "around the API",
    "Health, OpenAPI documents, JSON 404.",
    [
        Request(
            "Health",
            "GET",
            "/health",
            200,
            checks=[
                expect(
                    "ok", "pm.expect(pm.response.json()).to.eql({status: 'ok', database: 'ok'});"
                )
            ],
        ),
        openapi_document("v1"),
        openapi_document("v2"),
        Request(
            "Unknown route - 404 JSON",
            "GET",
            "/api/v2/nowhere",
            404,
            checks=[error("The requested resource was not found")],
        ),
    ],
)
