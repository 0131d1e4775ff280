"""OpenAPI 3 documents for /api/v1 and /api/v2, built from the schemas the routes use.

``OPERATIONS`` says, for every API endpoint, which schemas of ``app.schemas`` it reads and
writes, its success status and the errors only it can raise. Everything that follows from
the shape of a route is added here once: a token means 401, a path id means 404, a JSON
body means 400/413 (v1) or 400/413/415/422 (v2), a query string means 400 (v1) or 422 (v2).

The document is built by walking ``app.url_map``: an ``/api/`` route without an entry
in ``OPERATIONS`` makes ``build_document`` raise, so no route can go undocumented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from marshmallow import Schema, fields

from . import schemas as s
from .errors import reason

OPENAPI_VERSION = "3.0.3"
VERSIONS = ("v1", "v2")
BEARER = "bearerAuth"


class UndocumentedRoute(RuntimeError):
    """An /api/ route that ``OPERATIONS`` does not describe."""


@dataclass(frozen=True)
class Op:
    """What one endpoint reads, answers and may fail with (beyond what its shape implies)."""

    method: str
    response: Schema | None = None  # None: no body (204) or a free-form object
    status: int = 200
    body: Schema | None = None
    body_required: bool = True
    query: Schema | None = None
    auth: str | None = None  # "required", "optional" or None
    errors: tuple[int, ...] = ()
    rate_limited: bool = False
    page: bool = False  # v2 list envelope + Link header
    envelope: str | None = None  # v1 list key: {"posts": [...]}
    location: bool = False  # 201 with a Location header
    credentials_401: bool = False  # 401 "Invalid credentials" (login): a bare Bearer challenge
    description: str | None = None


REQUIRED, OPTIONAL = "required", "optional"

OPERATIONS: dict[str, Op] = {
    # --- v1 -------------------------------------------------------------------------------
    "v1.users.create_user": Op("POST", s.private_user_schema, 201, body=s.user_create_schema),
    "v1.users.list_users": Op("GET", s.users_schema, envelope="users"),
    "v1.users.get_user": Op("GET", s.user_schema),
    "v1.auth.login": Op(
        "POST",
        s.V1TokenSchema(),
        body=s.login_schema,
        rate_limited=True,
        credentials_401=True,
        description="Send `username` or `email`, and `password`.",
    ),
    "v1.auth.logout": Op("POST", s.MessageSchema(), auth=REQUIRED),
    "v1.auth.me": Op("GET", s.private_user_schema, auth=REQUIRED),
    "v1.posts.list_posts": Op(
        "GET", s.posts_schema, query=s.v1_post_list_args_schema, envelope="posts"
    ),
    "v1.posts.get_post": Op("GET", s.post_schema, auth=OPTIONAL),
    # v1 checks title and content are present, then loads them: PostCreateSchema's contract.
    "v1.posts.create_post": Op(
        "POST", s.post_schema, 201, body=s.post_create_schema, auth=REQUIRED
    ),
    "v1.posts.update_post": Op(
        "PUT", s.post_schema, body=s.post_update_schema, auth=REQUIRED, errors=(403,)
    ),
    "v1.posts.delete_post": Op("DELETE", s.MessageSchema(), auth=REQUIRED, errors=(403,)),
    "v1.todos.list_todos": Op("GET", s.todos_schema, auth=REQUIRED, envelope="todos"),
    "v1.todos.create_todo": Op(
        "POST", s.todo_schema, 201, body=s.todo_create_schema, auth=REQUIRED
    ),
    "v1.todos.get_todo": Op("GET", s.todo_schema, auth=REQUIRED),
    "v1.todos.update_todo": Op("PUT", s.todo_schema, body=s.todo_update_schema, auth=REQUIRED),
    "v1.todos.delete_todo": Op("DELETE", s.MessageSchema(), auth=REQUIRED),
    # --- v2 -------------------------------------------------------------------------------
    "v2.auth.login": Op(
        "POST",
        s.TokenPairSchema(),
        body=s.login_schema,
        rate_limited=True,
        credentials_401=True,
        description="Send `username` or `email`, and `password`.",
    ),
    "v2.auth.refresh": Op(
        "POST",
        s.TokenPairSchema(),
        body=s.refresh_schema,
        errors=(401,),
        description="A refresh token works once; presenting a used one again logs the user "
        "out everywhere.",
    ),
    "v2.auth.logout": Op(
        "POST", None, 204, body=s.logout_schema, body_required=False, auth=REQUIRED
    ),
    "v2.auth.logout_all": Op("POST", None, 204, auth=REQUIRED),
    "v2.users.create_user": Op(
        "POST", s.private_user_schema, 201, body=s.user_create_schema, errors=(409,), location=True
    ),
    # Admins see every user's email and is_admin, others the public profile only.
    "v2.users.list_users": Op(
        "GET", s.private_users_schema, query=s.page_args_schema, auth=OPTIONAL, page=True
    ),
    "v2.users.get_user": Op("GET", s.private_user_schema, auth=OPTIONAL),
    "v2.users.list_user_posts": Op(
        "GET", s.posts_schema, query=s.post_list_args_schema, auth=OPTIONAL, page=True
    ),
    "v2.users.delete_any_user": Op("DELETE", None, 204, auth=REQUIRED, errors=(403,)),
    "v2.users.get_me": Op("GET", s.private_user_schema, auth=REQUIRED),
    "v2.users.update_me": Op(
        "PATCH", s.private_user_schema, body=s.me_update_schema, auth=REQUIRED, errors=(409,)
    ),
    "v2.users.delete_me": Op("DELETE", None, 204, body=s.password_confirm_schema, auth=REQUIRED),
    "v2.posts.list_posts": Op(
        "GET", s.posts_schema, query=s.post_list_args_schema, auth=OPTIONAL, page=True
    ),
    "v2.posts.get_post": Op("GET", s.post_schema, auth=OPTIONAL),
    "v2.posts.create_post": Op(
        "POST", s.post_schema, 201, body=s.post_create_schema, auth=REQUIRED, location=True
    ),
    "v2.posts.replace_post": Op(
        "PUT", s.post_schema, body=s.post_create_schema, auth=REQUIRED, errors=(403,)
    ),
    "v2.posts.update_post": Op(
        "PATCH", s.post_schema, body=s.post_update_schema, auth=REQUIRED, errors=(403,)
    ),
    "v2.posts.delete_post": Op("DELETE", None, 204, auth=REQUIRED, errors=(403,)),
    "v2.todos.list_todos": Op(
        "GET", s.todos_schema, query=s.todo_list_args_schema, auth=REQUIRED, page=True
    ),
    "v2.todos.create_todo": Op(
        "POST", s.todo_schema, 201, body=s.todo_create_schema, auth=REQUIRED, location=True
    ),
    "v2.todos.get_todo": Op("GET", s.todo_schema, auth=REQUIRED),
    "v2.todos.replace_todo": Op("PUT", s.todo_schema, body=s.todo_create_schema, auth=REQUIRED),
    "v2.todos.update_todo": Op("PATCH", s.todo_schema, body=s.todo_update_schema, auth=REQUIRED),
    "v2.todos.delete_todo": Op("DELETE", None, 204, auth=REQUIRED),
    # --- both -----------------------------------------------------------------------------
    "docs.openapi": Op("GET", None, description="This document."),
}

ERROR_DESCRIPTIONS = {
    "v1": {
        400: "Not JSON, missing or invalid fields (a specific `message`)",
        401: "Missing, invalid, expired or revoked token",
        403: "Not the owner (or an admin)",
        404: "Not found",
        413: "Request body too large",
        429: "Too many login attempts; see `Retry-After`",
    },
    "v2": {
        400: "Malformed JSON, or a body that is not a JSON object",
        401: "Missing, invalid, expired or revoked token",
        403: "Not allowed for this user",
        404: "Not found (also another user's todo, or someone else's draft)",
        409: "Username or email already taken",
        413: "Request body too large",
        415: "Content-Type is not application/json",
        422: "Validation failed: `errors` maps each field to its messages",
        429: "Too many login attempts; see `Retry-After`",
    },
}

# Response fields that only some viewers get: a user's email and is_admin are shown to the
# user themself and to admins (v2 GET /users documents PrivateUser for everyone).
VIEWER_DEPENDENT = {"PrivateUser": ("email", "is_admin")}

TAGS = {
    "auth": "Tokens: login, refresh, logout (and, in v1, the current user)",
    "users": "Registration, profiles and the caller's own account",
    "posts": "Blog posts: public reading, owner-only writing",
    "todos": "Todos, private to their owner",
    "docs": "This document",
}

_PATH_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


# --- schemas derived from app.schemas -----------------------------------------------------

_derived: dict[str, type[Schema]] = {}


def _derived_schema(name: str, attrs: dict[str, fields.Field]) -> type[Schema]:
    """One class per name, so apispec registers each envelope once."""
    if name not in _derived:
        _derived[name] = type(
            name, (Schema,), {"Meta": type("Meta", (), {"ordered": True}), **attrs}
        )
    return _derived[name]


def _item_class(schema: Schema) -> type[Schema]:
    return type(schema)


def page_schema(item: Schema) -> Schema:
    """v2's list body (``app.pagination.paginate``) around ``item``."""
    cls = _item_class(item)
    name = cls.__name__.removesuffix("Schema") + "PageSchema"
    return _derived_schema(
        name,
        {
            "items": fields.List(fields.Nested(cls), required=True),
            "total": fields.Integer(required=True),
            "count": fields.Integer(required=True),
            "offset": fields.Integer(required=True),
            "limit": fields.Integer(required=True),
        },
    )()


def envelope_schema(key: str, item: Schema) -> Schema:
    """v1's list body: ``{"posts": [...]}``."""
    cls = _item_class(item)
    name = "V1" + cls.__name__.removesuffix("Schema") + "ListSchema"
    return _derived_schema(name, {key: fields.List(fields.Nested(cls), required=True)})()


# --- field details apispec cannot see -----------------------------------------------------


def text_lengths(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """Expose the lengths that ``Text`` and ``Password`` check in code."""
    if not isinstance(field, s.Text):
        return {}
    props: dict[str, Any] = {}
    if isinstance(field, s.Password):
        cfg = current_app.config
        return {
            "minLength": int(cfg["PASSWORD_MIN_LENGTH"]),
            "maxLength": int(cfg["PASSWORD_MAX_LENGTH"]),
        }
    if field.min_length:
        props["minLength"] = field.min_length
    if field.max_length is not None:
        props["maxLength"] = field.max_length
    return props


# --- the document -------------------------------------------------------------------------


def _openapi_path(rule: str, prefix: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in _PATH_ARG.finditer(rule):
        numeric = match["converter"] in {"id", "int"}
        params.append(
            {
                "name": match["name"],
                "in": "path",
                "required": True,
                "schema": {"type": "integer"} if numeric else {"type": "string"},
                **(
                    {"description": "ids outside 1..2147483647 are simply not found (404)"}
                    if numeric
                    else {}
                ),
            }
        )
    path = _PATH_ARG.sub(lambda m: "{" + m["name"] + "}", rule.removeprefix(prefix))
    return path or "/", params


def _error(version: str, status: int, op: Op) -> dict[str, Any]:
    description = ERROR_DESCRIPTIONS[version].get(status, reason(status))
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": s.ErrorSchema}},
    }
    if status == 401 and op.credentials_401:
        response["description"] = "Invalid credentials" + (
            "" if op.auth is None else ", or a missing, invalid, expired or revoked token"
        )
    if status == 401 and not op.credentials_401:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": 'RFC 6750 challenge: `Bearer` or `Bearer error="invalid_token"`',
                "required": True,
                "schema": {"type": "string"},
            }
        }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait",
                "required": True,
                "schema": {"type": "integer"},
            }
        }
    return response


def _error_statuses(version: str, op: Op, has_path_args: bool) -> list[int]:
    statuses = set(op.errors)
    if op.auth is not None or op.credentials_401:
        statuses.add(401)
    if has_path_args:
        statuses.add(404)
    if op.body is not None:
        statuses |= {400, 413} if version == "v1" else {400, 413, 415, 422}
    if op.query is not None:
        statuses.add(400 if version == "v1" else 422)
    if op.rate_limited:
        statuses.add(429)
    return sorted(statuses)


def _success(version: str, op: Op) -> dict[str, Any]:
    if op.status == 204:
        return {"description": "Done; no body"}
    if op.response is None:
        schema: Any = {"type": "object"}
    elif op.page:
        schema = page_schema(op.response)
    elif op.envelope:
        schema = envelope_schema(op.envelope, op.response)
    else:
        schema = op.response
    response: dict[str, Any] = {
        "description": reason(op.status),
        "content": {"application/json": {"schema": schema}},
    }
    headers = {}
    if op.location:
        headers["Location"] = {
            "description": "URL of the new resource",
            "required": True,
            "schema": {"type": "string", "format": "uri"},
        }
    if op.page:
        headers["Link"] = {
            "description": 'RFC 8288 links: rel="first", "prev", "next", "last"',
            "required": True,
            "schema": {"type": "string"},
        }
    if headers:
        response["headers"] = headers
    return response


def _operation(app: Flask, version: str, endpoint: str, op: Op, params: list[dict]) -> dict:
    view = app.view_functions[endpoint]
    doc = (view.__doc__ or "").strip().splitlines()
    operation: dict[str, Any] = {
        "operationId": endpoint.split(".", 1)[-1].replace(".", "_").replace("-", "_"),
        "tags": [endpoint.split(".")[-2]],
        "summary": doc[0].replace("``", "`") if doc else endpoint,
        "parameters": list(params),
        "responses": {str(op.status): _success(version, op)},
    }
    if op.description:
        operation["description"] = op.description
    if op.query is not None:
        operation["parameters"].append({"in": "query", "schema": op.query})
    if op.body is not None:
        operation["requestBody"] = {
            "required": op.body_required,
            "content": {"application/json": {"schema": op.body}},
        }
    if op.auth == REQUIRED:
        operation["security"] = [{BEARER: []}]
    elif op.auth == OPTIONAL:
        operation["security"] = [{}, {BEARER: []}]
    for status in _error_statuses(version, op, bool(params)):
        operation["responses"][str(status)] = _error(version, status, op)
    return operation


def build_document(app: Flask, version: str) -> dict[str, Any]:
    """Return the OpenAPI document of ``version`` ("v1" or "v2") for ``app``."""
    prefix = f"/api/{version}"
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=f"Blog API {version}",
        version=version.removeprefix("v") + ".0.0",
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={
            "description": (
                "Users, posts and todos. Send `Authorization: Bearer <access_token>` "
                "where an operation needs it. Every error has the body `Error`."
            )
        },
        servers=[{"url": prefix}],
    )
    plugin.converter.add_attribute_function(text_lengths)
    spec.components.security_scheme(
        BEARER, {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=s.ErrorSchema)
    for name, description in TAGS.items():
        spec.tag({"name": name, "description": description})

    paths: dict[str, dict[str, Any]] = {}
    body_schemas: set[str] = set()
    with app.app_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if not rule.rule.startswith(prefix + "/"):
                continue
            op = OPERATIONS.get(rule.endpoint)
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            if op is None or methods != [op.method]:
                raise UndocumentedRoute(
                    f"{', '.join(methods)} {rule.rule} ({rule.endpoint}) is not described "
                    "in app.openapi.OPERATIONS"
                )
            path, params = _openapi_path(rule.rule, prefix)
            operation = _operation(app, version, rule.endpoint, op, params)
            paths.setdefault(path, {})[op.method.lower()] = operation
            if op.body is not None:
                body_schemas.add(type(op.body).__name__.removesuffix("Schema"))
        for path, operations in paths.items():
            spec.path(path=path, operations=operations)
        document = spec.to_dict()
    components = document["components"]["schemas"]
    if version == "v1":
        # v1 ignores unknown body fields (v2 refuses them with 422, as documented).
        for name in body_schemas:
            components[name].pop("additionalProperties", None)
    for name, component in components.items():
        if name not in body_schemas and name != "Error":
            # marshmallow dumps every field (null when empty): every key is always there.
            optional = VIEWER_DEPENDENT.get(name, ())
            component["required"] = [p for p in component["properties"] if p not in optional]
    return document


def document(version: str) -> dict[str, Any]:
    """The cached document of ``version`` for the current app."""
    cache = current_app.extensions.setdefault("openapi", {})
    if version not in cache:
        cache[version] = build_document(current_app._get_current_object(), version)  # type: ignore[attr-defined]
    return cache[version]
