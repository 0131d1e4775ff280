"""Paging, sorting and the list body of v2 (``items``/``total``/``count``/``offset``/``limit``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Response, jsonify, request, url_for
from marshmallow import Schema, ValidationError

from .errors import validation_error
from .extensions import db


def query_args(schema: Schema) -> dict[str, Any]:
    """Validate the query string through ``schema`` (422 with per-field errors)."""
    try:
        return schema.load(request.args.to_dict(flat=True))
    except ValidationError as err:
        raise validation_error(err.normalized_messages(), "Invalid query parameters") from None


def order_by(model: type, sort: str) -> list[Any]:
    """Translate ``sort`` (``title`` or ``-title``) to ORDER BY with ``id`` as tie-breaker."""
    descending = sort.startswith("-")
    column = getattr(model, sort.lstrip("-"))
    model_id = model.id  # type: ignore[attr-defined]
    ordered = column.desc() if descending else column.asc()
    if column.nullable:
        ordered = ordered.nulls_last()  # the same order on SQLite and PostgreSQL
    return [ordered, model_id.desc() if descending else model_id.asc()]


def _page_url(offset: int, limit: int) -> str:
    # The query string is encoded here, not passed to url_for as keywords: a parameter
    # named like a path variable, ``endpoint`` or ``_external`` would clash there (a 500).
    args = request.args.to_dict(flat=True)
    args.update(offset=str(offset), limit=str(limit))
    base = url_for(request.endpoint, **(request.view_args or {}), _external=True)
    return f"{base}?{urlencode(args)}"


def link_header(offset: int, limit: int, total: int) -> str:
    """Return an RFC 8288 ``Link`` value with first/prev/next/last relations."""
    links = [f'<{_page_url(0, limit)}>; rel="first"']
    if offset > 0:
        links.append(f'<{_page_url(max(offset - limit, 0), limit)}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{_page_url(offset + limit, limit)}>; rel="next"')
    last = max((total - 1) // limit * limit, 0)
    links.append(f'<{_page_url(last, limit)}>; rel="last"')
    return ", ".join(links)


def paginate(
    stmt: sa.Select,
    schema: Schema,
    *,
    limit: int,
    offset: int,
    options: tuple[Any, ...] = (),
) -> Response:
    """Run ``stmt`` for one page (2 statements: count and rows) and build the list answer."""
    count_stmt = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    total = db.session.scalar(count_stmt) or 0
    rows = db.session.scalars(stmt.options(*options).limit(limit).offset(offset)).unique().all()
    response = jsonify(
        {
            "items": schema.dump(rows, many=True),
            "total": total,
            "count": len(rows),
            "offset": offset,
            "limit": limit,
        }
    )
    response.headers["Link"] = link_header(offset, limit, total)
    return response
