"""v2: the caller's sessions (signed-in devices): list them, end one."""

from flask import Blueprint, g

from ... import sessions
from ...schemas import page_args_schema, session_schema
from .face import api

bp = Blueprint("sessions", __name__)


@bp.get("/me/sessions")
@api.auth()
@api.query(page_args_schema)
@api.response(session_schema, page=True)
def list_sessions(args):
    """List the caller's live sessions, most recently used first (`current`: this one)."""
    return sessions.session_page(g.current_user, args)


@bp.delete("/me/sessions/<id:session_id>")
@api.auth()
@api.response(None, 204, description="Every token of that session is refused from now on.")
@api.other_responses(404)
def delete_session(session_id):
    """Sign a device out: end one of the caller's sessions."""
    sessions.end_session(g.current_user, session_id)
