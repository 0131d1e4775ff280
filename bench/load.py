"""Drive a URL for a fixed time with ``wrk``, or with Python threads when wrk is absent.

GET by default; with ``body`` (a JSON text holding ``@N@``) every request is a POST of that
body with ``@N@`` replaced by a per-request counter (``bench/post.lua`` under wrk), and any
answer but 201 Created counts as an error.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class Result:
    requests_per_second: float
    errors: int  # non-2xx answers and socket errors
    requests: int = 0


POST_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post.lua")
COUNTER = "@N@"  # in a write body: replaced by a counter unique to the request


def drive(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    body: str | None = None,
) -> Result:
    if shutil.which("wrk"):
        return _wrk(url, headers, seconds=seconds, connections=connections, body=body)
    return _threads(url, headers, seconds=seconds, connections=connections, body=body)


def _wrk(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    body: str | None = None,
    script: str | None = None,
    script_args: list[str] | None = None,
) -> Result:
    """One wrk run; ``script`` (a Lua file) and its arguments, or ``body`` for bench/post.lua."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if body is not None:
        script, script_args = POST_SCRIPT, [body]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    # bench/post.lua counts every answer but 201, bench/soak.lua every one outside 2xx.
    if match := re.search(r"Not (?:201|2xx):\s+(\d+)", out):
        errors += int(match.group(1))
    elif match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, out):
        errors += sum(int(n) for n in match.groups()[1:])  # connect errors: closed sockets
    return Result(rate, errors, requests)


def _threads(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    body: str | None = None,
) -> Result:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    if body is not None:
        headers = {**headers, "Content-Type": "application/json"}
    done = [0] * connections
    errors = [0] * connections
    sent = [0] * connections  # POSTs: the counter of each client
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                if body is None:
                    conn.request("GET", target, headers=headers)
                else:
                    sent[n] += 1
                    payload = body.replace(COUNTER, f"{n + 1}-{sent[n]}").encode()
                    conn.request("POST", target, body=payload, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 201 if body is not None else 200 <= response.status < 300
                if ok:
                    done[n] += 1
                else:
                    errors[n] += 1
            except OSError:
                errors[n] += 1
            finally:
                conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    return Result(sum(done) / elapsed, sum(errors), sum(done) + sum(errors))


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by ``pids`` (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(n) for n in handle.read().split()]
    except OSError:
        return []
