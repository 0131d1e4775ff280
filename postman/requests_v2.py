"""The /api/v2 requests, in run order: later rows use the variables earlier rows set."""

from postman.rows import (
    Folder,
    Form,
    Request,
    error,
    expect,
    from_body,
    from_var,
    invalid,
    location,
    no_body,
    page,
    token_pair,
    tokens,
    unauthorized,
)

PASSWORD = "correct horse battery"
NEW_PASSWORD = "correct horse battery staple"
ALICE = "v2alice{{runId}}"
RENAMED = f"{ALICE}-renamed"
BOB = "v2bob{{runId}}"
AS_ALICE = "{{v2_alice_access}}"
AS_BOB = "{{v2_bob_access}}"
POST = "/posts/{{v2_post_id}}"
DRAFT = "/posts/{{v2_draft_id}}"
TODO = "/todos/{{v2_todo_id}}"
MISSING_TOKEN = unauthorized("Missing token", "token_missing")
INVALID_TOKEN = unauthorized("Invalid token", "token_invalid")
REVOKED_TOKEN = unauthorized("Token has been revoked", "token_revoked")

USERS = [
    Request(
        "Register alice",
        "POST",
        "/users",
        201,
        body={"username": ALICE, "password": PASSWORD, "email": f"{ALICE}@example.com"},
        checks=[location("/api/v2/users/")],
        sets={"v2_alice_id": from_body("id")},
    ),
    Request(
        "Register bob",
        "POST",
        "/users",
        201,
        body={"username": BOB, "password": PASSWORD, "email": f"{BOB}@example.com"},
        sets={"v2_bob_id": from_body("id")},
    ),
    Request(
        "Register a taken username (other case) - 409",
        "POST",
        "/users",
        409,
        body={"username": "V2ALICE{{runId}}", "password": PASSWORD},
        checks=[error("Username already exists", "username_taken")],
    ),
    Request(
        "Register a taken email - 409",
        "POST",
        "/users",
        409,
        body={
            "username": "carol{{runId}}",
            "password": PASSWORD,
            "email": "V2BOB{{runId}}@EXAMPLE.com",
        },
        checks=[error("Email already exists", "email_taken")],
    ),
    Request(
        "Register with a short password - 422",
        "POST",
        "/users",
        422,
        body={"username": "dave{{runId}}", "password": "short"},
        checks=[invalid("password")],
    ),
    Request(
        "Register as admin - 422",
        "POST",
        "/users",
        422,
        body={"username": "mallory{{runId}}", "password": PASSWORD, "is_admin": True},
        checks=[invalid("is_admin")],
    ),
    Request(
        "Register with a non-JSON body - 415",
        "POST",
        "/users",
        415,
        body=Form("username=x&password=y"),
        checks=[error("Request body must be JSON (Content-Type: application/json)")],
    ),
    Request(
        "List users",
        "GET",
        "/users?limit=100",
        200,
        checks=[
            page(
                "pm.expect(pm.response.json().total).to.be.at.least(2);",
                "pm.response.json().items.forEach(u =>"
                " pm.expect(u).to.not.have.property('email'));",
            )
        ],
    ),
    Request(
        "List users with a bad limit - 422",
        "GET",
        "/users?limit=101",
        422,
        checks=[invalid("limit")],
    ),
    Request(
        "Get a user",
        "GET",
        "/users/{{v2_alice_id}}",
        200,
        checks=[
            expect(
                "public profile",
                "pm.expect(pm.response.json()).to.have.keys('id', 'username', 'created_at',"
                " 'bio', 'image', 'followers_count', 'following_count', 'following');",
            )
        ],
    ),
    Request("Get a missing user - 404", "GET", "/users/0", 404, checks=[error("User not found")]),
]

AUTH = [
    Request(
        "Login alice",
        "POST",
        "/auth/login",
        200,
        body={"username": ALICE, "password": PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_alice"),
    ),
    Request(
        "Refresh",
        "POST",
        "/auth/refresh",
        200,
        body={"refresh_token": "{{v2_alice_refresh}}"},
        checks=[token_pair()],
        # Keep the spent refresh token (before it is replaced) to replay it next.
        sets={"v2_spent_refresh": from_var("v2_alice_refresh"), **tokens("v2_alice")},
    ),
    Request(
        "Refresh with the same token within the grace (a second tab) - the same pair",
        "POST",
        "/auth/refresh",
        200,
        body={"refresh_token": "{{v2_spent_refresh}}"},
        checks=[
            token_pair(),
            expect(
                "the refresh token the first refresh answered",
                "pm.expect(pm.response.json().refresh_token)"
                ".to.eql(pm.collectionVariables.get('v2_alice_refresh'));",
            ),
        ],
    ),
    Request(
        "Refresh once more",
        "POST",
        "/auth/refresh",
        200,
        body={"refresh_token": "{{v2_alice_refresh}}"},
        checks=[token_pair()],
        sets=tokens("v2_alice"),
    ),
    Request(
        "Refresh with a token two rotations old - 401 (theft)",
        "POST",
        "/auth/refresh",
        401,
        body={"refresh_token": "{{v2_spent_refresh}}"},
        checks=[REVOKED_TOKEN],
    ),
    Request(
        "A replayed refresh token logs the user out everywhere - 401",
        "GET",
        "/me",
        401,
        auth=AS_ALICE,
        checks=[INVALID_TOKEN],
    ),
    Request(
        "Refresh with an access token - 401",
        "POST",
        "/auth/refresh",
        401,
        body={"refresh_token": "{{v2_alice_access}}"},
        checks=[INVALID_TOKEN],
    ),
    Request(
        "Login alice again",
        "POST",
        "/auth/login",
        200,
        body={"email": f"{ALICE}@example.com", "password": PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_alice"),
    ),
    Request(
        "Login bob",
        "POST",
        "/auth/login",
        200,
        body={"username": BOB, "password": PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_bob"),
    ),
    Request(
        "Login with a wrong password - 401",
        "POST",
        "/auth/login",
        401,
        body={"username": ALICE, "password": "wrong password"},
        checks=[error("Invalid credentials", "invalid_credentials")],
    ),
    Request(
        "Login without password - 422",
        "POST",
        "/auth/login",
        422,
        body={"username": ALICE},
        checks=[invalid("password")],
    ),
    Request("Me without a token - 401", "GET", "/me", 401, checks=[MISSING_TOKEN]),
    Request(
        "Me",
        "GET",
        "/me",
        200,
        auth=AS_ALICE,
        checks=[
            expect(
                "own account",
                "const body = pm.response.json();",
                "pm.expect(body.id).to.eql(pm.collectionVariables.get('v2_alice_id'));",
                "pm.expect(body.is_admin).to.eql(false);",
                "pm.expect(body).to.have.property('email');",
            )
        ],
    ),
    Request(
        "Rename myself",
        "PATCH",
        "/me",
        200,
        auth=AS_ALICE,
        body={"username": RENAMED},
        checks=[
            expect(
                "renamed",
                f"pm.expect(pm.response.json().username).to.eql(pm.variables.replaceIn('{RENAMED}'));",
            )
        ],
    ),
    Request(
        "Change email without current password - 422",
        "PATCH",
        "/me",
        422,
        auth=AS_ALICE,
        body={"email": "new{{runId}}@example.com"},
        checks=[invalid("current_password")],
    ),
    Request(
        "Take another user's name - 409",
        "PATCH",
        "/me",
        409,
        auth=AS_ALICE,
        body={"username": BOB},
        checks=[error("Username already exists")],
    ),
]

POSTS = [
    Request(
        "Create a post",
        "POST",
        "/posts",
        201,
        auth=AS_ALICE,
        body={"title": "Hello v2 {{runId}}", "content": "Searchable needle{{runId}}"},
        checks=[
            location("/api/v2/posts/"),
            expect(
                "author embedded, published by default",
                "const body = pm.response.json();",
                "pm.expect(body.author.id).to.eql(pm.collectionVariables.get('v2_alice_id'));",
                "pm.expect(body.published).to.eql(true);",
            ),
        ],
        sets={"v2_post_id": from_body("id")},
    ),
    Request(
        "Create a draft",
        "POST",
        "/posts",
        201,
        auth=AS_ALICE,
        body={"title": "Draft", "content": "Not yet", "published": False},
        checks=[expect("a draft", "pm.expect(pm.response.json().published).to.eql(false);")],
        sets={"v2_draft_id": from_body("id")},
    ),
    Request(
        "Create a post with an unknown field - 422",
        "POST",
        "/posts",
        422,
        auth=AS_ALICE,
        body={"title": "T", "content": "C", "user_id": 1},
        checks=[invalid("user_id")],
    ),
    Request(
        "Create a post without a token - 401",
        "POST",
        "/posts",
        401,
        body={"title": "T", "content": "C"},
        checks=[MISSING_TOKEN],
    ),
    Request(
        "Search posts",
        "GET",
        "/posts?q=needle{{runId}}&sort=-created_at&limit=5",
        200,
        checks=[
            page(
                "pm.expect(pm.response.json().items.map(p => p.id))"
                ".to.eql([pm.collectionVariables.get('v2_post_id')]);"
            )
        ],
    ),
    Request(
        "List posts with a bad sort - 422",
        "GET",
        "/posts?sort=password",
        422,
        checks=[invalid("sort")],
    ),
    Request("Get a post", "GET", POST, 200),
    Request(
        "Get someone else's draft - 404",
        "GET",
        DRAFT,
        404,
        auth=AS_BOB,
        checks=[error("Post not found")],
    ),
    Request("Get my own draft", "GET", DRAFT, 200, auth=AS_ALICE),
    Request(
        "A user's posts, as themself (drafts included)",
        "GET",
        "/users/{{v2_alice_id}}/posts",
        200,
        auth=AS_ALICE,
        checks=[page("pm.expect(pm.response.json().total).to.eql(2);")],
    ),
    Request(
        "A user's posts, as anyone (no drafts)",
        "GET",
        "/users/{{v2_alice_id}}/posts",
        200,
        checks=[page("pm.expect(pm.response.json().total).to.eql(1);")],
    ),
    Request(
        "Replace a post",
        "PUT",
        POST,
        200,
        auth=AS_ALICE,
        body={"title": "Replaced", "content": "New content"},
        checks=[expect("replaced", "pm.expect(pm.response.json().title).to.eql('Replaced');")],
    ),
    Request(
        "Replace a post without content - 422",
        "PUT",
        POST,
        422,
        auth=AS_ALICE,
        body={"title": "Only a title"},
        checks=[invalid("content")],
    ),
    Request(
        "Patch another user's post - 403",
        "PATCH",
        POST,
        403,
        auth=AS_BOB,
        body={"title": "Hijacked"},
        checks=[error("You can only edit your own posts")],
    ),
    Request(
        "Patch a post",
        "PATCH",
        POST,
        200,
        auth=AS_ALICE,
        body={"title": "Patched"},
        checks=[
            expect(
                "only the title changed",
                "pm.expect(pm.response.json().title).to.eql('Patched');",
                "pm.expect(pm.response.json().content).to.eql('New content');",
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
    Request("Delete a post", "DELETE", POST, 204, auth=AS_ALICE, checks=[no_body()]),
    Request("Get a deleted post - 404", "GET", POST, 404, checks=[error("Post not found")]),
]

BLOG = "/posts/{{v2_blog_id}}"
COMMENT = "/comments/{{v2_comment_id}}"

BLOG_POSTS = [
    Request(
        "Create a tagged Markdown post",
        "POST",
        "/posts",
        201,
        auth=AS_ALICE,
        body={
            "title": "Café blog {{runId}}",
            "summary": "A post with tags",
            "content": "# Hello\n\n<script>alert(1)</script>*world*",
            "tags": [" Postman", "api", "postman"],
        },
        checks=[
            location("/api/v2/posts/"),
            expect(
                "slug from the title, tags normalized, HTML sanitized, counts at zero",
                "const body = pm.response.json();",
                "pm.expect(body.slug).to.eql('cafe-blog-' + pm.collectionVariables.get('runId'));",
                "pm.expect(body.tags).to.eql(['api', 'postman']);",
                "pm.expect(body.content_html).to.include('<h1>Hello</h1>');",
                "pm.expect(body.content_html).to.not.include('<script');",
                "pm.expect([body.likes_count, body.comments_count, body.liked])"
                ".to.eql([0, 0, false]);",
            ),
        ],
        sets={"v2_blog_id": from_body("id"), "v2_blog_slug": from_body("slug")},
    ),
    Request(
        "Create another post",
        "POST",
        "/posts",
        201,
        auth=AS_ALICE,
        body={"title": "Other {{runId}}", "content": "text"},
        sets={"v2_other_id": from_body("id")},
    ),
    Request(
        "Create a post with bad tags - 422",
        "POST",
        "/posts",
        422,
        auth=AS_ALICE,
        body={"title": "T", "content": "C", "tags": ["no spaces allowed"]},
        checks=[invalid("tags")],
    ),
    Request(
        "Get a post by slug",
        "GET",
        "/posts/by-slug/{{v2_blog_slug}}",
        200,
        checks=[
            expect(
                "the post",
                "pm.expect(pm.response.json().id)"
                ".to.eql(pm.collectionVariables.get('v2_blog_id'));",
            )
        ],
    ),
    Request(
        "Change a post's slug",
        "PATCH",
        BLOG,
        200,
        auth=AS_ALICE,
        body={"slug": "moved-{{runId}}"},
        checks=[
            expect(
                "new slug",
                "pm.expect(pm.response.json().slug).to.eql("
                "'moved-' + pm.collectionVariables.get('runId'));",
            )
        ],
    ),
    Request(
        "An old slug redirects - 301",
        "GET",
        "/posts/by-slug/{{v2_blog_slug}}",
        301,
        checks=[
            expect(
                "Location is the current slug's URL",
                "pm.expect(pm.response.headers.get('Location')).to.match("
                "new RegExp('/api/v2/posts/by-slug/moved-' + "
                "pm.collectionVariables.get('runId') + '$'));",
            )
        ],
    ),
    Request(
        "Take a slug another post had - 409",
        "PATCH",
        "/posts/{{v2_other_id}}",
        409,
        auth=AS_ALICE,
        body={"slug": "{{v2_blog_slug}}"},
        checks=[error("Slug already taken", "slug_taken")],
    ),
    Request(
        "Set an invalid slug - 422",
        "PATCH",
        BLOG,
        422,
        auth=AS_ALICE,
        body={"slug": "Not A Slug"},
        checks=[invalid("slug")],
    ),
    Request(
        "Get an unknown slug - 404",
        "GET",
        "/posts/by-slug/no-such-post-{{runId}}",
        404,
        checks=[error("Post not found")],
    ),
    Request(
        "List posts by tag",
        "GET",
        "/posts?tag=Postman&limit=100",
        200,
        checks=[
            page(
                "const ids = pm.response.json().items.map(p => p.id);",
                "pm.expect(ids).to.include(pm.collectionVariables.get('v2_blog_id'));",
                "pm.expect(ids).to.not.include(pm.collectionVariables.get('v2_other_id'));",
            )
        ],
    ),
    Request(
        "List posts by an invalid tag - 422",
        "GET",
        "/posts?tag=a%20b",
        422,
        checks=[invalid("tag")],
    ),
    Request(
        "Like a post",
        "PUT",
        f"{BLOG}/like",
        200,
        auth=AS_BOB,
        checks=[
            expect(
                "liked, counted",
                "pm.expect(pm.response.json().liked).to.eql(true);",
                "pm.expect(pm.response.json().likes_count).to.eql(1);",
            )
        ],
    ),
    Request(
        "Like it again (idempotent)",
        "PUT",
        f"{BLOG}/like",
        200,
        auth=AS_BOB,
        checks=[expect("counted once", "pm.expect(pm.response.json().likes_count).to.eql(1);")],
    ),
    Request(
        "Like without a token - 401",
        "PUT",
        f"{BLOG}/like",
        401,
        checks=[MISSING_TOKEN],
    ),
    Request(
        "Like someone else's draft - 404",
        "PUT",
        f"{DRAFT}/like",
        404,
        auth=AS_BOB,
        checks=[error("Post not found")],
    ),
    Request(
        "Posts a user likes",
        "GET",
        "/posts?liked_by={{v2_bob_id}}",
        200,
        checks=[
            page(
                "pm.expect(pm.response.json().items.map(p => p.id))"
                ".to.eql([pm.collectionVariables.get('v2_blog_id')]);"
            )
        ],
    ),
    Request(
        "Posts liked by a bad user id - 422",
        "GET",
        "/posts?liked_by=0",
        422,
        checks=[invalid("liked_by")],
    ),
    Request(
        "Unlike a post",
        "DELETE",
        f"{BLOG}/like",
        200,
        auth=AS_BOB,
        checks=[
            expect(
                "not liked any more",
                "pm.expect(pm.response.json().liked).to.eql(false);",
                "pm.expect(pm.response.json().likes_count).to.eql(0);",
            )
        ],
    ),
    Request(
        "Unlike an unknown post - 404",
        "DELETE",
        "/posts/2147483648/like",
        404,
        auth=AS_BOB,
        checks=[error("Post not found")],
    ),
    Request(
        "Comment on a post",
        "POST",
        f"{BLOG}/comments",
        201,
        auth=AS_BOB,
        body={"content": "Nice **post**"},
        checks=[
            location("/api/v2/comments/"),
            expect(
                "Markdown rendered",
                "pm.expect(pm.response.json().content_html)"
                ".to.eql('<p>Nice <strong>post</strong></p>\\n');",
            ),
        ],
        sets={"v2_comment_id": from_body("id")},
    ),
    Request(
        "Comment as the post's author",
        "POST",
        f"{BLOG}/comments",
        201,
        auth=AS_ALICE,
        body={"content": "Thanks"},
        sets={"v2_own_comment_id": from_body("id")},
    ),
    Request(
        "Comment with no content - 422",
        "POST",
        f"{BLOG}/comments",
        422,
        auth=AS_BOB,
        body={"content": ""},
        checks=[invalid("content")],
    ),
    Request(
        "Comment without a token - 401",
        "POST",
        f"{BLOG}/comments",
        401,
        body={"content": "x"},
        checks=[MISSING_TOKEN],
    ),
    Request(
        "Comment on someone else's draft - 404",
        "POST",
        f"{DRAFT}/comments",
        404,
        auth=AS_BOB,
        body={"content": "x"},
        checks=[error("Post not found")],
    ),
    Request(
        "List a post's comments",
        "GET",
        f"{BLOG}/comments",
        200,
        checks=[
            page(
                "pm.expect(pm.response.json().items.map(c => c.id)).to.eql(["
                "pm.collectionVariables.get('v2_comment_id'), "
                "pm.collectionVariables.get('v2_own_comment_id')]);"
            )
        ],
    ),
    Request(
        "List comments with a bad sort - 422",
        "GET",
        f"{BLOG}/comments?sort=title",
        422,
        checks=[invalid("sort")],
    ),
    Request(
        "A post's comments count",
        "GET",
        BLOG,
        200,
        checks=[expect("two comments", "pm.expect(pm.response.json().comments_count).to.eql(2);")],
    ),
    Request("Get a comment", "GET", COMMENT, 200),
    Request(
        "Get an unknown comment - 404",
        "GET",
        "/comments/2147483648",
        404,
        checks=[error("Comment not found")],
    ),
    Request(
        "Edit my comment",
        "PATCH",
        COMMENT,
        200,
        auth=AS_BOB,
        body={"content": "Edited"},
        checks=[expect("edited", "pm.expect(pm.response.json().content).to.eql('Edited');")],
    ),
    Request(
        "Edit someone else's comment - 403",
        "PATCH",
        COMMENT,
        403,
        auth=AS_ALICE,
        body={"content": "Hijacked"},
        checks=[error("You can only edit your own comments")],
    ),
    Request(
        "Edit a comment with an unknown field - 422",
        "PATCH",
        COMMENT,
        422,
        auth=AS_BOB,
        body={"content": "x", "post_id": 1},
        checks=[invalid("post_id")],
    ),
    Request(
        "Delete someone else's comment - 403",
        "DELETE",
        "/comments/{{v2_own_comment_id}}",
        403,
        auth=AS_BOB,
        checks=[error("You can only delete your own comments or comments on your posts")],
    ),
    Request(
        "Delete a comment on my post",
        "DELETE",
        COMMENT,
        204,
        auth=AS_ALICE,
        checks=[no_body()],
    ),
    Request(
        "Get a deleted comment - 404",
        "GET",
        COMMENT,
        404,
        checks=[error("Comment not found")],
    ),
    Request(
        "Preview Markdown",
        "POST",
        "/markdown",
        200,
        auth=AS_ALICE,
        body={"content": "[x](javascript:alert(1)) *hi*"},
        checks=[
            expect(
                "rendered, no javascript: link",
                "const html = pm.response.json().content_html;",
                "pm.expect(html).to.include('<em>hi</em>');",
                "pm.expect(html).to.not.include('href');",
            )
        ],
    ),
    Request(
        "Preview Markdown without a token - 401",
        "POST",
        "/markdown",
        401,
        body={"content": "x"},
        checks=[MISSING_TOKEN],
    ),
    Request(
        "Preview without content - 422",
        "POST",
        "/markdown",
        422,
        auth=AS_ALICE,
        body={},
        checks=[invalid("content")],
    ),
    Request("Delete the blog post", "DELETE", BLOG, 204, auth=AS_ALICE, checks=[no_body()]),
    Request(
        "Its slugs are gone with it - 404",
        "GET",
        "/posts/by-slug/moved-{{runId}}",
        404,
        checks=[error("Post not found")],
    ),
    Request(
        "Its comments are gone with it - 404",
        "GET",
        "/comments/{{v2_own_comment_id}}",
        404,
        checks=[error("Comment not found")],
    ),
]

TODOS = [
    Request(
        "Create a todo",
        "POST",
        "/todos",
        201,
        auth=AS_ALICE,
        body={"title": "Ship v2", "description": "All of it", "due_date": "2030-01-31"},
        checks=[
            location("/api/v2/todos/"),
            expect("due date kept", "pm.expect(pm.response.json().due_date).to.eql('2030-01-31');"),
        ],
        sets={"v2_todo_id": from_body("id")},
    ),
    Request(
        "Create a todo with a bad date - 422",
        "POST",
        "/todos",
        422,
        auth=AS_ALICE,
        body={"title": "When?", "due_date": "tomorrow"},
        checks=[invalid("due_date")],
    ),
    Request(
        "List open todos",
        "GET",
        "/todos?completed=false&sort=due_date",
        200,
        auth=AS_ALICE,
        checks=[
            page(
                "const id = pm.collectionVariables.get('v2_todo_id');",
                "pm.expect(pm.response.json().items.map(t => t.id)).to.include(id);",
            )
        ],
    ),
    Request("List todos without a token - 401", "GET", "/todos", 401, checks=[MISSING_TOKEN]),
    Request("Get a todo", "GET", TODO, 200, auth=AS_ALICE),
    Request(
        "Get another user's todo - 404",
        "GET",
        TODO,
        404,
        auth=AS_BOB,
        checks=[error("Todo not found")],
    ),
    Request(
        "Replace a todo",
        "PUT",
        TODO,
        200,
        auth=AS_ALICE,
        body={"title": "Ship v2.1"},
        checks=[
            expect(
                "omitted fields reset",
                "pm.expect(pm.response.json().title).to.eql('Ship v2.1');",
                "pm.expect(pm.response.json().due_date).to.eql(null);",
            )
        ],
    ),
    Request(
        "Patch a todo",
        "PATCH",
        TODO,
        200,
        auth=AS_ALICE,
        body={"completed": True},
        checks=[expect("completed", "pm.expect(pm.response.json().completed).to.eql(true);")],
    ),
    Request(
        "Patch a todo with a string boolean - 422",
        "PATCH",
        TODO,
        422,
        auth=AS_ALICE,
        body={"completed": "yes"},
        checks=[invalid("completed")],
    ),
    Request(
        "Delete another user's todo - 404",
        "DELETE",
        TODO,
        404,
        auth=AS_BOB,
        checks=[error("Todo not found")],
    ),
    Request("Delete a todo", "DELETE", TODO, 204, auth=AS_ALICE, checks=[no_body()]),
    Request(
        "Get a deleted todo - 404",
        "GET",
        TODO,
        404,
        auth=AS_ALICE,
        checks=[error("Todo not found")],
    ),
]

SESSIONS = [
    Request(
        "Login alice on a second device",
        "POST",
        "/auth/login",
        200,
        body={"username": RENAMED, "password": PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_alice2"),
    ),
    Request(
        "List my sessions (from the second device)",
        "GET",
        "/me/sessions",
        200,
        auth="{{v2_alice2_access}}",
        checks=[
            page(
                "const items = pm.response.json().items;",
                "pm.expect(items.length).to.be.at.least(2);",
                "pm.expect(items.filter((s) => s.current)).to.have.length(1);",
                "pm.expect(items[0]).to.have.keys("
                "'id', 'created_at', 'last_used_at', 'user_agent', 'current');",
            )
        ],
        sets={"v2_alice2_sid": "pm.response.json().items.find((s) => s.current).id"},
    ),
    Request(
        "Sign out the second device from the first",
        "DELETE",
        "/me/sessions/{{v2_alice2_sid}}",
        204,
        auth=AS_ALICE,
        checks=[no_body()],
    ),
    Request(
        "The signed-out device's token - 401",
        "GET",
        "/me",
        401,
        auth="{{v2_alice2_access}}",
        checks=[REVOKED_TOKEN],
    ),
    Request(
        "The signed-out device's refresh token - 401",
        "POST",
        "/auth/refresh",
        401,
        body={"refresh_token": "{{v2_alice2_refresh}}"},
        checks=[REVOKED_TOKEN],
    ),
    Request(
        "The first device lives on",
        "GET",
        "/me",
        200,
        auth=AS_ALICE,
        checks=[
            expect(
                "e-mail not verified yet",
                "pm.expect(pm.response.json().email_verified).to.eql(false);",
            )
        ],
    ),
    Request(
        "Sign out a session that is not mine - 404",
        "DELETE",
        "/me/sessions/2147483647",
        404,
        auth=AS_ALICE,
        checks=[error("Session not found", "not_found")],
    ),
    Request(
        "List sessions without a token - 401", "GET", "/me/sessions", 401, checks=[MISSING_TOKEN]
    ),
]

RESET_MESSAGE = (
    "If an account has this address, a mail with a link to reset its password is on its way."
)

MAIL = [
    Request(
        "Ask for a password reset - 202",
        "POST",
        "/auth/password-reset",
        202,
        body={"email": f"{ALICE}@example.com"},
        checks=[
            expect(
                "the one answer",
                f"pm.expect(pm.response.json().message).to.eql({RESET_MESSAGE!r});",
            )
        ],
    ),
    Request(
        "Ask for a reset of an unknown address - 202, the same answer",
        "POST",
        "/auth/password-reset",
        202,
        body={"email": "nobody{{runId}}@example.com"},
        checks=[
            expect(
                "the one answer",
                f"pm.expect(pm.response.json().message).to.eql({RESET_MESSAGE!r});",
            )
        ],
    ),
    Request(
        "Ask for a reset without an address - 422",
        "POST",
        "/auth/password-reset",
        422,
        body={},
        checks=[invalid("email")],
    ),
    Request(
        "Reset with an unknown token - 400",
        "POST",
        "/auth/password-reset/confirm",
        400,
        body={"token": "not-a-real-token", "password": NEW_PASSWORD},
        checks=[error("Invalid or expired token", "token_invalid")],
    ),
    Request(
        "Reset with a short password - 422",
        "POST",
        "/auth/password-reset/confirm",
        422,
        body={"token": "not-a-real-token", "password": "short"},
        checks=[invalid("password")],
    ),
    Request(
        "Verify an e-mail with an unknown token - 400",
        "POST",
        "/auth/verify-email",
        400,
        body={"token": "not-a-real-token"},
        checks=[error("Invalid or expired token", "token_invalid")],
    ),
    Request(
        "Verify an e-mail without a token - 422",
        "POST",
        "/auth/verify-email",
        422,
        body={},
        checks=[invalid("token")],
    ),
]

ACCOUNTS = [
    Request(
        "Delete a user as a non-admin - 403",
        "DELETE",
        "/users/{{v2_bob_id}}",
        403,
        auth=AS_ALICE,
        checks=[error("Admin privileges required")],
    ),
    Request(
        "Logout (access and refresh token)",
        "POST",
        "/auth/logout",
        204,
        auth=AS_ALICE,
        body={"refresh_token": "{{v2_alice_refresh}}"},
        checks=[no_body()],
    ),
    Request(
        "Me with a revoked token - 401", "GET", "/me", 401, auth=AS_ALICE, checks=[REVOKED_TOKEN]
    ),
    Request(
        "Refresh with a revoked refresh token - 401",
        "POST",
        "/auth/refresh",
        401,
        body={"refresh_token": "{{v2_alice_refresh}}"},
        checks=[REVOKED_TOKEN],
    ),
    Request(
        "Login alice once more",
        "POST",
        "/auth/login",
        200,
        body={"username": RENAMED, "password": PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_alice"),
    ),
    Request(
        "Change password",
        "PATCH",
        "/me",
        200,
        auth=AS_ALICE,
        body={"password": NEW_PASSWORD, "current_password": PASSWORD},
    ),
    Request(
        "The token that changed the password is invalid - 401",
        "GET",
        "/me",
        401,
        auth=AS_ALICE,
        checks=[INVALID_TOKEN],
    ),
    Request(
        "Login with the new password",
        "POST",
        "/auth/login",
        200,
        body={"username": RENAMED, "password": NEW_PASSWORD},
        checks=[token_pair()],
        sets=tokens("v2_alice"),
    ),
    Request("Logout everywhere", "POST", "/auth/logout-all", 204, auth=AS_BOB, checks=[no_body()]),
    Request(
        "Every older token is invalid - 401",
        "GET",
        "/me",
        401,
        auth=AS_BOB,
        checks=[INVALID_TOKEN],
    ),
    Request(
        "Delete my account with a wrong current password - 422",
        "DELETE",
        "/me",
        422,
        auth=AS_ALICE,
        body={"current_password": "wrong password"},
        checks=[invalid("current_password")],
    ),
    Request(
        "Delete my account",
        "DELETE",
        "/me",
        204,
        auth=AS_ALICE,
        body={"current_password": NEW_PASSWORD},
        checks=[no_body()],
    ),
    Request(
        "A deleted user cannot log in - 401",
        "POST",
        "/auth/login",
        401,
        body={"username": RENAMED, "password": NEW_PASSWORD},
        checks=[error("Invalid credentials")],
    ),
    Request(
        "A deleted user's token is invalid - 401",
        "GET",
        "/me",
        401,
        auth=AS_ALICE,
        checks=[INVALID_TOKEN],
    ),
]

PEOPLE = [
    Request(
        "Bob follows alice",
        "PUT",
        "/users/{{v2_alice_id}}/follow",
        200,
        auth=AS_BOB,
        checks=[
            expect(
                "alice's profile, followed",
                "const u = pm.response.json();",
                "pm.expect(u.following).to.eql(true);",
                "pm.expect(u.followers_count).to.eql(1);",
            )
        ],
    ),
    Request(
        "Bob follows alice again (idempotent)",
        "PUT",
        "/users/{{v2_alice_id}}/follow",
        200,
        auth=AS_BOB,
        checks=[
            expect("still one follower", "pm.expect(pm.response.json().followers_count).to.eql(1);")
        ],
    ),
    Request(
        "Follow yourself - 422",
        "PUT",
        "/users/{{v2_bob_id}}/follow",
        422,
        auth=AS_BOB,
        checks=[invalid("user_id")],
    ),
    Request(
        "Follow a missing user - 404",
        "PUT",
        "/users/0/follow",
        404,
        auth=AS_BOB,
        checks=[error("User not found")],
    ),
    Request(
        "Follow without a token - 401",
        "PUT",
        "/users/{{v2_alice_id}}/follow",
        401,
        checks=[MISSING_TOKEN],
    ),
    Request(
        "Alice's followers",
        "GET",
        "/users/{{v2_alice_id}}/followers",
        200,
        checks=[
            page(
                "pm.expect(pm.response.json().items[0].username).to.eql(pm.variables.replaceIn('"
                + BOB
                + "'));"
            )
        ],
    ),
    Request(
        "Whom bob follows",
        "GET",
        "/users/{{v2_bob_id}}/following",
        200,
        checks=[page("pm.expect(pm.response.json().total).to.eql(1);")],
    ),
    Request(
        "Bob's feed: alice's published posts",
        "GET",
        "/feed?limit=5",
        200,
        auth=AS_BOB,
        checks=[
            page(
                "pm.expect(pm.response.json().total).to.be.at.least(1);",
                "pm.response.json().items.forEach(p =>"
                " pm.expect(p.author.id).to.eql(pm.collectionVariables.get('v2_alice_id')));",
            )
        ],
    ),
    Request(
        "Tags with their counts",
        "GET",
        "/tags?limit=5",
        200,
        checks=[
            page(
                "pm.response.json().items.forEach(t =>"
                " pm.expect(t).to.have.keys('name', 'count'));",
            )
        ],
    ),
    Request("Tags with a bad limit - 422", "GET", "/tags?limit=0", 422, checks=[invalid("limit")]),
    Request("Feed without a token - 401", "GET", "/feed", 401, checks=[MISSING_TOKEN]),
    Request(
        "Alice by username (any case)",
        "GET",
        "/users/by-username/V2ALICE{{runId}}-RENAMED",  # alice was renamed in auth/
        200,
        checks=[expect("alice", "pm.expect(pm.response.json().followers_count).to.eql(1);")],
    ),
    Request(
        "A missing username - 404",
        "GET",
        "/users/by-username/nobody-{{runId}}",
        404,
        checks=[error("User not found")],
    ),
    Request(
        "Bob unfollows alice",
        "DELETE",
        "/users/{{v2_alice_id}}/follow",
        200,
        auth=AS_BOB,
        checks=[expect("not followed", "pm.expect(pm.response.json().following).to.eql(false);")],
    ),
    Request(
        "Bob unfollows alice again (idempotent)",
        "DELETE",
        "/users/{{v2_alice_id}}/follow",
        200,
        auth=AS_BOB,
        checks=[expect("no follower", "pm.expect(pm.response.json().followers_count).to.eql(0);")],
    ),
    Request(
        "Bob sets a bio and an image",
        "PATCH",
        "/me",
        200,
        auth=AS_BOB,
        body={"bio": "I write about Flask.", "image": "https://example.com/bob.png"},
        checks=[
            expect("saved", "pm.expect(pm.response.json().bio).to.eql('I write about Flask.');")
        ],
    ),
    Request(
        "An image that is not an http(s) URL - 422",
        "PATCH",
        "/me",
        422,
        auth=AS_BOB,
        body={"image": "javascript:alert(1)"},
        checks=[invalid("image")],
    ),
]

FOLDER = Folder(
    "v2",
    "The API for frontends.",
    [
        Folder("users", "Register (201 + Location, 409, 415, 422), list with paging, show.", USERS),
        Folder("auth", "Token pairs, refresh rotation and reuse detection, /me.", AUTH),
        Folder("posts", "Drafts, search, PUT vs PATCH, owner-only writing.", POSTS),
        Folder(
            "blog",
            "Slugs (301 from old ones, 409), tags, Markdown, likes, comments, preview.",
            BLOG_POSTS,
        ),
        Folder("todos", "Private, paged, filterable.", TODOS),
        Folder("people", "Following, followers, the feed, profiles by username.", PEOPLE),
        Folder(
            "sessions",
            "Each login is a session: list them, sign one device out from another.",
            SESSIONS,
        ),
        Folder(
            "mail",
            "Password reset and e-mail verification: one answer for known and unknown "
            "addresses, bad tokens 400. (The mailed token itself is tested in tests/v2.)",
            MAIL,
        ),
        Folder("accounts", "Logout, logout-all, password change, account deletion.", ACCOUNTS),
    ],
    prefix="/api/v2",
)
