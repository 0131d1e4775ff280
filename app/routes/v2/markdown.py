"""v2 Markdown preview: the HTML the server would store for a text, without storing it."""

from flask import Blueprint

from ...markdown import render
from ...schemas import markdown_html_schema, markdown_schema
from .face import api

bp = Blueprint("markdown", __name__)


@bp.post("/markdown")
@api.auth()
@api.body(markdown_schema)
@api.response(
    markdown_html_schema,
    description="For an editor's preview: the same rendering and sanitizing as a saved post.",
)
def render_markdown(data):
    """Render Markdown to the sanitized HTML a post with this content would carry."""
    return {"content_html": render(data["content"])}
