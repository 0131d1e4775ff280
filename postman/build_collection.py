"""Write blog-api.postman_collection.json and local.postman_environment.json.

The requests are tables (requests_around.py, requests_v1.py, requests_v2.py; the row format
and the recurring checks are in rows.py); this module turns them into the collection, which
is committed. tests/test_postman.py fails when the two differ or when a route is not
exercised.

    python -m postman.build_collection      # from the repository root, after changing a row

Run order matters: requests are chained through collection variables. Each run registers
its own users (names carry a per-run id), so a run never depends on what is in the database.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from postman import requests_around, requests_v1, requests_v2
from postman.rows import Folder, Form, Request, save, status

HERE = Path(__file__).resolve().parent
COLLECTION = HERE / "blog-api.postman_collection.json"
ENVIRONMENT = HERE / "local.postman_environment.json"
NAMESPACE = uuid.UUID("6f1c3f1e-7c55-4d0e-9a55-0b1f2b8e2a10")
FOLDERS = [requests_around.FOLDER, requests_v1.FOLDER, requests_v2.FOLDER]

# Checks every response must pass, and the per-run id that keeps usernames unique.
COLLECTION_PREREQUEST = [
    "if (!pm.collectionVariables.get('runId')) {",
    "  pm.collectionVariables.set('runId', `${Date.now()}${Math.floor(Math.random() * 1000)}`);",
    "}",
    # The run logs in more than 10 times; the server's default LOGIN_RATE_LIMIT is 10 a
    # minute per client. Wait for the window instead of collecting a 429: any 11 logins of
    # a run are then more than a minute apart (a fixed or a moving window alike).
    "if (/\\/login(\\?|$)/.test(pm.request.url.toString())) {",
    "  const perMinute = 10;",
    "  const now = Date.now();",
    "  const recent = JSON.parse(pm.collectionVariables.get('loginTimes') || '[]')",
    "    .filter((t) => now - t < 61000);",
    "  const wait = recent.length >= perMinute",
    "    ? recent[recent.length - perMinute] + 61000 - now : 0;",
    "  recent.push(now + Math.max(wait, 0));",
    "  pm.collectionVariables.set('loginTimes', JSON.stringify(recent));",
    "  if (wait > 0) {",
    "    console.log(`login rate limit: waiting ${Math.ceil(wait / 1000)} s`);",
    "    setTimeout(() => {}, wait);",
    "  }",
    "}",
]
COLLECTION_TESTS = [
    'pm.test("X-Content-Type-Options: nosniff", () => {',
    "  pm.expect(pm.response.headers.get('X-Content-Type-Options')).to.eql('nosniff');",
    "});",
    "// Every answer is JSON but a 204 and the Atom feeds (XML for feed readers).",
    "const atom = pm.response.code === 200 && pm.request.url.getPath().endsWith('.atom');",
    "if (pm.response.code !== 204 && !atom) {",
    '  pm.test("JSON answer", () => {',
    "    pm.expect(pm.response.headers.get('Content-Type')).to.include('application/json');",
    "  });",
    "}",
]


def script(listen: str, lines: list[str]) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": lines}}


def tests(row: Request) -> list[str]:
    """The status check, the row's checks, then its variables, in that order."""
    lines = status(row.status)
    for check in row.checks:
        lines += check
    for variable, expression in row.sets.items():
        lines += save(variable, expression)
    return lines


def body(payload: dict[str, Any] | Form) -> tuple[str, dict[str, Any]]:
    """The Content-Type and the Postman body of a JSON or a form payload."""
    if isinstance(payload, Form):
        raw, content_type, language = payload.text, payload.content_type, "text"
    else:
        raw, content_type, language = json.dumps(payload, indent=2), "application/json", "json"
    return content_type, {"mode": "raw", "raw": raw, "options": {"raw": {"language": language}}}


def item(row: Request, prefix: str) -> dict[str, Any]:
    headers = []
    if row.auth is not None:
        headers.append({"key": "Authorization", "value": f"Bearer {row.auth}"})
    request: dict[str, Any] = {
        "method": row.method,
        "header": headers,
        "url": "{{baseUrl}}" + prefix + row.path,
    }
    if row.body is not None:
        content_type, request["body"] = body(row.body)
        headers.append({"key": "Content-Type", "value": content_type})
    answer = {"name": row.name, "event": [script("test", tests(row))], "request": request}
    if 300 <= row.status < 400:
        answer["protocolProfileBehavior"] = {"followRedirects": False}  # check the redirect
    return answer


def folder(node: Folder, prefix: str = "") -> dict[str, Any]:
    prefix += node.prefix
    items = [
        folder(child, prefix) if isinstance(child, Folder) else item(child, prefix)
        for child in node.items
    ]
    return {"name": node.name, "description": node.description, "item": items}


def collection() -> dict[str, Any]:
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(NAMESPACE, "collection")),
            "name": "Blog API",
            "description": (
                "Every endpoint of /api/v1 and /api/v2, with negative paths. Run it in order "
                "(Runner or `newman run`) against a fresh or existing server; set `baseUrl` in "
                "the environment. With the default login rate limit (10 a minute per client) "
                "the run pauses about a minute before its 11th login instead of failing with 429."
            ),
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "event": [script("prerequest", COLLECTION_PREREQUEST), script("test", COLLECTION_TESTS)],
        "variable": [
            {"key": "runId", "value": ""},
            {"key": "loginTimes", "value": "[]"},
        ],
        "item": [folder(node) for node in FOLDERS],
    }


def environment() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(NAMESPACE, "local")),
        "name": "local",
        "values": [
            {"key": "baseUrl", "value": "http://127.0.0.1:5000", "type": "default", "enabled": True}
        ],
        "_postman_variable_scope": "environment",
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    COLLECTION.write_text(render(collection()), encoding="utf-8")
    ENVIRONMENT.write_text(render(environment()), encoding="utf-8")
    print(f"wrote {COLLECTION.name} and {ENVIRONMENT.name}")


if __name__ == "__main__":
    main()
