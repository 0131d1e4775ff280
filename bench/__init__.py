"""Throughput benchmark of the API under gunicorn (``python -m bench``); not part of the tests."""
