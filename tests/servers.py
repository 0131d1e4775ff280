"""Real servers for the tests that need one: a free port, ``flask db upgrade``, gunicorn.

Used by tests/test_gunicorn.py, tests/test_contract_http.py, tests/load/ and tests/e2e/.
Each caller builds its own environment and gunicorn arguments; this module only starts the
process, waits for it to answer (``GET /health`` 200 for gunicorn) and stops it again.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (bound to port 0, closed again before returning)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def migrate(env: Mapping[str, str], cwd: str | os.PathLike = ROOT) -> None:
    """``flask --app app db upgrade`` against the database in ``env`` (DATABASE_URL).

    Run from ``cwd`` (e.g. a temp dir, so no .env of the checkout applies; then ``env`` must
    put ROOT on PYTHONPATH) with the checkout's migrations directory either way.
    """
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade", "-d", ROOT / "migrations"],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def healthy(host: str, port: int, path: str = "/health") -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def serve(
    args: list[str],
    *,
    cwd: str | os.PathLike,
    env: Mapping[str, str],
    log_path: Path,
    port: int,
    host: str = "127.0.0.1",
    timeout: float = 60,
) -> Iterator[str]:
    """Run ``python -m gunicorn *args``; yield ``http://host:port`` once /health answers 200.

    ``args`` (or ``env``, e.g. PORT for gunicorn.conf.py) must make gunicorn listen on
    ``port``. Its output goes to ``log_path``, shown when it exits or never becomes healthy.
    Terminated (killed if it does not stop within 30 seconds) when the block ends.
    """
    command = [sys.executable, "-m", "gunicorn", *args]
    with _running("gunicorn", command, cwd, env, log_path, host, port, "/health", timeout) as url:
        yield url


@contextmanager
def serve_static(
    directory: str | os.PathLike, *, log_path: Path, port: int, host: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve ``directory`` with ``python -m http.server``; yield its origin once / answers."""
    command = [sys.executable, "-u", "-m", "http.server", str(port), "--bind", host]
    with _running(
        "http.server", command, directory, os.environ, log_path, host, port, "/", 30
    ) as url:
        yield url


@contextmanager
def _running(
    name: str,
    command: list[str],
    cwd: str | os.PathLike,
    env: Mapping[str, str],
    log_path: Path,
    host: str,
    port: int,
    ready_path: str,
    timeout: float,
) -> Iterator[str]:
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(host, port, ready_path):
                assert process.poll() is None, f"{name} exited:\n{log_path.read_text()}"
                assert time.monotonic() < deadline, (
                    f"{name} did not answer {ready_path}:\n{log_path.read_text()}"
                )
                time.sleep(0.1)
            yield f"http://{host}:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def json_request(
    port: int, method: str, path: str, token: str | None = None, body: Any = None
) -> tuple[int, dict[str, Any] | None]:
    """One JSON request to 127.0.0.1:``port`` on a new connection: (status, parsed body)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    return response.status, json.loads(raw) if raw else None
