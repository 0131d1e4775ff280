"""Which faces an app has, which one a path belongs to, and routing errors in its shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from .errors import render_http_exception

if TYPE_CHECKING:
    from .faces import Face


def register_face(app: Any, face: Face) -> None:
    faces = app.extensions.setdefault("faces", {})
    if not faces:
        # Routing 404/405 happen before any blueprint: answer them in the shape of the face
        # whose prefix the path falls under (the longest one), or the house shape.
        for error in (NotFound, MethodNotAllowed):
            app.register_error_handler(error, _render_routing_error)
    faces[face.name] = face


def owner_of(path: str, faces: Any) -> Face | None:
    """The face a path belongs to: the longest URL prefix it falls under (``/api/v2/…`` is
    v2's, not the RealWorld face's ``/api``)."""
    under = [
        face for face in faces if path == face.url_prefix or path.startswith(face.url_prefix + "/")
    ]
    return max(under, key=lambda face: len(face.url_prefix), default=None)


def _render_routing_error(exc: HTTPException) -> Response:
    face = owner_of(request.path, faces_of(current_app).values())
    return face.render_http(exc) if face is not None else render_http_exception(exc)


def faces_of(app: Any) -> dict[str, Face]:
    """The faces registered on ``app``, by name."""
    return app.extensions.get("faces", {})
