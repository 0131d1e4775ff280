"""The OpenAPI documents: complete, valid, built from the route schemas, and served."""

import re

import pytest
from openapi_spec_validator import validate

from app import create_app, openapi
from app.config import TestingConfig
from app.schemas import BlogPostCreateSchema, BlogPostSchema, TodoSchema, UserCreateSchema

from .helpers import bearer

VERSIONS = ("v1", "v2")
METHODS = {"get", "post", "put", "patch", "delete"}


def api_operations(app, version):
    """Yield (openapi path, method, rule) for every route of ``version`` in the URL map."""
    prefix = f"/api/{version}"
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(prefix))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield path, method.lower(), rule


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


@pytest.fixture
def documents(client):
    return {v: client.get(f"/api/{v}/openapi.json").json for v in VERSIONS}


@pytest.mark.parametrize("version", VERSIONS)
def test_openapi_document_is_served_and_valid(client, version):
    response = client.get(f"/api/{version}/openapi.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.json
    validate(document)  # raises on any OpenAPI 3 violation
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": f"/api/{version}"}]
    tags = {tag["name"] for tag in document["tags"]}
    assert all(set(op["tags"]) <= tags for _, _, op in operations(document))
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_every_api_route_is_in_its_version_document(app, documents, version):
    documented = {(path, method) for path, method, _ in operations(documents[version])}
    routes = {(path, method) for path, method, _ in api_operations(app, version)}

    assert routes, "no routes found"
    assert routes == documented


def test_an_undocumented_route_breaks_the_build():
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.add_url_rule("/api/v2/secret", "secret", lambda: "", methods=["POST"])

    with pytest.raises(openapi.UndocumentedRoute, match="POST /api/v2/secret"):
        openapi.build_document(app, "v2")
    assert "/secret" not in str(openapi.build_document(app, "v1")["paths"])


def body_operations(document):
    for path, method, operation in operations(document):
        if "requestBody" in operation:
            yield path, method, operation


def test_every_body_the_v2_document_names_is_the_one_its_view_loads(app, client, auth, documents):
    """Send each documented v2 body operation an empty or unknown-field body: the 422 names
    exactly the fields the documented schema requires (or the unknown field), so a view that
    loads another schema than it documents fails here."""
    headers = auth.user("alice", admin=True, email="alice@example.com")
    assert client.post("/api/v2/posts", json={"title": "t", "content": "c"}, headers=headers)
    assert client.post("/api/v2/todos", json={"title": "t"}, headers=headers)
    components = documents["v2"]["components"]["schemas"]
    checked = 0
    for path, method, operation in body_operations(documents["v2"]):
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = components[ref.rsplit("/", 1)[-1]]
        required = set(schema.get("required", []))
        body = {} if required else {"no_such_field": 1}
        url = "/api/v2" + re.sub(r"\{\w+\}", "1", path)
        response = client.open(url, method=method.upper(), json=body, headers=headers)
        assert response.status_code == 422, (method, path, response.json)
        expected = required or {"no_such_field"}
        assert set(response.json["errors"]) == expected, (method, path, response.json)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("component", "schema"),
    [
        ("BlogPost", BlogPostSchema),
        ("BlogPostCreate", BlogPostCreateSchema),
        ("Todo", TodoSchema),
        ("UserCreate", UserCreateSchema),
    ],
)
def test_components_are_the_route_schemas(documents, component, schema):
    properties = documents["v2"]["components"]["schemas"][component]["properties"]

    assert list(properties) == list(schema().fields)


def test_request_bodies_and_query_parameters_come_from_the_schemas(documents):
    post = documents["v2"]["paths"]["/posts"]
    body = post["post"]["requestBody"]["content"]["application/json"]["schema"]
    params = {p["name"]: p for p in post["get"]["parameters"]}
    create = documents["v2"]["components"]["schemas"]["BlogPostCreate"]

    assert body == {"$ref": "#/components/schemas/BlogPostCreate"}
    assert sorted(create["required"]) == ["content", "title"]
    assert create["properties"]["title"]["maxLength"] == 200
    assert create["additionalProperties"] is False  # v2 answers 422 to unknown fields
    assert set(params) == {"limit", "offset", "after", "author_id", "q", "sort", "tag", "liked_by"}
    assert params["limit"]["schema"]["maximum"] == 100
    assert "-created_at" in params["sort"]["schema"]["enum"]
    password = documents["v2"]["components"]["schemas"]["UserCreate"]["properties"]["password"]
    assert password["minLength"] == 8


def test_v1_bodies_allow_unknown_fields(documents):
    assert "additionalProperties" not in documents["v1"]["components"]["schemas"]["PostCreate"]


@pytest.mark.parametrize(
    ("version", "path", "method", "statuses"),
    [
        (
            "v2",
            "/posts/{post_id}",
            "patch",
            {"200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "429"},
        ),
        ("v2", "/posts/by-slug/{slug}", "get", {"200", "301", "304", "401", "404"}),
        ("v2", "/posts/{post_id}", "get", {"200", "304", "401", "404"}),
        ("v2", "/posts", "get", {"200", "401", "422"}),
        ("v2", "/users", "post", {"201", "400", "409", "413", "415", "422", "429"}),
        ("v2", "/auth/login", "post", {"200", "400", "401", "413", "415", "422", "429"}),
        ("v2", "/todos/{todo_id}", "delete", {"204", "401", "404", "412"}),
        ("v2", "/users/{user_id}", "delete", {"204", "401", "403", "404"}),
        ("v1", "/posts/{post_id}", "delete", {"200", "401", "403", "404", "429"}),
        ("v2", "/me", "patch", {"200", "400", "401", "409", "413", "415", "422", "429"}),
        ("v1", "/login", "post", {"200", "400", "401", "413", "429"}),
        ("v1", "/todos", "post", {"201", "400", "401", "413"}),
    ],
)
def test_operations_list_every_status_they_can_answer(documents, version, path, method, statuses):
    responses = documents[version]["paths"][path][method]["responses"]

    assert set(responses) == statuses
    for status, response in responses.items():
        if int(status) >= 400:
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}


def test_success_headers_are_documented(documents):
    v2 = documents["v2"]["paths"]
    assert v2["/posts"]["post"]["responses"]["201"]["headers"]["Location"]["required"] is True
    assert v2["/todos"]["get"]["responses"]["200"]["headers"]["Link"]["required"] is True
    assert "WWW-Authenticate" in v2["/me"]["get"]["responses"]["401"]["headers"]
    assert "Retry-After" in v2["/auth/login"]["post"]["responses"]["429"]["headers"]
    assert "content" not in v2["/posts/{post_id}"]["delete"]["responses"]["204"]


@pytest.mark.parametrize("version", VERSIONS)
def test_documented_security_matches_what_the_routes_demand(app, client, documents, version):
    """Every operation marked bearer-only answers 401 without a token; the others do not."""
    for path, method, operation in operations(documents[version]):
        url = f"/api/{version}" + re.sub(r"\{\w+\}", "1", path)
        response = client.open(url, method=method.upper())
        required = operation.get("security") == [{"bearerAuth": []}]
        if required:
            assert response.status_code == 401, (method, url)
            assert response.json["code"] == "token_missing"
        else:
            assert response.status_code != 401 or response.json["code"] != "token_missing", url


def test_optional_auth_is_documented_as_optional(documents):
    assert documents["v2"]["paths"]["/posts"]["get"]["security"] == [{}, {"bearerAuth": []}]
    assert "security" not in documents["v2"]["paths"]["/users"]["post"]


def test_documented_schemas_describe_real_answers(client, auth, documents):
    """The keys a real answer carries are the ones its documented schema lists."""
    headers = auth.user("alice")
    created = client.post("/api/v2/posts", json={"title": "T", "content": "C"}, headers=headers)
    listed = client.get("/api/v2/posts")
    schemas = documents["v2"]["components"]["schemas"]

    assert created.status_code == 201
    assert set(created.json) == set(schemas["BlogPost"]["properties"])
    assert set(created.json["author"]) == set(schemas["Author"]["properties"])
    assert set(listed.json) == set(schemas["BlogPostListItemPage"]["properties"])
    item = schemas["BlogPostListItem"]
    assert set(listed.json["items"][0]) == set(item["properties"]) == set(item["required"])
    me = client.get("/api/v2/me", headers=headers)
    assert set(me.json) == set(schemas["PrivateProfile"]["properties"])
    assert set(client.get("/api/v2/me").json) == set(schemas["Error"]["required"])


def test_docs_page_renders_both_documents_without_network(client):
    assert client.get("/docs").status_code == 308
    page = client.get("/docs/")

    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html and "/api/v2/openapi.json" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/docs/"), f"{asset} would need the network"
        with client.get(asset) as response:  # closes the file send_from_directory opened
            assert response.status_code == 200, asset
            assert len(response.data) > 0


def test_openapi_document_is_built_once_per_app(app, client, monkeypatch):
    first = client.get("/api/v2/openapi.json").json
    monkeypatch.setattr(openapi, "build_document", lambda *a: pytest.fail("rebuilt"))

    assert client.get("/api/v2/openapi.json").json == first


def test_a_bearer_token_does_not_hide_documents(client, auth):
    headers = auth.user("alice")
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 200
    assert client.get("/api/v2/openapi.json", headers=bearer("nonsense")).status_code == 200


def test_response_schemas_require_every_key_a_real_answer_always_has(documents):
    schemas = documents["v2"]["components"]["schemas"]

    assert schemas["BlogPost"]["required"] == list(BlogPostSchema().fields)
    assert schemas["Todo"]["required"] == list(TodoSchema().fields)
    # Only the user themself and admins see these two.
    assert schemas["PrivateProfile"]["required"] == [
        "id",
        "username",
        "created_at",
        "bio",
        "image",
        "followers_count",
        "following_count",
        "following",
    ]
    assert "required" not in schemas["BlogPostUpdate"]  # request bodies keep their own rules
