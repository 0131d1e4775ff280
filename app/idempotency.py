"""``Idempotency-Key``: a retried POST answers what the first one did, without doing it twice.

The way payment APIs do it: the first request with a key runs; its answer is stored in the
same transaction as its work (``db.session.commit`` inside the view only flushes meanwhile,
see ``app.extensions.Session``), so the key exists exactly when the work was done. A retry
with the same key and the same body, within ``IDEMPOTENCY_KEY_TTL`` (24 h), gets the stored
status, body and ``Location`` back with ``Idempotent-Replayed: true``; the same key with
another body (or on another route) is 422 ``idempotency_key_reused``. A second request
racing the first waits for it on the key's unique index, then replays its answer; one that
finds it still running (it can only on a failed first attempt) gets 409
``idempotency_key_in_use``.

Keys are scoped per user (``user:<id>``) or, without a token (registration), per client
address. Only successful answers are stored: an error changed nothing, so running the
request again is safe. ``flask prune-idempotency-keys`` deletes the expired ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Response, current_app, g, request
from sqlalchemy.exc import IntegrityError

from .errors import Conflict, Invalid
from .extensions import db
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, like a UUID or a ULID


def run(key: str, view: Callable[[], Response]) -> Response:
    """Answer the stored result for ``key``, or run ``view`` once and store its answer."""
    if not KEY_PATTERN.fullmatch(key):
        raise Invalid({HEADER: ["Use 1 to 255 visible ASCII characters, e.g. a UUID."]})
    scope, fingerprint = _scope(), _fingerprint()
    stored = _find(scope, key)
    if stored is not None:
        return _replay(stored, fingerprint)
    record = IdempotencyKey(scope=scope, key=key, fingerprint=fingerprint)
    db.session.add(record)
    try:
        # Takes the key: a concurrent request with it waits here until this one ends.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        stored = _find(scope, key)
        if stored is None:  # pragma: no cover - the other request failed meanwhile
            raise Conflict(
                "A request with this Idempotency-Key is in progress; retry",
                "idempotency_key_in_use",
            ) from None
        return _replay(stored, fingerprint)
    db.session.info["defer_commit"] = True
    try:
        response = view()
    finally:
        db.session.info.pop("defer_commit", None)
    if 200 <= response.status_code < 300:
        if record not in db.session:
            # The view rolled back and tried again on its own (a unique-slug retry, say):
            # the rollback took the key with it; put it back into the transaction.
            db.session.add(record)
        record.status = response.status_code
        record.body = response.get_data(as_text=True)
        record.location = response.headers.get("Location")
        db.session.commit()  # the work and its answer together
    else:  # pragma: no cover - views raise their errors
        db.session.rollback()
    return response


def _in_use() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is in progress; retry", "idempotency_key_in_use"
    )


def _scope() -> str:
    user = g.get("current_user")
    if user is not None:
        return f"user:{user.id}"
    return f"client:{request.remote_addr or 'unknown'}"


def _fingerprint() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        canonical = raw
    message = b"\0".join([request.method.encode(), request.path.encode(), canonical])
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def _find(scope: str, key: str) -> IdempotencyKey | None:
    record = db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    )
    if record is not None and record.created_at < expiry_cutoff():
        db.session.delete(record)
        db.session.flush()
        return None
    return record


def expiry_cutoff() -> datetime:
    ttl = int(current_app.config["IDEMPOTENCY_KEY_TTL"])
    return datetime.now(UTC) - timedelta(seconds=ttl)


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if not hmac.compare_digest(record.fingerprint, fingerprint):
        raise Invalid(
            {HEADER: ["This key was used with another request body; use a new key."]},
            "Idempotency-Key reused with a different request",
            "idempotency_key_reused",
        )
    if record.status is None:  # pragma: no cover - the answer is stored with the work
        raise _in_use()
    response = Response(record.body, status=record.status, mimetype="application/json")
    if record.location:
        response.headers["Location"] = record.location
    response.headers[REPLAYED_HEADER] = "true"
    return response
