"""The /api/v1 requests, in run order: later rows use the variables earlier rows set."""

from postman.rows import (
    Folder,
    Form,
    Request,
    error,
    expect,
    from_body,
    unauthorized,
)

PASSWORD = "correct horse battery"
ALICE = "v1alice{{runId}}"
BOB = "v1bob{{runId}}"
AS_ALICE = "{{v1_alice_token}}"
AS_BOB = "{{v1_bob_token}}"
POST = "/posts/{{v1_post_id}}"
TODO = "/todos/{{v1_todo_id}}"

USERS = [
    Request(
        "Register alice",
        "POST",
        "/users",
        201,
        body={"username": ALICE, "password": PASSWORD, "email": "V1ALICE{{runId}}@Example.com"},
        checks=[
            expect(
                "the new user, email lower-cased",
                "const body = pm.response.json();",
                f"pm.expect(body.username).to.eql(pm.variables.replaceIn('{ALICE}'));",
                f"pm.expect(body.email).to.eql(pm.variables.replaceIn('{ALICE}@example.com'));",
                "pm.expect(body).to.not.have.property('password');",
                "pm.expect(body).to.not.have.property('password_hash');",
            )
        ],
        sets={"v1_alice_id": from_body("id")},
    ),
    Request(
        "Register bob",
        "POST",
        "/users",
        201,
        body={"username": BOB, "password": PASSWORD, "email": f"{BOB}@example.com"},
        sets={"v1_bob_id": from_body("id")},
    ),
    Request(
        "Register a taken username (other case) - 400",
        "POST",
        "/users",
        400,
        body={"username": "V1ALICE{{runId}}", "password": PASSWORD},
        checks=[error("Username already exists")],
    ),
    Request(
        "Register without password - 400",
        "POST",
        "/users",
        400,
        body={"username": "nobody{{runId}}"},
        checks=[error("Missing username or password")],
    ),
    Request(
        "Register with a non-JSON body - 400",
        "POST",
        "/users",
        400,
        body=Form("username=x&password=y"),
        checks=[error("Request must be JSON")],
    ),
    Request(
        "List users",
        "GET",
        "/users",
        200,
        checks=[
            expect(
                "public profiles only",
                "const users = pm.response.json().users;",
                "const id = pm.collectionVariables.get('v1_alice_id');",
                "const alice = users.find(u => u.id === id);",
                "pm.expect(alice).to.be.an('object');",
                "pm.expect(alice).to.not.have.property('email');",
                "pm.expect(alice).to.not.have.property('is_admin');",
            )
        ],
    ),
    Request(
        "Get a user",
        "GET",
        "/users/{{v1_alice_id}}",
        200,
        checks=[
            expect(
                "alice, publicly",
                f"pm.expect(pm.response.json().username).to.eql(pm.variables.replaceIn('{ALICE}'));",
                "pm.expect(pm.response.json()).to.not.have.property('email');",
            )
        ],
    ),
    Request(
        "Get a missing user - 404",
        "GET",
        "/users/2147483647",
        404,
        checks=[error("User not found")],
    ),
]

AUTH = [
    Request(
        "Login alice (username)",
        "POST",
        "/login",
        200,
        body={"username": ALICE, "password": PASSWORD},
        checks=[
            expect(
                "token, access_token, refresh_token",
                "const body = pm.response.json();",
                "pm.expect(body.token).to.eql(body.access_token);",
                "pm.expect(body.token_type).to.eql('Bearer');",
                "pm.expect(body.refresh_token).to.be.a('string');",
                "pm.expect(pm.response.headers.get('Cache-Control')).to.include('no-store');",
            )
        ],
        sets={"v1_alice_token": from_body("token")},
    ),
    Request(
        "Login bob (email)",
        "POST",
        "/login",
        200,
        body={"email": f"{BOB}@example.com", "password": PASSWORD},
        sets={"v1_bob_token": from_body("token")},
    ),
    Request(
        "Login with a wrong password - 401",
        "POST",
        "/login",
        401,
        body={"username": ALICE, "password": "wrong password"},
        checks=[error("Invalid credentials")],
    ),
    Request(
        "Login an unknown user - 401",
        "POST",
        "/login",
        401,
        body={"username": "ghost{{runId}}", "password": PASSWORD},
        checks=[error("Invalid credentials")],
    ),
    Request(
        "Login without password - 400",
        "POST",
        "/login",
        400,
        body={"username": ALICE},
        checks=[error("Missing username or password")],
    ),
    Request(
        "Me without a token - 401",
        "GET",
        "/me",
        401,
        checks=[unauthorized("Missing token", "token_missing")],
    ),
    Request(
        "Me with a malformed token - 401",
        "GET",
        "/me",
        401,
        auth="not.a.jwt",
        checks=[unauthorized("Invalid token", "token_invalid")],
    ),
    Request(
        "Me",
        "GET",
        "/me",
        200,
        auth=AS_ALICE,
        checks=[
            expect(
                "own profile with email and is_admin",
                "const body = pm.response.json();",
                "pm.expect(body.id).to.eql(pm.collectionVariables.get('v1_alice_id'));",
                f"pm.expect(body.email).to.eql(pm.variables.replaceIn('{ALICE}@example.com'));",
                "pm.expect(body.is_admin).to.eql(false);",
            )
        ],
    ),
]

POSTS = [
    Request(
        "Create a post",
        "POST",
        "/posts",
        201,
        auth=AS_ALICE,
        body={"title": "Hello", "content": "First post", "user_id": 999999},
        checks=[
            expect(
                "owned by the caller",
                "const body = pm.response.json();",
                "pm.expect(body.title).to.eql('Hello');",
                "pm.expect(body.user_id).to.eql(pm.collectionVariables.get('v1_alice_id'));",
                "pm.expect(body.created_at).to.match(/(Z|[+]00:00)$/);",
            )
        ],
        sets={"v1_post_id": from_body("id")},
    ),
    Request(
        "Create a post without content - 400",
        "POST",
        "/posts",
        400,
        auth=AS_ALICE,
        body={"title": "No content"},
        checks=[error("Missing title or content")],
    ),
    Request(
        "Create a post without a token - 401",
        "POST",
        "/posts",
        401,
        body={"title": "T", "content": "C"},
        checks=[unauthorized("Missing token", "token_missing")],
    ),
    Request(
        "List one user's posts",
        "GET",
        "/posts?user_id={{v1_alice_id}}",
        200,
        checks=[
            expect(
                "alice's post only",
                "const posts = pm.response.json().posts;",
                "const id = pm.collectionVariables.get('v1_post_id');",
                "pm.expect(posts.map(p => p.id)).to.eql([id]);",
            )
        ],
    ),
    Request(
        "Get a post",
        "GET",
        POST,
        200,
        checks=[expect("the post", "pm.expect(pm.response.json().content).to.eql('First post');")],
    ),
    Request(
        "Edit another user's post - 403",
        "PUT",
        POST,
        403,
        auth=AS_BOB,
        body={"title": "Hijacked"},
        checks=[error("You can only edit your own posts")],
    ),
    Request(
        "Edit a post",
        "PUT",
        POST,
        200,
        auth=AS_ALICE,
        body={"title": "Hello again"},
        checks=[
            expect(
                "title changed, content kept",
                "pm.expect(pm.response.json().title).to.eql('Hello again');",
                "pm.expect(pm.response.json().content).to.eql('First post');",
            )
        ],
    ),
    Request(
        "Delete another user's post - 403",
        "DELETE",
        POST,
        403,
        auth=AS_BOB,
        checks=[error("You can only delete your own posts")],
    ),
]

TODOS = [
    Request(
        "Create a todo",
        "POST",
        "/todos",
        201,
        auth=AS_ALICE,
        body={"title": "Write tests"},
        checks=[
            expect(
                "not completed by default", "pm.expect(pm.response.json().completed).to.eql(false);"
            )
        ],
        sets={"v1_todo_id": from_body("id")},
    ),
    Request(
        "List todos",
        "GET",
        "/todos",
        200,
        auth=AS_ALICE,
        checks=[
            expect(
                "the caller's todos",
                "const ids = pm.response.json().todos.map(t => t.id);",
                "pm.expect(ids).to.include(pm.collectionVariables.get('v1_todo_id'));",
            )
        ],
    ),
    Request(
        "List todos of another user",
        "GET",
        "/todos",
        200,
        auth=AS_BOB,
        checks=[
            expect(
                "todos are private",
                "const ids = pm.response.json().todos.map(t => t.id);",
                "pm.expect(ids).to.not.include(pm.collectionVariables.get('v1_todo_id'));",
            )
        ],
    ),
    Request(
        "Get another user's todo - 404",
        "GET",
        TODO,
        404,
        auth=AS_BOB,
        checks=[error("Todo not found")],
    ),
    Request(
        "Get a todo",
        "GET",
        TODO,
        200,
        auth=AS_ALICE,
        checks=[expect("the todo", "pm.expect(pm.response.json().title).to.eql('Write tests');")],
    ),
    Request(
        "Complete a todo",
        "PUT",
        TODO,
        200,
        auth=AS_ALICE,
        body={"completed": True},
        checks=[expect("completed", "pm.expect(pm.response.json().completed).to.eql(true);")],
    ),
    Request(
        "Delete a todo",
        "DELETE",
        TODO,
        200,
        auth=AS_ALICE,
        checks=[expect("message", "pm.expect(pm.response.json().message).to.be.a('string');")],
    ),
    Request(
        "Get a deleted todo - 404",
        "GET",
        TODO,
        404,
        auth=AS_ALICE,
        checks=[error("Todo not found")],
    ),
    Request(
        "Delete a post",
        "DELETE",
        POST,
        200,
        auth=AS_ALICE,
        checks=[
            expect("message", "pm.expect(pm.response.json()).to.eql({message: 'Post deleted'});")
        ],
    ),
    Request(
        "Get a deleted post - 404",
        "GET",
        POST,
        404,
        checks=[error("Post not found")],
    ),
]

LOGOUT = [
    Request(
        "Logout",
        "POST",
        "/logout",
        200,
        auth=AS_ALICE,
        checks=[
            expect(
                "message",
                "pm.expect(pm.response.json()).to.eql({message: 'Successfully logged out'});",
            )
        ],
    ),
    Request(
        "Me with a revoked token - 401",
        "GET",
        "/me",
        401,
        auth=AS_ALICE,
        checks=[unauthorized("Token has been revoked", "token_revoked")],
    ),
    Request("Logout bob", "POST", "/logout", 200, auth=AS_BOB),
]

FOLDER = Folder(
    "v1",
    "The seeds' API.",
    [
        Folder("users", "Register, list, show.", USERS),
        Folder("auth", "Login, the current user, bad tokens.", AUTH),
        Folder("posts", "Public reading, owner-only writing.", POSTS),
        Folder("todos", "Private to their owner.", TODOS),
        Folder("logout", "Logout revokes the token.", LOGOUT),
    ],
    prefix="/api/v1",
)
