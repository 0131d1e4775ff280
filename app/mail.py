"""Outgoing mail: an outbox per process, and the ``smtp`` and ``console`` backends.

Nothing a request answers waits for mail. A view hands a job to the outbox (``submit``) and
answers at once; one background thread per process runs the jobs in order, each in an app
context of its own. So a mail server that is down or slow (every SMTP step bounded by
``MAIL_TIMEOUT``) never turns a request into a 500, never delays it, and the work that
depends on whether an address is known (``app.account_mail``) happens after the answer,
where its duration cannot be measured by the client. The queue is bounded
(``MAIL_QUEUE_MAX``): past it, a job is dropped and logged, never blocking a request.

SMTP is the standard library's ``smtplib`` (``STARTTLS`` with ``MAIL_USE_TLS``, ``login``
with ``MAIL_USERNAME``): one connection per mail is plenty for resets and verifications.
"""

from __future__ import annotations

import logging
import os
import queue
import smtplib
import ssl
import threading
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from flask import Flask, current_app

from .extensions import db

log = logging.getLogger(__name__)
_KEY = "blogapi.outbox"
#: An outbox thread with nothing to do for this long ends; the next mail starts another.
IDLE_SECONDS = 30


class Outbox:
    """A bounded queue of jobs and the thread that runs them for one app in one process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue(
            maxsize=max(1, int(app.config["MAIL_QUEUE_MAX"]))
        )
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.pid = os.getpid()

    def submit(self, job: Callable[..., Any], *args: Any) -> None:
        """Run ``job(*args)`` in the background, in an app context; never raises."""
        try:
            self.jobs.put_nowait((job, args))
        except queue.Full:
            log.error("Mail outbox full: a mail job was dropped", extra={"job": job.__name__})
            return
        with self.lock:
            # A forked worker inherits the object but not the thread: it starts its own.
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="mail-outbox", daemon=True)
                self.thread.start()

    def join(self) -> None:
        """Wait until every submitted job has run (tests)."""
        self.jobs.join()

    def _run(self) -> None:
        while True:
            try:
                job, args = self.jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self.lock:  # submit() starts a new thread after this one is gone
                    if self.jobs.empty():
                        self.thread = None
                        return
                continue
            try:
                with self.app.app_context():
                    try:
                        job(*args)
                    finally:
                        db.session.remove()
            except Exception:
                log.exception("Mail job failed", extra={"job": job.__name__})
            finally:
                self.jobs.task_done()


def outbox(app: Flask | None = None) -> Outbox:
    """This app's outbox (made on first use)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    box = app.extensions.get(_KEY)
    if box is None:
        box = app.extensions[_KEY] = Outbox(app)
    return box


def submit(job: Callable[..., Any], *args: Any) -> None:
    """Hand ``job(*args)`` to the current app's outbox."""
    outbox().submit(job, *args)


def send(to: str, subject: str, text: str) -> bool:
    """Send one plain-text mail with the configured backend; False (logged) when it failed.

    Called from outbox jobs only. The log names the recipient's domain, never the text (it
    holds a single-use token).
    """
    cfg = current_app.config
    message = EmailMessage()
    message["From"] = cfg["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    if cfg["MAIL_BACKEND"] == "console":
        log.info("Mail (console backend):\n%s", message.as_string())
        return True
    try:
        _smtp(cfg, message)
    except (OSError, smtplib.SMTPException) as exc:  # refused, timed out, rejected, TLS
        log.warning(
            "Mail not sent: %s",
            type(exc).__name__,
            extra={"mail_domain": to.rpartition("@")[2], "mail_subject": subject},
        )
        return False
    return True


def _smtp(cfg: Any, message: EmailMessage) -> None:
    timeout = float(cfg["MAIL_TIMEOUT"])
    with smtplib.SMTP(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]), timeout=timeout) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
