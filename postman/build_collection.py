"""Write blog-api.postman_collection.json and local.postman_environment.json.

The collection is kept as this script (readable, reviewable) and committed as the JSON it
writes; tests/test_postman.py fails when the two differ or when a route is not exercised.

    python postman/build_collection.py      # after changing a request below

Run order matters: requests are chained through collection variables. Each run registers
its own users (names carry a per-run id), so a run never depends on what is in the database.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLLECTION = HERE / "blog-api.postman_collection.json"
ENVIRONMENT = HERE / "local.postman_environment.json"
NAMESPACE = uuid.UUID("6f1c3f1e-7c55-4d0e-9a55-0b1f2b8e2a10")

PASSWORD = "correct horse battery"
NEW_PASSWORD = "correct horse battery staple"

# --- script snippets ----------------------------------------------------------------------


def status(code: int) -> list[str]:
    return [f'pm.test("status {code}", () => pm.response.to.have.status({code}));']


def error(code: int, message: str, machine: str | None = None) -> list[str]:
    lines = status(code) + [
        f'pm.test("error: {message}", () => {{',
        "  const body = pm.response.json();",
        "  pm.expect(body.error).to.be.a('string');",
        f"  pm.expect(body.message).to.eql({json.dumps(message)});",
    ]
    if machine:
        lines.append(f"  pm.expect(body.code).to.eql({json.dumps(machine)});")
    lines.append("});")
    return lines


def field_error(code: int, field: str) -> list[str]:
    return status(code) + [
        f'pm.test("validation error on {field}", () => {{',
        f"  pm.expect(pm.response.json().errors).to.have.property({json.dumps(field)});",
        "});",
    ]


def unauthorized(message: str, machine: str) -> list[str]:
    return error(401, message, machine) + [
        'pm.test("WWW-Authenticate: Bearer", () => {',
        "  pm.expect(pm.response.headers.get('WWW-Authenticate')).to.match(/^Bearer/);",
        "});",
    ]


def save(variable: str, expression: str) -> list[str]:
    return [f"pm.collectionVariables.set({json.dumps(variable)}, {expression});"]


def expect(title: str, *lines: str) -> list[str]:
    return [f"pm.test({json.dumps(title)}, () => {{", *[f"  {line}" for line in lines], "});"]


def location(path_part: str) -> list[str]:
    return expect(
        "Location points at the new resource",
        "const id = pm.response.json().id;",
        "const url = pm.response.headers.get('Location');",
        f"pm.expect(url).to.match(new RegExp('{path_part}' + id + '$'));",
    )


def no_body() -> list[str]:
    return status(204) + expect("no body", "pm.expect(pm.response.text()).to.eql('');")


def token_pair(prefix: str) -> list[str]:
    return (
        status(200)
        + expect(
            "a token pair, never cached",
            "const body = pm.response.json();",
            "pm.expect(body.token_type).to.eql('Bearer');",
            "pm.expect(body.access_token.split('.')).to.have.length(3);",
            "pm.expect(body.refresh_token.split('.')).to.have.length(3);",
            "pm.expect(body.expires_in).to.be.above(0);",
            "pm.expect(pm.response.headers.get('Cache-Control')).to.include('no-store');",
        )
        + save(f"{prefix}_access", "pm.response.json().access_token")
        + save(f"{prefix}_refresh", "pm.response.json().refresh_token")
    )


def page(count_check: str | None = None) -> list[str]:
    lines = status(200) + expect(
        "a page with a Link header",
        "const body = pm.response.json();",
        "pm.expect(body).to.have.keys('items', 'total', 'count', 'offset', 'limit');",
        "pm.expect(body.count).to.eql(body.items.length);",
        "pm.expect(pm.response.headers.get('Link')).to.include('rel=\"first\"');",
    )
    if count_check:
        lines += expect("the expected items", count_check)
    return lines


# --- requests -----------------------------------------------------------------------------


def request(
    name: str,
    method: str,
    path: str,
    tests: list[str],
    *,
    token: str | None = None,
    body: Any = None,
    raw: str | None = None,
    content_type: str | None = None,
) -> dict[str, Any]:
    headers = []
    if token is not None:
        headers.append({"key": "Authorization", "value": f"Bearer {token}"})
    item_request: dict[str, Any] = {
        "method": method,
        "header": headers,
        "url": "{{baseUrl}}" + path,
    }
    if body is not None or raw is not None:
        headers.append({"key": "Content-Type", "value": content_type or "application/json"})
        item_request["body"] = {
            "mode": "raw",
            "raw": raw if raw is not None else json.dumps(body, indent=2),
            "options": {"raw": {"language": "json" if raw is None else "text"}},
        }
    return {
        "name": name,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": tests}}],
        "request": item_request,
    }


def folder(name: str, description: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "description": description, "item": items}


def v1_items() -> list[dict[str, Any]]:
    v = "/api/v1"
    alice = "v1alice{{runId}}"
    bob = "v1bob{{runId}}"
    users = [
        request(
            "Register alice",
            "POST",
            f"{v}/users",
            status(201)
            + expect(
                "the new user, email lower-cased",
                "const body = pm.response.json();",
                f"pm.expect(body.username).to.eql(pm.variables.replaceIn('{alice}'));",
                f"pm.expect(body.email).to.eql(pm.variables.replaceIn('{alice}@example.com'));",
                "pm.expect(body).to.not.have.property('password');",
                "pm.expect(body).to.not.have.property('password_hash');",
            )
            + save("v1_alice_id", "pm.response.json().id"),
            body={"username": alice, "password": PASSWORD, "email": "V1ALICE{{runId}}@Example.com"},
        ),
        request(
            "Register bob",
            "POST",
            f"{v}/users",
            status(201) + save("v1_bob_id", "pm.response.json().id"),
            body={"username": bob, "password": PASSWORD, "email": f"{bob}@example.com"},
        ),
        request(
            "Register a taken username (other case) - 400",
            "POST",
            f"{v}/users",
            error(400, "Username already exists"),
            body={"username": "V1ALICE{{runId}}", "password": PASSWORD},
        ),
        request(
            "Register without password - 400",
            "POST",
            f"{v}/users",
            error(400, "Missing username or password"),
            body={"username": "nobody{{runId}}"},
        ),
        request(
            "Register with a non-JSON body - 400",
            "POST",
            f"{v}/users",
            error(400, "Request must be JSON"),
            raw="username=x&password=y",
            content_type="application/x-www-form-urlencoded",
        ),
        request(
            "List users",
            "GET",
            f"{v}/users",
            status(200)
            + expect(
                "public profiles only",
                "const users = pm.response.json().users;",
                "const id = pm.collectionVariables.get('v1_alice_id');",
                "const alice = users.find(u => u.id === id);",
                "pm.expect(alice).to.be.an('object');",
                "pm.expect(alice).to.not.have.property('email');",
                "pm.expect(alice).to.not.have.property('is_admin');",
            ),
        ),
        request(
            "Get a user",
            "GET",
            f"{v}/users/{{{{v1_alice_id}}}}",
            status(200)
            + expect(
                "alice, publicly",
                f"pm.expect(pm.response.json().username).to.eql(pm.variables.replaceIn('{alice}'));",
                "pm.expect(pm.response.json()).to.not.have.property('email');",
            ),
        ),
        request(
            "Get a missing user - 404", "GET", f"{v}/users/2147483647", error(404, "User not found")
        ),
    ]
    auth = [
        request(
            "Login alice (username)",
            "POST",
            f"{v}/login",
            status(200)
            + expect(
                "token, access_token, refresh_token",
                "const body = pm.response.json();",
                "pm.expect(body.token).to.eql(body.access_token);",
                "pm.expect(body.token_type).to.eql('Bearer');",
                "pm.expect(body.refresh_token).to.be.a('string');",
                "pm.expect(pm.response.headers.get('Cache-Control')).to.include('no-store');",
            )
            + save("v1_alice_token", "pm.response.json().token"),
            body={"username": alice, "password": PASSWORD},
        ),
        request(
            "Login bob (email)",
            "POST",
            f"{v}/login",
            status(200) + save("v1_bob_token", "pm.response.json().token"),
            body={"email": f"{bob}@example.com", "password": PASSWORD},
        ),
        request(
            "Login with a wrong password - 401",
            "POST",
            f"{v}/login",
            error(401, "Invalid credentials"),
            body={"username": alice, "password": "wrong password"},
        ),
        request(
            "Login an unknown user - 401",
            "POST",
            f"{v}/login",
            error(401, "Invalid credentials"),
            body={"username": "ghost{{runId}}", "password": PASSWORD},
        ),
        request(
            "Login without password - 400",
            "POST",
            f"{v}/login",
            error(400, "Missing username or password"),
            body={"username": alice},
        ),
        request(
            "Me without a token - 401",
            "GET",
            f"{v}/me",
            unauthorized("Missing token", "token_missing"),
        ),
        request(
            "Me with a malformed token - 401",
            "GET",
            f"{v}/me",
            unauthorized("Invalid token", "token_invalid"),
            token="not.a.jwt",
        ),
        request(
            "Me",
            "GET",
            f"{v}/me",
            status(200)
            + expect(
                "own profile with email and is_admin",
                "const body = pm.response.json();",
                "pm.expect(body.id).to.eql(pm.collectionVariables.get('v1_alice_id'));",
                f"pm.expect(body.email).to.eql(pm.variables.replaceIn('{alice}@example.com'));",
                "pm.expect(body.is_admin).to.eql(false);",
            ),
            token="{{v1_alice_token}}",
        ),
    ]
    posts = [
        request(
            "Create a post",
            "POST",
            f"{v}/posts",
            status(201)
            + expect(
                "owned by the caller",
                "const body = pm.response.json();",
                "pm.expect(body.title).to.eql('Hello');",
                "pm.expect(body.user_id).to.eql(pm.collectionVariables.get('v1_alice_id'));",
                "pm.expect(body.created_at).to.match(/(Z|[+]00:00)$/);",
            )
            + save("v1_post_id", "pm.response.json().id"),
            token="{{v1_alice_token}}",
            body={"title": "Hello", "content": "First post", "user_id": 999999},
        ),
        request(
            "Create a post without content - 400",
            "POST",
            f"{v}/posts",
            error(400, "Missing title or content"),
            token="{{v1_alice_token}}",
            body={"title": "No content"},
        ),
        request(
            "Create a post without a token - 401",
            "POST",
            f"{v}/posts",
            unauthorized("Missing token", "token_missing"),
            body={"title": "T", "content": "C"},
        ),
        request(
            "List one user's posts",
            "GET",
            f"{v}/posts?user_id={{{{v1_alice_id}}}}",
            status(200)
            + expect(
                "alice's post only",
                "const posts = pm.response.json().posts;",
                "const id = pm.collectionVariables.get('v1_post_id');",
                "pm.expect(posts.map(p => p.id)).to.eql([id]);",
            ),
        ),
        request(
            "Get a post",
            "GET",
            f"{v}/posts/{{{{v1_post_id}}}}",
            status(200)
            + expect(
                "the post",
                "pm.expect(pm.response.json().content).to.eql('First post');",
            ),
        ),
        request(
            "Edit another user's post - 403",
            "PUT",
            f"{v}/posts/{{{{v1_post_id}}}}",
            error(403, "You can only edit your own posts"),
            token="{{v1_bob_token}}",
            body={"title": "Hijacked"},
        ),
        request(
            "Edit a post",
            "PUT",
            f"{v}/posts/{{{{v1_post_id}}}}",
            status(200)
            + expect(
                "title changed, content kept",
                "pm.expect(pm.response.json().title).to.eql('Hello again');",
                "pm.expect(pm.response.json().content).to.eql('First post');",
            ),
            token="{{v1_alice_token}}",
            body={"title": "Hello again"},
        ),
        request(
            "Delete another user's post - 403",
            "DELETE",
            f"{v}/posts/{{{{v1_post_id}}}}",
            error(403, "You can only delete your own posts"),
            token="{{v1_bob_token}}",
        ),
    ]
    todos = [
        request(
            "Create a todo",
            "POST",
            f"{v}/todos",
            status(201)
            + expect(
                "not completed by default", "pm.expect(pm.response.json().completed).to.eql(false);"
            )
            + save("v1_todo_id", "pm.response.json().id"),
            token="{{v1_alice_token}}",
            body={"title": "Write tests"},
        ),
        request(
            "List todos",
            "GET",
            f"{v}/todos",
            status(200)
            + expect(
                "the caller's todos",
                "const ids = pm.response.json().todos.map(t => t.id);",
                "pm.expect(ids).to.include(pm.collectionVariables.get('v1_todo_id'));",
            ),
            token="{{v1_alice_token}}",
        ),
        request(
            "List todos of another user",
            "GET",
            f"{v}/todos",
            status(200)
            + expect(
                "todos are private",
                "const ids = pm.response.json().todos.map(t => t.id);",
                "pm.expect(ids).to.not.include(pm.collectionVariables.get('v1_todo_id'));",
            ),
            token="{{v1_bob_token}}",
        ),
        request(
            "Get another user's todo - 404",
            "GET",
            f"{v}/todos/{{{{v1_todo_id}}}}",
            error(404, "Todo not found"),
            token="{{v1_bob_token}}",
        ),
        request(
            "Get a todo",
            "GET",
            f"{v}/todos/{{{{v1_todo_id}}}}",
            status(200)
            + expect("the todo", "pm.expect(pm.response.json().title).to.eql('Write tests');"),
            token="{{v1_alice_token}}",
        ),
        request(
            "Complete a todo",
            "PUT",
            f"{v}/todos/{{{{v1_todo_id}}}}",
            status(200)
            + expect("completed", "pm.expect(pm.response.json().completed).to.eql(true);"),
            token="{{v1_alice_token}}",
            body={"completed": True},
        ),
        request(
            "Delete a todo",
            "DELETE",
            f"{v}/todos/{{{{v1_todo_id}}}}",
            status(200)
            + expect("message", "pm.expect(pm.response.json().message).to.be.a('string');"),
            token="{{v1_alice_token}}",
        ),
        request(
            "Get a deleted todo - 404",
            "GET",
            f"{v}/todos/{{{{v1_todo_id}}}}",
            error(404, "Todo not found"),
            token="{{v1_alice_token}}",
        ),
        request(
            "Delete a post",
            "DELETE",
            f"{v}/posts/{{{{v1_post_id}}}}",
            status(200)
            + expect("message", "pm.expect(pm.response.json()).to.eql({message: 'Post deleted'});"),
            token="{{v1_alice_token}}",
        ),
        request(
            "Get a deleted post - 404",
            "GET",
            f"{v}/posts/{{{{v1_post_id}}}}",
            error(404, "Post not found"),
        ),
    ]
    logout = [
        request(
            "Logout",
            "POST",
            f"{v}/logout",
            status(200)
            + expect(
                "message",
                "pm.expect(pm.response.json()).to.eql({message: 'Successfully logged out'});",
            ),
            token="{{v1_alice_token}}",
        ),
        request(
            "Me with a revoked token - 401",
            "GET",
            f"{v}/me",
            unauthorized("Token has been revoked", "token_revoked"),
            token="{{v1_alice_token}}",
        ),
        request("Logout bob", "POST", f"{v}/logout", status(200), token="{{v1_bob_token}}"),
    ]
    return [
        folder("users", "Register, list, show.", users),
        folder("auth", "Login, the current user, bad tokens.", auth),
        folder("posts", "Public reading, owner-only writing.", posts),
        folder("todos", "Private to their owner.", todos),
        folder("logout", "Logout revokes the token.", logout),
    ]


def v2_items() -> list[dict[str, Any]]:
    v = "/api/v2"
    alice = "v2alice{{runId}}"
    bob = "v2bob{{runId}}"
    users = [
        request(
            "Register alice",
            "POST",
            f"{v}/users",
            status(201) + location("/api/v2/users/") + save("v2_alice_id", "pm.response.json().id"),
            body={"username": alice, "password": PASSWORD, "email": f"{alice}@example.com"},
        ),
        request(
            "Register bob",
            "POST",
            f"{v}/users",
            status(201) + save("v2_bob_id", "pm.response.json().id"),
            body={"username": bob, "password": PASSWORD, "email": f"{bob}@example.com"},
        ),
        request(
            "Register a taken username (other case) - 409",
            "POST",
            f"{v}/users",
            error(409, "Username already exists", "username_taken"),
            body={"username": "V2ALICE{{runId}}", "password": PASSWORD},
        ),
        request(
            "Register a taken email - 409",
            "POST",
            f"{v}/users",
            error(409, "Email already exists", "email_taken"),
            body={
                "username": "carol{{runId}}",
                "password": PASSWORD,
                "email": "V2BOB{{runId}}@EXAMPLE.com",
            },
        ),
        request(
            "Register with a short password - 422",
            "POST",
            f"{v}/users",
            field_error(422, "password"),
            body={"username": "dave{{runId}}", "password": "short"},
        ),
        request(
            "Register as admin - 422",
            "POST",
            f"{v}/users",
            field_error(422, "is_admin"),
            body={"username": "mallory{{runId}}", "password": PASSWORD, "is_admin": True},
        ),
        request(
            "Register with a non-JSON body - 415",
            "POST",
            f"{v}/users",
            error(415, "Request body must be JSON (Content-Type: application/json)"),
            raw="username=x&password=y",
            content_type="application/x-www-form-urlencoded",
        ),
        request(
            "List users",
            "GET",
            f"{v}/users?limit=100",
            page(
                "pm.expect(pm.response.json().total).to.be.at.least(2);\n"
                "pm.response.json().items.forEach(u => pm.expect(u).to.not.have.property('email'));"
            ),
        ),
        request(
            "List users with a bad limit - 422",
            "GET",
            f"{v}/users?limit=101",
            field_error(422, "limit"),
        ),
        request(
            "Get a user",
            "GET",
            f"{v}/users/{{{{v2_alice_id}}}}",
            status(200)
            + expect(
                "public profile",
                "pm.expect(pm.response.json()).to.have.keys('id', 'username', 'created_at');",
            ),
        ),
        request("Get a missing user - 404", "GET", f"{v}/users/0", error(404, "User not found")),
    ]
    auth = [
        request(
            "Login alice",
            "POST",
            f"{v}/auth/login",
            token_pair("v2_alice"),
            body={"username": alice, "password": PASSWORD},
        ),
        request(
            "Refresh",
            "POST",
            f"{v}/auth/refresh",
            # Keep the spent refresh token to replay it in the next request.
            save("v2_spent_refresh", "pm.collectionVariables.get('v2_alice_refresh')")
            + token_pair("v2_alice"),
            body={"refresh_token": "{{v2_alice_refresh}}"},
        ),
        request(
            "Refresh with a used refresh token - 401",
            "POST",
            f"{v}/auth/refresh",
            unauthorized("Token has been revoked", "token_revoked"),
            body={"refresh_token": "{{v2_spent_refresh}}"},
        ),
        request(
            "A replayed refresh token logs the user out everywhere - 401",
            "GET",
            f"{v}/me",
            unauthorized("Invalid token", "token_invalid"),
            token="{{v2_alice_access}}",
        ),
        request(
            "Refresh with an access token - 401",
            "POST",
            f"{v}/auth/refresh",
            unauthorized("Invalid token", "token_invalid"),
            body={"refresh_token": "{{v2_alice_access}}"},
        ),
        request(
            "Login alice again",
            "POST",
            f"{v}/auth/login",
            token_pair("v2_alice"),
            body={"email": f"{alice}@example.com", "password": PASSWORD},
        ),
        request(
            "Login bob",
            "POST",
            f"{v}/auth/login",
            token_pair("v2_bob"),
            body={"username": bob, "password": PASSWORD},
        ),
        request(
            "Login with a wrong password - 401",
            "POST",
            f"{v}/auth/login",
            error(401, "Invalid credentials", "invalid_credentials"),
            body={"username": alice, "password": "wrong password"},
        ),
        request(
            "Login without password - 422",
            "POST",
            f"{v}/auth/login",
            field_error(422, "password"),
            body={"username": alice},
        ),
        request(
            "Me without a token - 401",
            "GET",
            f"{v}/me",
            unauthorized("Missing token", "token_missing"),
        ),
        request(
            "Me",
            "GET",
            f"{v}/me",
            status(200)
            + expect(
                "own account",
                "const body = pm.response.json();",
                "pm.expect(body.id).to.eql(pm.collectionVariables.get('v2_alice_id'));",
                "pm.expect(body.is_admin).to.eql(false);",
                "pm.expect(body).to.have.property('email');",
            ),
            token="{{v2_alice_access}}",
        ),
        request(
            "Rename myself",
            "PATCH",
            f"{v}/me",
            status(200)
            + expect(
                "renamed",
                f"pm.expect(pm.response.json().username).to.eql(pm.variables.replaceIn('{alice}-renamed'));",
            ),
            token="{{v2_alice_access}}",
            body={"username": f"{alice}-renamed"},
        ),
        request(
            "Change email without current password - 422",
            "PATCH",
            f"{v}/me",
            field_error(422, "current_password"),
            token="{{v2_alice_access}}",
            body={"email": "new{{runId}}@example.com"},
        ),
        request(
            "Take another user's name - 409",
            "PATCH",
            f"{v}/me",
            error(409, "Username already exists"),
            token="{{v2_alice_access}}",
            body={"username": bob},
        ),
    ]
    posts = [
        request(
            "Create a post",
            "POST",
            f"{v}/posts",
            status(201)
            + location("/api/v2/posts/")
            + expect(
                "author embedded, published by default",
                "const body = pm.response.json();",
                "pm.expect(body.author.id).to.eql(pm.collectionVariables.get('v2_alice_id'));",
                "pm.expect(body.published).to.eql(true);",
            )
            + save("v2_post_id", "pm.response.json().id"),
            token="{{v2_alice_access}}",
            body={"title": "Hello v2 {{runId}}", "content": "Searchable needle{{runId}}"},
        ),
        request(
            "Create a draft",
            "POST",
            f"{v}/posts",
            status(201)
            + expect("a draft", "pm.expect(pm.response.json().published).to.eql(false);")
            + save("v2_draft_id", "pm.response.json().id"),
            token="{{v2_alice_access}}",
            body={"title": "Draft", "content": "Not yet", "published": False},
        ),
        request(
            "Create a post with an unknown field - 422",
            "POST",
            f"{v}/posts",
            field_error(422, "user_id"),
            token="{{v2_alice_access}}",
            body={"title": "T", "content": "C", "user_id": 1},
        ),
        request(
            "Create a post without a token - 401",
            "POST",
            f"{v}/posts",
            unauthorized("Missing token", "token_missing"),
            body={"title": "T", "content": "C"},
        ),
        request(
            "Search posts",
            "GET",
            f"{v}/posts?q=needle{{{{runId}}}}&sort=-created_at&limit=5",
            page(
                "pm.expect(pm.response.json().items.map(p => p.id))"
                ".to.eql([pm.collectionVariables.get('v2_post_id')]);"
            ),
        ),
        request(
            "List posts with a bad sort - 422",
            "GET",
            f"{v}/posts?sort=password",
            field_error(422, "sort"),
        ),
        request("Get a post", "GET", f"{v}/posts/{{{{v2_post_id}}}}", status(200)),
        request(
            "Get someone else's draft - 404",
            "GET",
            f"{v}/posts/{{{{v2_draft_id}}}}",
            error(404, "Post not found"),
            token="{{v2_bob_access}}",
        ),
        request(
            "Get my own draft",
            "GET",
            f"{v}/posts/{{{{v2_draft_id}}}}",
            status(200),
            token="{{v2_alice_access}}",
        ),
        request(
            "A user's posts, as themself (drafts included)",
            "GET",
            f"{v}/users/{{{{v2_alice_id}}}}/posts",
            page("pm.expect(pm.response.json().total).to.eql(2);"),
            token="{{v2_alice_access}}",
        ),
        request(
            "A user's posts, as anyone (no drafts)",
            "GET",
            f"{v}/users/{{{{v2_alice_id}}}}/posts",
            page("pm.expect(pm.response.json().total).to.eql(1);"),
        ),
        request(
            "Replace a post",
            "PUT",
            f"{v}/posts/{{{{v2_post_id}}}}",
            status(200)
            + expect("replaced", "pm.expect(pm.response.json().title).to.eql('Replaced');"),
            token="{{v2_alice_access}}",
            body={"title": "Replaced", "content": "New content"},
        ),
        request(
            "Replace a post without content - 422",
            "PUT",
            f"{v}/posts/{{{{v2_post_id}}}}",
            field_error(422, "content"),
            token="{{v2_alice_access}}",
            body={"title": "Only a title"},
        ),
        request(
            "Patch another user's post - 403",
            "PATCH",
            f"{v}/posts/{{{{v2_post_id}}}}",
            error(403, "You can only edit your own posts"),
            token="{{v2_bob_access}}",
            body={"title": "Hijacked"},
        ),
        request(
            "Patch a post",
            "PATCH",
            f"{v}/posts/{{{{v2_post_id}}}}",
            status(200)
            + expect(
                "only the title changed",
                "pm.expect(pm.response.json().title).to.eql('Patched');",
                "pm.expect(pm.response.json().content).to.eql('New content');",
            ),
            token="{{v2_alice_access}}",
            body={"title": "Patched"},
        ),
        request(
            "Delete another user's post - 403",
            "DELETE",
            f"{v}/posts/{{{{v2_post_id}}}}",
            error(403, "You can only delete your own posts"),
            token="{{v2_bob_access}}",
        ),
        request(
            "Delete a post",
            "DELETE",
            f"{v}/posts/{{{{v2_post_id}}}}",
            no_body(),
            token="{{v2_alice_access}}",
        ),
        request(
            "Get a deleted post - 404",
            "GET",
            f"{v}/posts/{{{{v2_post_id}}}}",
            error(404, "Post not found"),
        ),
    ]
    todos = [
        request(
            "Create a todo",
            "POST",
            f"{v}/todos",
            status(201)
            + location("/api/v2/todos/")
            + expect(
                "due date kept", "pm.expect(pm.response.json().due_date).to.eql('2030-01-31');"
            )
            + save("v2_todo_id", "pm.response.json().id"),
            token="{{v2_alice_access}}",
            body={"title": "Ship v2", "description": "All of it", "due_date": "2030-01-31"},
        ),
        request(
            "Create a todo with a bad date - 422",
            "POST",
            f"{v}/todos",
            field_error(422, "due_date"),
            token="{{v2_alice_access}}",
            body={"title": "When?", "due_date": "tomorrow"},
        ),
        request(
            "List open todos",
            "GET",
            f"{v}/todos?completed=false&sort=due_date",
            page(
                "const id = pm.collectionVariables.get('v2_todo_id');\n"
                "pm.expect(pm.response.json().items.map(t => t.id)).to.include(id);"
            ),
            token="{{v2_alice_access}}",
        ),
        request(
            "List todos without a token - 401",
            "GET",
            f"{v}/todos",
            unauthorized("Missing token", "token_missing"),
        ),
        request(
            "Get a todo",
            "GET",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            status(200),
            token="{{v2_alice_access}}",
        ),
        request(
            "Get another user's todo - 404",
            "GET",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            error(404, "Todo not found"),
            token="{{v2_bob_access}}",
        ),
        request(
            "Replace a todo",
            "PUT",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            status(200)
            + expect(
                "omitted fields reset",
                "pm.expect(pm.response.json().title).to.eql('Ship v2.1');",
                "pm.expect(pm.response.json().due_date).to.eql(null);",
            ),
            token="{{v2_alice_access}}",
            body={"title": "Ship v2.1"},
        ),
        request(
            "Patch a todo",
            "PATCH",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            status(200)
            + expect("completed", "pm.expect(pm.response.json().completed).to.eql(true);"),
            token="{{v2_alice_access}}",
            body={"completed": True},
        ),
        request(
            "Patch a todo with a string boolean - 422",
            "PATCH",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            field_error(422, "completed"),
            token="{{v2_alice_access}}",
            body={"completed": "yes"},
        ),
        request(
            "Delete another user's todo - 404",
            "DELETE",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            error(404, "Todo not found"),
            token="{{v2_bob_access}}",
        ),
        request(
            "Delete a todo",
            "DELETE",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            no_body(),
            token="{{v2_alice_access}}",
        ),
        request(
            "Get a deleted todo - 404",
            "GET",
            f"{v}/todos/{{{{v2_todo_id}}}}",
            error(404, "Todo not found"),
            token="{{v2_alice_access}}",
        ),
    ]
    accounts = [
        request(
            "Delete a user as a non-admin - 403",
            "DELETE",
            f"{v}/users/{{{{v2_bob_id}}}}",
            error(403, "Admin privileges required"),
            token="{{v2_alice_access}}",
        ),
        request(
            "Logout (access and refresh token)",
            "POST",
            f"{v}/auth/logout",
            no_body(),
            token="{{v2_alice_access}}",
            body={"refresh_token": "{{v2_alice_refresh}}"},
        ),
        request(
            "Me with a revoked token - 401",
            "GET",
            f"{v}/me",
            unauthorized("Token has been revoked", "token_revoked"),
            token="{{v2_alice_access}}",
        ),
        request(
            "Refresh with a revoked refresh token - 401",
            "POST",
            f"{v}/auth/refresh",
            unauthorized("Token has been revoked", "token_revoked"),
            body={"refresh_token": "{{v2_alice_refresh}}"},
        ),
        request(
            "Login alice once more",
            "POST",
            f"{v}/auth/login",
            token_pair("v2_alice"),
            body={"username": f"{alice}-renamed", "password": PASSWORD},
        ),
        request(
            "Change password",
            "PATCH",
            f"{v}/me",
            status(200),
            token="{{v2_alice_access}}",
            body={"password": NEW_PASSWORD, "current_password": PASSWORD},
        ),
        request(
            "The token that changed the password is invalid - 401",
            "GET",
            f"{v}/me",
            unauthorized("Invalid token", "token_invalid"),
            token="{{v2_alice_access}}",
        ),
        request(
            "Login with the new password",
            "POST",
            f"{v}/auth/login",
            token_pair("v2_alice"),
            body={"username": f"{alice}-renamed", "password": NEW_PASSWORD},
        ),
        request(
            "Logout everywhere",
            "POST",
            f"{v}/auth/logout-all",
            no_body(),
            token="{{v2_bob_access}}",
        ),
        request(
            "Every older token is invalid - 401",
            "GET",
            f"{v}/me",
            unauthorized("Invalid token", "token_invalid"),
            token="{{v2_bob_access}}",
        ),
        request(
            "Delete my account with a wrong current password - 422",
            "DELETE",
            f"{v}/me",
            field_error(422, "current_password"),
            token="{{v2_alice_access}}",
            body={"current_password": "wrong password"},
        ),
        request(
            "Delete my account",
            "DELETE",
            f"{v}/me",
            no_body(),
            token="{{v2_alice_access}}",
            body={"current_password": NEW_PASSWORD},
        ),
        request(
            "A deleted user cannot log in - 401",
            "POST",
            f"{v}/auth/login",
            error(401, "Invalid credentials"),
            body={"username": f"{alice}-renamed", "password": NEW_PASSWORD},
        ),
        request(
            "A deleted user's token is invalid - 401",
            "GET",
            f"{v}/me",
            unauthorized("Invalid token", "token_invalid"),
            token="{{v2_alice_access}}",
        ),
    ]
    return [
        folder("users", "Register (201 + Location, 409, 415, 422), list with paging, show.", users),
        folder("auth", "Token pairs, refresh rotation and reuse detection, /me.", auth),
        folder("posts", "Drafts, search, PUT vs PATCH, owner-only writing.", posts),
        folder("todos", "Private, paged, filterable.", todos),
        folder("accounts", "Logout, logout-all, password change, account deletion.", accounts),
    ]


def around_items() -> list[dict[str, Any]]:
    def document(version: str) -> dict[str, Any]:
        return request(
            f"OpenAPI document {version}",
            "GET",
            f"/api/{version}/openapi.json",
            status(200)
            + expect(
                "an OpenAPI 3 document",
                "const doc = pm.response.json();",
                "pm.expect(doc.openapi).to.match(/^3\\./);",
                f"pm.expect(doc.servers[0].url).to.eql('/api/{version}');",
            ),
        )

    return [
        request(
            "Health",
            "GET",
            "/health",
            status(200)
            + expect("ok", "pm.expect(pm.response.json()).to.eql({status: 'ok', database: 'ok'});"),
        ),
        document("v1"),
        document("v2"),
        request(
            "Unknown route - 404 JSON",
            "GET",
            "/api/v2/nowhere",
            error(404, "The requested resource was not found"),
        ),
    ]


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
    "if (pm.response.code !== 204) {",
    '  pm.test("JSON answer", () => {',
    "    pm.expect(pm.response.headers.get('Content-Type')).to.include('application/json');",
    "  });",
    "}",
]


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
        "event": [
            {
                "listen": "prerequest",
                "script": {"type": "text/javascript", "exec": COLLECTION_PREREQUEST},
            },
            {"listen": "test", "script": {"type": "text/javascript", "exec": COLLECTION_TESTS}},
        ],
        "variable": [
            {"key": "runId", "value": ""},
            {"key": "loginTimes", "value": "[]"},
        ],
        "item": [
            folder("around the API", "Health, OpenAPI documents, JSON 404.", around_items()),
            folder("v1", "The seeds' API.", v1_items()),
            folder("v2", "The API for frontends.", v2_items()),
        ],
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
