"""API faces and the decorators that declare a route's facts once, on the route.

A face is one public contract over the same domain (``/api/v1``, ``/api/v2``; the RealWorld
API next). Each face package under ``app/routes/`` makes one ``Face``: its URL prefix, how
it reads bodies (unknown fields ignored or refused), which ``Authorization`` schemes it
accepts, and how it renders the domain errors of ``app.errors``. Its decorators both act
and document, the way apifairy's do::

    @bp.post("/posts")
    @api.auth()
    @api.body(post_create_schema)
    @api.response(post_schema, 201, location=("v2.posts.get_post", "post_id"))
    def create_post(data): ...

``app.openapi`` assembles the documents from what these decorators record (``describe``);
it keeps no table of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request, url_for
from marshmallow import EXCLUDE, RAISE, Schema
from werkzeug.exceptions import HTTPException

from . import idempotency
from .auth import BEARER, token_auth
from .body import json_object, load
from .conditional import check_if_match, etag_of
from .dumping import dump
from .errors import (
    DomainError,
    Invalid,
    render_domain_error,
    render_http_exception,
)
from .face_registry import register_face
from .pagination import Page, link_header
from .routedoc import describe

F = TypeVar("F", bound=Callable[..., Any])

REQUIRED, OPTIONAL = "required", "optional"


def _pass_first(view: Callable[..., Any], produce: Callable[[], Any]) -> Callable[..., Any]:
    """Wrap ``view`` so that ``produce()`` is its first positional argument."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return view(produce(), *args, **kwargs)

    return wrapped


class Face:
    """One API face: its blueprint, its body rules, its auth schemes and its error renderer.

    Subclasses (or instances given ``renderers``) say how each domain error looks on this
    face; everything not named is answered in the house shape at the error's own status.
    """

    def __init__(
        self,
        name: str,
        url_prefix: str,
        *,
        unknown: str = RAISE,
        schemes: Iterable[str] = BEARER,
        body_errors: tuple[int, ...] = (400, 413, 415, 422),
        query_errors: tuple[int, ...] = (422,),
        error_descriptions: Mapping[int, str] | None = None,
        renderers: Mapping[type[DomainError], Callable[[DomainError], Response]] | None = None,
        title: str = "",
        description: str = "",
        api_version: str = "1.0.0",
        security_scheme: dict[str, Any] | None = None,
        error_schema: Any = None,
    ) -> None:
        self.name = name
        self.url_prefix = url_prefix
        self.unknown = unknown
        self.schemes = tuple(schemes)
        self.body_errors = body_errors
        self.query_errors = query_errors
        self.error_descriptions = dict(error_descriptions or {})
        self.renderers = dict(renderers or {})
        self.title = title
        self.description = description
        self.api_version = api_version
        # OpenAPI: the scheme tokens are sent with (None: HTTP bearer), and what to say of it.
        self.security_scheme = security_scheme
        self.security_name = "bearerAuth" if security_scheme is None else "tokenAuth"
        self.error_schema = error_schema  # None: the house ``Error`` shape
        self.blueprint = Blueprint(name, __name__, url_prefix=url_prefix)
        self.blueprint.register_error_handler(DomainError, self.render)
        self.blueprint.register_error_handler(HTTPException, self.render_http)
        self.blueprint.record_once(lambda state: register_face(state.app, self))

    # --- errors ---------------------------------------------------------------------------

    def render(self, exc: DomainError) -> Response:
        for kind in type(exc).__mro__:
            if kind in self.renderers:
                return self.renderers[kind](exc)
        return render_domain_error(exc)

    def render_http(self, exc: HTTPException) -> Response:
        return render_http_exception(exc)

    # --- decorators -----------------------------------------------------------------------

    def auth(self, *, optional: bool = False) -> Callable[[F], F]:
        """Require (or accept) an access token in one of this face's schemes."""
        authenticate = token_auth(optional=optional, schemes=self.schemes)

        def decorator(view: F) -> F:
            describe(view).auth = OPTIONAL if optional else REQUIRED
            return authenticate(view)

        return decorator

    def body(
        self,
        schema: Schema,
        *,
        required: bool = True,
        require: tuple[str | tuple[str, ...], ...] = (),
        missing: str = "",
    ) -> Callable[[F], F]:
        """Load the JSON body through ``schema`` and pass it to the view first.

        ``required=False``: no body at all reads as ``{}``. ``require``: fields (or tuples
        of alternatives) that must be present and non-blank before validation, else
        Invalid with the message ``missing`` (the seeds' "Missing title or content").
        """

        def produce() -> Any:
            data = json_object(allow_empty=not required)
            for names in require:
                alternatives = (names,) if isinstance(names, str) else names
                if not any(_present(data.get(name)) for name in alternatives):
                    raise Invalid({}, missing, "missing_fields")
            return load(schema, data, unknown=self.unknown)

        def decorator(view: F) -> F:
            doc = describe(view)
            doc.body, doc.body_required = schema, required
            return _pass_first(view, produce)  # type: ignore[return-value]

        return decorator

    def query(self, schema: Schema) -> Callable[[F], F]:
        """Load the query string through ``schema`` and pass it to the view first."""

        def produce() -> Any:
            args = request.args.to_dict(flat=True)
            loaded = load(schema, args, unknown=EXCLUDE, message="Invalid query parameters")
            g.query_args = {name: loaded[name] for name in args if name in loaded}
            return loaded

        def decorator(view: F) -> F:
            describe(view).query = schema
            return _pass_first(view, produce)  # type: ignore[return-value]

        return decorator

    def response(
        self,
        schema: Schema | None,
        status: int = 200,
        *,
        page: bool = False,
        envelope: str | None = None,
        location: tuple[str, str] | None = None,
        select: Callable[[Any], Schema] | None = None,
        description: str | None = None,
        etag: bool = False,
    ) -> Callable[[F], F]:
        """Dump what the view returns through ``schema`` and answer ``status``.

        The view returns the object (a ``Page`` for ``page``, a list for ``envelope``), or
        None for 204. ``location=(endpoint, argument)`` adds ``Location`` for the new row;
        ``select(obj)`` picks the schema per answer (a narrower one than documented).
        ``etag``: the answer carries a strong ETag of its body, and a GET whose
        ``If-None-Match`` names it is answered 304 without a body.
        """

        def answer(result: Any) -> Response:
            if isinstance(result, Response):  # built by the view (a cookie to set, say)
                return result
            if status == 204:
                return no_content()
            chosen = select(result) if select is not None else schema
            if page:
                return _page_response(result, chosen, envelope)
            if envelope is not None:
                body = {envelope: dump(chosen, result, many=True)}
            else:
                body = dump(chosen, result) if chosen is not None else result
            response = jsonify(body)
            response.status_code = status
            if etag:
                response.set_etag(etag_of(body))
                if request.method in ("GET", "HEAD"):
                    response.make_conditional(request)
            if location is not None:
                endpoint, argument = location
                values = {argument: result.id}
                response.headers["Location"] = url_for(endpoint, **values, _external=True)
            return response

        def decorator(view: F) -> F:
            doc = describe(view)
            doc.response, doc.status, doc.page, doc.envelope = schema, status, page, envelope
            doc.location = location is not None
            doc.description = description or doc.description
            doc.etag = doc.etag or etag

            @wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Response:
                return answer(view(*args, **kwargs))

            return wrapped  # type: ignore[return-value]

        return decorator

    def idempotent(self) -> Callable[[F], F]:
        """Accept ``Idempotency-Key``: a retry answers the first answer (app.idempotency).

        Stack it under ``auth`` (keys are per user) and above ``body`` and ``response``.
        """

        def decorator(view: F) -> F:
            describe(view).idempotent = True

            @wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                key = request.headers.get(idempotency.HEADER)
                if key is None:
                    return view(*args, **kwargs)
                return idempotency.run(key, lambda: view(*args, **kwargs))

            return wrapped  # type: ignore[return-value]

        return decorator

    def if_match(
        self, model: type, argument: str, load: Callable[[int], Any], schema: Schema
    ) -> Callable[[F], F]:
        """Honour ``If-Match``: answer 412 and change nothing when the resource changed.

        With the header, the row is locked first (an UPDATE that changes nothing, which
        PostgreSQL and SQLite both hold until the commit), then ``load(id)`` finds it as
        the view will and its ETag (``schema``'s dump, as GET answers it) is compared.
        Two tabs editing one post: the second save no longer overwrites the first.
        """

        def decorator(view: F) -> F:
            describe(view).if_match = True

            @wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                if request.if_match:
                    check_if_match(model, kwargs[argument], load, schema)
                return view(*args, **kwargs)

            return wrapped  # type: ignore[return-value]

        return decorator

    def other_responses(self, *statuses: int, credentials: bool = False) -> Callable[[F], F]:
        """Document statuses only this route can answer (403, 409, …); changes nothing."""

        def decorator(view: F) -> F:
            doc = describe(view)
            doc.errors = tuple(sorted({*doc.errors, *statuses}))
            doc.credentials_401 = doc.credentials_401 or credentials
            return view

        return decorator


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _page_response(page: Page, schema: Schema, envelope: str | None = None) -> Response:
    items = dump(schema, page.items, many=True)
    if envelope is not None:  # v1: the seeds' {"posts": [...]}, paged by the Link header
        body: dict[str, Any] = {envelope: items}
    else:
        body = {
            "items": items,
            "total": page.total,
            "count": len(page.items),
            "offset": page.offset,
            "limit": page.limit,
        }
    response = jsonify(body)
    response.headers["Link"] = link_header(page.offset, page.limit, page.total, page.next_after)
    return response


def no_content() -> Response:
    """204 with no body and no content type."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response
