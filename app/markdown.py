"""Markdown to safe HTML: CommonMark (cmark-gfm), then an allow-list sanitizer (nh3).

Rendering happens when a post or comment is written (its ``content_html`` column), never on
read. The parser may emit raw HTML (CommonMark allows it); nh3 — the Python binding of the
Rust ``ammonia`` crate, an html5ever-based allow-list sanitizer — then keeps only the tags,
attributes and URL schemes named here. No regular expression ever decides what is safe.
"""

from __future__ import annotations

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options

# CommonMark by its reference implementation (GitHub's cmark-gfm, through cmarkgfm, the
# binding PyPA's readme_renderer uses), plus GitHub's tables and ~~strikethrough~~ (two
# tildes); no smart punctuation, no autolinks. UNSAFE: raw HTML and every link reach nh3
# unchanged, and nh3 alone decides what stays. It replaced markdown-it-py, pure Python,
# which took 0.8 of the 1.0 ms a 2 KB post spent on rendering (docs/performance.md).
_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
_EXTENSIONS = ["table", "strikethrough"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q",
    "s", "samp", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
# Relative URLs pass (ammonia's default); absolute ones only with these schemes: no
# javascript:, vbscript:, data: or file:.
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"


def sanitize(html: str) -> str:
    """Keep only the allow-listed markup of ``html``; drop script/style with their content."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(markdown: str) -> str:
    """Render CommonMark ``markdown`` to sanitized HTML."""
    html = cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=_OPTIONS, extensions=_EXTENSIONS
    )
    return sanitize(html)
