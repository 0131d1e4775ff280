"""How ``python -m bench`` serves the apps it measures: the workers it says it runs."""

from __future__ import annotations

import sys

from gunicorn.app.wsgiapp import WSGIApplication

from bench.__main__ import gunicorn_args

from .servers import ROOT


def test_the_bench_runs_sync_workers_despite_the_config_files_threads(monkeypatch):
    """gunicorn.conf.py asks for 8 threads, and gunicorn turns a "sync" worker with threads
    into gthread: the bench's own arguments must win, or it measures another server."""
    monkeypatch.chdir(ROOT)  # where the bench starts gunicorn, and its config file is read
    args = gunicorn_args(2, 8123, "bench.app:create_bench_app()")
    monkeypatch.setattr(sys, "argv", ["gunicorn", *args])
    config = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    assert config.worker_class_str == "sync"
    assert (config.workers, config.threads) == (2, 1)


def test_without_threads_1_the_config_file_would_make_them_gthread(monkeypatch):
    monkeypatch.chdir(ROOT)
    args = [a for a in gunicorn_args(2, 8123, "app:create_app()") if a not in ("--threads", "1")]
    monkeypatch.setattr(sys, "argv", ["gunicorn", *args])
    assert WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg.worker_class_str == "gthread"
