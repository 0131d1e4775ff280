"""OpenAPI 3 documents, one per API face, assembled from what the routes declare.

Each route states its facts once with its face's decorators (``app.faces``): body, query and
response schemas, auth, rate limit, extra statuses. This module only assembles them, adding
what follows from a route's shape: a token means 401, a path id means 404, a JSON body means
the face's body errors (v1: 400/413; v2: 400/413/415/422), a query string its query errors.
A route under a face's prefix that declares no response makes ``build_document`` raise, so
no route can go undocumented.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app

from . import schemas as s
from .errors import reason
from .face_registry import faces_of, owner_of
from .faces import OPTIONAL, REQUIRED, Face
from .openapi_schemas import envelope_schema, page_schema, text_lengths
from .routedoc import RouteDoc

OPENAPI_VERSION = "3.0.3"
BEARER = "bearerAuth"
HTTP_BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class UndocumentedRoute(RuntimeError):
    """A route under a face's prefix that declares no response."""


# Response fields that only some viewers get: a user's email and is_admin are shown to the
# user themself and to admins (v2 GET /users documents PrivateUser for everyone).
VIEWER_DEPENDENT = {
    "PrivateUser": ("email", "is_admin", "email_verified"),
    "PrivateProfile": ("email", "is_admin", "email_verified"),
}

TAGS = {
    "auth": "Tokens: login, refresh (body or cookie), logout, password reset, e-mail "
    "verification (and, in v1, the current user)",
    "sessions": "The caller's signed-in devices: list them, sign one out",
    "users": "Registration, profiles and the caller's own account",
    "posts": "Blog posts: public reading, owner-only writing, slugs, tags, likes",
    "comments": "Comments on posts, in Markdown",
    "markdown": "Markdown preview: the sanitized HTML the server would store",
    "todos": "Todos, private to their owner",
    "docs": "This document",
}

_PATH_ARG = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


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


def _error(face: Face, status: int, op: RouteDoc) -> dict[str, Any]:
    if 300 <= status < 400:
        # A redirect a route declares (an old slug): Location says where to go.
        return {
            "description": f"{reason(status)}: see `Location`",
            "headers": {"Location": _header("The current URL", "uri")},
        }
    description = face.error_descriptions.get(status, reason(status))
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": face.error_schema or s.ErrorSchema}},
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


def _error_statuses(face: Face, op: RouteDoc, has_path_args: bool) -> list[int]:
    statuses = set(op.errors)
    if op.auth is not None or op.credentials_401:
        statuses.add(401)
    if has_path_args:
        statuses.add(404)
    if op.body is not None:
        statuses |= set(face.body_errors)
    if op.query is not None:
        statuses |= set(face.query_errors)
    if op.rate_limited:
        statuses.add(429)
    if op.idempotent:
        statuses |= {409, 422}
    if op.if_match:
        statuses.add(412)
    return sorted(statuses)


IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED = "Idempotency-Key", "Idempotent-Replayed"


def _header(description: str, fmt: str | None = None) -> dict[str, Any]:
    schema = {"type": "string", **({"format": fmt} if fmt else {})}
    return {"description": description, "required": True, "schema": schema}


def _success(op: RouteDoc) -> dict[str, Any]:
    if op.status == 204:
        return {"description": "Done; no body"}
    if op.response is None:
        schema: Any = {"type": "object"}
    elif op.envelope:  # v1 lists: the seeds' envelope, paged by the Link header alone
        schema = envelope_schema(op.envelope, op.response)
    elif op.page:
        schema = page_schema(op.response)
    else:
        schema = op.response
    response: dict[str, Any] = {
        "description": reason(op.status),
        "content": {"application/json": {"schema": schema}},
    }
    headers = {}
    if op.location:
        headers["Location"] = _header("URL of the new resource", "uri")
    if op.page:
        headers["Link"] = _header('RFC 8288 links: rel="first", "prev", "next", "last"')
    if op.etag:
        headers["ETag"] = _header(
            "Strong validator of this representation (If-None-Match, If-Match)"
        )
    if op.idempotent:
        headers[IDEMPOTENT_REPLAYED] = {
            "description": "`true` when this is the stored answer to an earlier request",
            "required": False,
            "schema": {"type": "string", "enum": ["true"]},
        }
    if headers:
        response["headers"] = headers
    return response


def _operation(face: Face, endpoint: str, view: Any, params: list[dict]) -> dict[str, Any]:
    op: RouteDoc = view.__route_doc__
    doc = (view.__doc__ or "").strip().splitlines()
    operation: dict[str, Any] = {
        "operationId": endpoint.split(".", 1)[-1].replace(".", "_").replace("-", "_"),
        "tags": [endpoint.split(".")[-2]],
        "summary": doc[0].replace("``", "`") if doc else endpoint,
        "parameters": list(params),
        "responses": {str(op.status): _success(op)},
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
        operation["security"] = [{face.security_name: []}]
    elif op.auth == OPTIONAL:
        operation["security"] = [{}, {face.security_name: []}]
    for status in _error_statuses(face, op, bool(params)):
        operation["responses"][str(status)] = _error(face, status, op)
    _conditional(op, endpoint, operation)
    return operation


def _conditional(op: RouteDoc, endpoint: str, operation: dict[str, Any]) -> None:
    """Document Idempotency-Key, If-None-Match (304) and If-Match (412)."""
    parameters = operation["parameters"]
    if op.idempotent:
        parameters.append(
            {
                "in": "header",
                "name": IDEMPOTENCY_KEY,
                "required": False,
                "description": "Retry safely: the same key and body within 24 h answer the "
                "first answer without doing the work again; another body is 422; keys are "
                "per user (per client address without a token).",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^[!-~]+$",
                },
            }
        )
    if op.etag and op.status == 200 and not op.if_match:
        parameters.append(
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "description": "An ETag from an earlier answer: 304 when it is still current",
                "schema": {"type": "string"},
            }
        )
        operation["responses"]["304"] = {"description": "Not modified: your copy is current"}
    if op.if_match:
        parameters.append(
            {
                "in": "header",
                "name": "If-Match",
                "required": False,
                "description": "The ETag you read: 412 and no change when the resource "
                "changed since",
                "schema": {"type": "string"},
            }
        )


def _new_spec(face: Face) -> tuple[APISpec, MarshmallowPlugin]:
    plugin = MarshmallowPlugin()
    spec = APISpec(
        title=face.title,
        version=face.api_version,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": face.description},
        servers=[{"url": face.url_prefix}],
    )
    plugin.converter.add_attribute_function(text_lengths)
    spec.components.security_scheme(face.security_name, face.security_scheme or HTTP_BEARER)
    spec.components.schema("Error", schema=s.ErrorSchema)
    for name, description in TAGS.items():
        spec.tag({"name": name, "description": description})
    return spec, plugin


def build_document(app: Flask, name: str) -> dict[str, Any]:
    """Return the OpenAPI document of the face called ``name`` (``v1``, ``v2``) for ``app``."""
    face = faces_of(app)[name]
    prefix = face.url_prefix
    spec, _ = _new_spec(face)
    paths: dict[str, dict[str, Any]] = {}
    body_schemas: set[str] = set()
    with app.app_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if owner_of(rule.rule, faces_of(app).values()) is not face:
                continue
            view = app.view_functions[rule.endpoint]
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            if "__route_doc__" not in view.__dict__ or len(methods) != 1:
                raise UndocumentedRoute(
                    f"{', '.join(methods)} {rule.rule} ({rule.endpoint}) declares no response "
                    "with its face's decorators"
                )
            path, params = _openapi_path(rule.rule, prefix)
            paths.setdefault(path, {})[methods[0].lower()] = _operation(
                face, rule.endpoint, view, params
            )
            body = view.__route_doc__.body
            if body is not None:
                body_schemas.add(type(body).__name__.removesuffix("Schema"))
        for path, operations in paths.items():
            spec.path(path=path, operations=operations)
        document = spec.to_dict()
    components = document["components"]["schemas"]
    if face.unknown != "raise":
        # This face ignores unknown body fields (v2 refuses them with 422, as documented).
        for name in body_schemas:
            components[name].pop("additionalProperties", None)
    for name, component in components.items():
        if name not in body_schemas and name != "Error":
            # marshmallow dumps every field (null when empty): every key is always there.
            optional = VIEWER_DEPENDENT.get(name, ())
            component["required"] = [p for p in component["properties"] if p not in optional]
    return document


def document(name: str) -> dict[str, Any]:
    """The cached document of the face called ``name`` for the current app."""
    cache = current_app.extensions.setdefault("openapi", {})
    if name not in cache:
        cache[name] = build_document(current_app._get_current_object(), name)  # type: ignore[attr-defined]
    return cache[name]
