"""Markdown: rendered on the server when written, sanitized against an allow-list.

The XSS vectors are the classic ones of OWASP's XSS filter evasion cheat sheet. Each is
written as a post and read back; the stored HTML is then parsed (entities decoded, as a
browser would) and must hold no script, no event handler and no dangerous URL.
"""

from html.parser import HTMLParser

import pytest

from app.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from app.models import Post

from ..helpers import V2, Auth, assert_error, row

XSS_VECTORS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
    "&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)" />',
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<BODY ONLOAD=alert('XSS')>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    "[x](vbscript:msgbox(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<style>@import'http://xss.rocks/xss.css';</style>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<object data="javascript:alert(1)"></object><embed src="x.swf">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    '<details open ontoggle="alert(1)"><summary>x</summary></details>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<b>unclosed <i>tags <a href='https://ok.example'>link",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- <script>alert(1)</script> -->",
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "`<script>alert(1)</script>`",
]

SAFE_SCHEMES = ("http:", "https:", "mailto:")


class Inspector(HTMLParser):
    """Collect every tag and attribute, with entities decoded as a browser decodes them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


def assert_inert(html):
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS, html
    for tag, name, value in inspector.attributes:
        assert not name.startswith("on"), html
        assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, html
        if name in ("href", "src"):
            url = "".join(ch for ch in value if ch > " ").lower()
            scheme = url.split("/", 1)[0]
            assert ":" not in scheme or scheme.startswith(SAFE_SCHEMES), html
    assert "<script" not in html.lower() and "<style" not in html.lower(), html


@pytest.fixture
def alice(auth):
    return auth.user("alice")


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_xss_vectors_are_stored_and_answered_inert(client, app, alice, vector):
    response = client.post(f"{V2}/posts", json={"title": "XSS", "content": vector}, headers=alice)
    assert response.status_code == 201
    assert response.json["content"] == vector  # the source is kept as written
    assert_inert(response.json["content_html"])
    assert row(app, Post, response.json["id"])["content_html"] == response.json["content_html"]
    preview = client.post(f"{V2}/markdown", json={"content": vector}, headers=alice)
    assert preview.json["content_html"] == response.json["content_html"]


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("# Title", "<h1>Title</h1>\n"),
        (
            "*em* **strong** `code`",
            "<p><em>em</em> <strong>strong</strong> <code>code</code></p>\n",
        ),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("> quote", "<blockquote>\n<p>quote</p>\n</blockquote>\n"),
        ("```\nx < 1\n```", "<pre><code>x &lt; 1\n</code></pre>\n"),
        # Strikethrough as GitHub's (GFM): one or two tildes, but not around spaces.
        ("~~gone~~", "<p><del>gone</del></p>\n"),
        ("~one tilde~", "<p><del>one tilde</del></p>\n"),
        ("~5 minutes ~ 10", "<p>~5 minutes ~ 10</p>\n"),
        (
            "| a | b |\n|---|--:|\n| 1 | 2 |",
            "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n"
            "<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n",
        ),
        ("a <sup>2</sup>", "<p>a <sup>2</sup></p>\n"),
        (
            "[site](https://example.com)",
            '<p><a href="https://example.com" rel="nofollow noopener noreferrer">site</a></p>\n',
        ),
        ("![alt](/img/x.png)", '<p><img src="/img/x.png" alt="alt"></p>\n'),
    ],
)
def test_commonmark_is_rendered(client, alice, markdown, html):
    response = client.post(f"{V2}/posts", json={"title": "T", "content": markdown}, headers=alice)
    assert response.json["content_html"] == html


def test_html_is_rendered_when_written_not_on_read(client, app, alice):
    post = client.post(f"{V2}/posts", json={"title": "T", "content": "*a*"}, headers=alice).json
    patched = client.patch(f"{V2}/posts/{post['id']}", json={"content": "**b**"}, headers=alice)
    assert patched.json["content_html"] == "<p><strong>b</strong></p>\n"
    assert row(app, Post, post["id"])["content_html"] == "<p><strong>b</strong></p>\n"
    untouched = client.patch(f"{V2}/posts/{post['id']}", json={"title": "New"}, headers=alice)
    assert untouched.json["content_html"] == "<p><strong>b</strong></p>\n"


def test_preview_renders_without_storing(client, app, alice):
    response = client.post(f"{V2}/markdown", json={"content": "# Hi"}, headers=alice)
    assert response.status_code == 200
    assert response.json == {"content_html": "<h1>Hi</h1>\n"}
    assert client.get(f"{V2}/posts").json["total"] == 0


def test_preview_needs_a_token(client):
    assert_error(client.post(f"{V2}/markdown", json={"content": "x"}), 401, "token_missing")


@pytest.mark.parametrize(
    "body", [{}, {"content": 5}, {"content": "x" * 100_001}, {"content": "x", "extra": 1}]
)
def test_preview_bad_input_is_422(client, alice, body):
    assert_error(client.post(f"{V2}/markdown", json=body, headers=alice), 422)


def test_preview_body_over_the_size_limit_is_413(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=2048)
    client = app.test_client()
    headers = Auth(app, client).user("alice")
    response = client.post(f"{V2}/markdown", json={"content": "x" * 4096}, headers=headers)
    assert_error(response, 413)


def test_preview_needs_json(client, alice):
    assert_error(client.post(f"{V2}/markdown", data="# hi", headers=alice), 415)
