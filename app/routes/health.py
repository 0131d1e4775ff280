"""Liveness (``/health``: the process answers and can read) and readiness (``/health/ready``:
the database accepts a write, and SQLite's disk has room)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Heartbeat, utcnow

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/health")
def health():
    """Report whether the service and its database answer."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/health/ready")
def ready():
    """Report whether the database accepts a write (a one-row heartbeat) and has disk room."""
    body: dict[str, object] = {"status": "ok", "database": "ok", "writes": "ok"}
    try:
        _beat()
    except Exception as exc:
        db.session.rollback()
        log.warning("Readiness: the database refused the heartbeat write: %s", type(exc).__name__)
        body.update(status="unavailable", writes="failing")
    free = _sqlite_free_bytes()
    if free is not None:
        body["disk_free_bytes"] = free
        if free < int(current_app.config["READINESS_MIN_FREE_MB"]) * 1024 * 1024:
            body.update(status="unavailable", disk="low")
    return jsonify(body), 200 if body["status"] == "ok" else 503


def _beat() -> None:
    now = utcnow()
    updated = db.session.execute(sa.update(Heartbeat).where(Heartbeat.id == 1).values(beat_at=now))
    if not updated.rowcount:
        db.session.add(Heartbeat(id=1, beat_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another worker wrote the first beat at the same moment


def _sqlite_free_bytes() -> int | None:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return shutil.disk_usage(Path(url.database).resolve().parent).free
