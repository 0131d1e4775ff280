"""Paging, sorting and the list body of v2 (``items``/``total``/``count``/``offset``/``limit``).

Pages are addressed by ``offset`` (the contract), and for sorted post lists also by an
opaque ``after`` cursor, which the ``next`` link uses: it carries the sort key and id of the
last item shown (and the offset it stands for), so the next page is a range scan on the
sort index whatever its depth, where a large ``OFFSET`` reads and throws away every row
before it. Either way a page costs two statements: the count and the rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import g, request, url_for
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from .errors import Invalid
from .extensions import db
from .models import ID_MAX


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, the total that match, and where it stands."""

    items: list[Any]
    total: int
    offset: int
    limit: int
    next_after: str | None = None  # the keyset cursor of the next page, when there is one


def order_by(model: type, sort: str) -> list[Any]:
    """Translate ``sort`` (``title`` or ``-title``) to ORDER BY with ``id`` as tie-breaker."""
    descending = sort.startswith("-")
    column = getattr(model, sort.lstrip("-"))
    model_id = model.id  # type: ignore[attr-defined]
    ordered = column.desc() if descending else column.asc()
    if column.nullable:
        ordered = ordered.nulls_last()  # the same order on SQLite and PostgreSQL
    return [ordered, model_id.desc() if descending else model_id.asc()]


def _page_urls() -> Callable[..., str]:
    """``page_url(offset, limit, after=None)`` for the request's list: its base URL and the
    query arguments it understood are read once, for every link of the header."""
    # The query string is encoded here, not passed to url_for as keywords: a parameter
    # named like a path variable, ``endpoint`` or ``_external`` would clash there (a 500).
    # Only the parameters the list understood, as it understood them (``author_id=0001``
    # is ``1``): a Link must not copy an arbitrary query string three times over.
    understood = {name: _query_value(value) for name, value in g.get("query_args", {}).items()}
    understood.pop("after", None)
    understood.pop("offset", None)
    base = url_for(request.endpoint, **(request.view_args or {}), _external=True)

    def page_url(offset: int, limit: int, after: str | None = None) -> str:
        args = dict(understood)
        args.update({"after": after} if after else {"offset": str(offset)}, limit=str(limit))
        return f"{base}?{urlencode(args)}"

    return page_url


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def link_header(offset: int, limit: int, total: int, next_after: str | None = None) -> str:
    """Return an RFC 8288 ``Link`` value with first/prev/next/last relations."""
    page_url = _page_urls()
    links = [f'<{page_url(0, limit)}>; rel="first"']
    if offset > 0:
        links.append(f'<{page_url(max(offset - limit, 0), limit)}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{page_url(offset + limit, limit, next_after)}>; rel="next"')
    last = max((total - 1) // limit * limit, 0)
    links.append(f'<{page_url(last, limit)}>; rel="last"')
    return ", ".join(links)


class Keyset:
    """Cursor paging on ``sort`` (a non-nullable column of ``model``) with ``id`` as tie-breaker."""

    def __init__(self, model: type, sort: str) -> None:
        self.sort = sort
        self.column = getattr(model, sort.lstrip("-"))
        self.id = model.id  # type: ignore[attr-defined]
        self.descending = sort.startswith("-")
        column_type = self.column.type
        # A TypeDecorator (UTCDateTime) reports the python_type of what it decorates.
        self.python_type = getattr(column_type, "impl_instance", column_type).python_type

    def cursor(self, item: Any, offset: int) -> str:
        """The ``after`` value that points just past ``item``, the row at ``offset - 1``."""
        value = getattr(item, self.column.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        raw = json.dumps([self.sort, offset, value, item.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def decode(self, cursor: str) -> tuple[int, Any, int]:
        """Return (offset, sort value, id) from ``cursor``, or answer 422."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            sort, offset, value, item_id = json.loads(raw)
            if sort != self.sort or not isinstance(value, str) or "\x00" in value:
                raise ValueError(cursor)
            # "\ud800" is valid JSON but no database driver can send it (UnicodeEncodeError).
            value.encode("utf-8")
            if self.python_type is datetime:
                # In UTC here: a time at the edge of year 1 or 9999 with an offset cannot be
                # converted (OverflowError), and the column's bind would do it mid-query.
                value = datetime.fromisoformat(value)
                if value.tzinfo is not None:
                    value = value.astimezone(UTC)
            for number in (offset, item_id):
                if type(number) is not int or not 0 <= number <= ID_MAX:
                    raise ValueError(cursor)
        except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
            raise Invalid({"after": ["Invalid cursor."]}, "Invalid query parameters") from None
        return offset, value, item_id

    def after(self, stmt: sa.Select, value: Any, item_id: int) -> sa.Select:
        """Keep the rows that sort after (``value``, ``item_id``); the first test uses the index."""
        if self.descending:
            return stmt.where(self.column <= value, sa.or_(self.column < value, self.id < item_id))
        return stmt.where(self.column >= value, sa.or_(self.column > value, self.id > item_id))


_DIRECTIONS = (operators.desc_op, operators.asc_op, operators.nulls_last_op)


def _ids_first(page: sa.Select, model: type, options: tuple[Any, ...]) -> sa.Select:
    """``page`` (ordered, limited) as: its rows' ids and sort keys in a subquery, joined to
    ``model`` with ``options``, in the same order (keys may be expressions only the inner
    query can evaluate, such as FTS5's ``bm25``)."""
    ids, order = page_ids(page, model)
    model_id = model.id  # type: ignore[attr-defined]
    return sa.select(model).join(ids, ids.c.page_id == model_id).options(*options).order_by(*order)


def page_ids(page: sa.Select, model: type) -> tuple[sa.Subquery, list[Any]]:
    """``page``'s ids (``page_id``) and sort keys as a subquery, and the ORDER BY that reads
    the keys from it in ``page``'s order: what ``_ids_first`` joins the rows to."""
    model_id = model.id  # type: ignore[attr-defined]
    keys, wrappers = [], []
    for n, clause in enumerate(page._order_by_clauses):
        modifiers = []
        while isinstance(clause, UnaryExpression) and clause.modifier in _DIRECTIONS:
            modifiers.append(clause.modifier)
            clause = clause.element
        keys.append(clause.label(f"key_{n}"))
        wrappers.append(modifiers)
    inner = page.with_only_columns(model_id.label("page_id"), *keys, maintain_column_froms=True)
    ids = inner.subquery("page")
    order = []
    for n, modifiers in enumerate(wrappers):
        ordered: Any = ids.c[f"key_{n}"]
        for modifier in reversed(modifiers):
            ordered = UnaryExpression(ordered, modifier=modifier)
        order.append(ordered)
    return ids, order


def paginate(
    stmt: sa.Select,
    *,
    limit: int,
    offset: int,
    options: tuple[Any, ...] = (),
    params: dict[str, Any] | None = None,
    sort: tuple[type, str] | None = None,
    after: str | None = None,
    ids_first: type | None = None,
    total: sa.Select | int | None = None,
) -> Page:
    """Run ``stmt`` for one page (2 statements: count and rows).

    With ``sort`` (model, sort argument) the rows are ordered here, and when the sort
    column is never NULL the ``next`` link is an ``after`` cursor; ``after`` given by the
    client replaces ``offset``. ``params`` fill the bound parameters of ``options``.

    ``ids_first`` (the model): the page's ids and sort keys are found by a subquery and
    only those rows are loaded with ``options`` (still 2 statements). When the order cannot
    come from an index (a popular tag, the feed, search ranking), the database sorts every
    match before the LIMIT; in a plain SELECT each match carried its whole row and the
    correlated subqueries of ``options`` (counts, tags) into that sort, here only its id
    and sort keys.

    ``total``: a statement that answers the number of matches another way (kept counts,
    ``app.counters``), or that number already known (a bounded search's count); without it
    the matches are counted.
    """
    keyset = position = None
    if sort is not None:
        model, sort_arg = sort
        stmt = stmt.order_by(*order_by(model, sort_arg))
        if not getattr(model, sort_arg.lstrip("-")).nullable:
            keyset = Keyset(model, sort_arg)
            if after:
                offset, *position = keyset.decode(after)
    if total is None:  # count the matches
        total = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    if not isinstance(total, int):
        total = db.session.scalar(total) or 0
    page = stmt.limit(limit)
    page = keyset.after(page, *position) if keyset and position else page.offset(offset)
    if ids_first is not None:
        page = _ids_first(page, ids_first, options)
    else:
        page = page.options(*options)
    rows = db.session.scalars(page, params).unique().all()
    next_after = None
    if keyset is not None and len(rows) == limit:
        next_after = keyset.cursor(rows[-1], offset + limit)
    return Page(list(rows), total, offset, limit, next_after)
