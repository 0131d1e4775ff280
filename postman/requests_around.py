"""Requests outside the versioned APIs: health, the OpenAPI documents, the Atom feeds, the
JSON 404."""

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
    "Health, OpenAPI documents, Atom feeds, JSON 404.",
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
            "Atom feed of the newest posts",
            "GET",
            "/feeds/posts.atom",
            200,
            checks=[
                expect(
                    "an Atom document, cacheable",
                    "pm.expect(pm.response.headers.get('Content-Type'))"
                    ".to.include('application/atom+xml');",
                    "pm.expect(pm.response.text()).to.include("
                    "'<feed xmlns=\"http://www.w3.org/2005/Atom\"');",
                    "pm.expect(pm.response.headers.get('ETag')).to.match(/^\"/);",
                    "pm.expect(pm.response.headers.get('Cache-Control')).to.include('public');",
                )
            ],
        ),
        Request(
            "Atom feed of an unknown user - 404",
            "GET",
            "/feeds/users/2147483647.atom",
            404,
            checks=[error("User not found", "not_found")],
        ),
        Request(
            "Unknown route - 404 JSON",
            "GET",
            "/api/v2/nowhere",
            404,
            checks=[error("The requested resource was not found")],
        ),
    ],
)
