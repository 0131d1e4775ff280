"""The row format of the request tables, and the checks that recur across rows.

A row is one request and what its answer must be. The builder writes the status check
first, then each of ``checks`` in order, then sets the ``sets`` variables in order::

    Request(
        "Register alice", "POST", "/users", 201,
        body={"username": ALICE, "password": PASSWORD},
        checks=[location("/api/v2/users/")],
        sets={"v2_alice_id": from_body("id")},
    )

A check is the list of test-script lines its helper returns; ``expect`` writes a one-off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

Lines = list[str]


@dataclass(frozen=True)
class Form:
    """A request body that is not JSON, sent as a form."""

    text: str
    content_type: str = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    """One row: the request, its expected status, further checks, variables to set."""

    name: str
    method: str
    path: str  # under the folder's prefix; {{variables}} allowed
    status: int
    auth: str | None = None  # the bearer token, usually "{{some_variable}}"
    body: dict[str, Any] | Form | None = None
    checks: list[Lines] = field(default_factory=list)
    sets: dict[str, str] = field(default_factory=dict)  # variable -> JavaScript expression


@dataclass(frozen=True)
class Folder:
    """Rows (or folders) run in order; ``prefix`` goes before every path inside."""

    name: str
    description: str
    items: list[Request | Folder]
    prefix: str = ""


# --- values for ``sets`` ------------------------------------------------------------------


def from_body(field_name: str) -> str:
    return f"pm.response.json().{field_name}"


def from_var(variable: str) -> str:
    return f"pm.collectionVariables.get('{variable}')"


def tokens(prefix: str) -> dict[str, str]:
    """Keep an access/refresh pair as ``<prefix>_access`` and ``<prefix>_refresh``."""
    return {
        f"{prefix}_access": from_body("access_token"),
        f"{prefix}_refresh": from_body("refresh_token"),
    }


# --- checks -------------------------------------------------------------------------------


def status(code: int) -> Lines:
    return [f'pm.test("status {code}", () => pm.response.to.have.status({code}));']


def save(variable: str, expression: str) -> Lines:
    return [f"pm.collectionVariables.set({json.dumps(variable)}, {expression});"]


def expect(title: str, *lines: str) -> Lines:
    return [f"pm.test({json.dumps(title)}, () => {{", *[f"  {line}" for line in lines], "});"]


def error(message: str, code: str | None = None) -> Lines:
    """The JSON error body: ``error``, this ``message`` and, when given, this ``code``."""
    lines = [
        "const body = pm.response.json();",
        "pm.expect(body.error).to.be.a('string');",
        f"pm.expect(body.message).to.eql({json.dumps(message)});",
    ]
    if code:
        lines.append(f"pm.expect(body.code).to.eql({json.dumps(code)});")
    return expect(f"error: {message}", *lines)


def unauthorized(message: str, code: str) -> Lines:
    """A 401 error body with a Bearer challenge."""
    return error(message, code) + expect(
        "WWW-Authenticate: Bearer",
        "pm.expect(pm.response.headers.get('WWW-Authenticate')).to.match(/^Bearer/);",
    )


def invalid(field_name: str) -> Lines:
    """A validation error naming ``field_name``."""
    return expect(
        f"validation error on {field_name}",
        f"pm.expect(pm.response.json().errors).to.have.property({json.dumps(field_name)});",
    )


def location(path: str) -> Lines:
    """Location ends with ``path`` and the new resource's id."""
    return expect(
        "Location points at the new resource",
        "const id = pm.response.json().id;",
        "const url = pm.response.headers.get('Location');",
        f"pm.expect(url).to.match(new RegExp('{path}' + id + '$'));",
    )


def page(*lines: str) -> Lines:
    """A page envelope with a Link header; ``lines`` check its items."""
    checks = expect(
        "a page with a Link header",
        "const body = pm.response.json();",
        "pm.expect(body).to.have.keys('items', 'total', 'count', 'offset', 'limit');",
        "pm.expect(body.count).to.eql(body.items.length);",
        "pm.expect(pm.response.headers.get('Link')).to.include('rel=\"first\"');",
    )
    return checks + expect("the expected items", *lines) if lines else checks


def no_body() -> Lines:
    return expect("no body", "pm.expect(pm.response.text()).to.eql('');")


def token_pair() -> Lines:
    return expect(
        "a token pair, never cached",
        "const body = pm.response.json();",
        "pm.expect(body.token_type).to.eql('Bearer');",
        "pm.expect(body.access_token.split('.')).to.have.length(3);",
        "pm.expect(body.refresh_token.split('.')).to.have.length(3);",
        "pm.expect(body.expires_in).to.be.above(0);",
        "pm.expect(pm.response.headers.get('Cache-Control')).to.include('no-store');",
    )
