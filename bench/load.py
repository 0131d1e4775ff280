"""Drive a server for a fixed time with ``wrk``, or with Python threads when wrk is absent.

``drive`` sends one request over and over: a GET, or with ``body`` (a JSON text holding
``@N@``) a POST of that body with ``@N@`` replaced by a per-request counter, every answer
but 201 Created then counting as an error. ``rotate`` sends a rotation of such requests
(bench.soak). Under wrk both go through bench/requests.lua when there is a body or more
than one request.
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
    errors: int  # unexpected answers (non-2xx; not 201 for a POST run) and socket errors
    requests: int = 0


SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requests.lua")
COUNTER = "@N@"  # in a body: replaced by a counter unique to the request


def drive(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    body: str | None = None,
) -> Result:
    """``url`` for ``seconds``: GET, or POST of ``body`` (201 expected)."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    base = f"{parts.scheme}://{parts.netloc}"
    if body is None:
        if shutil.which("wrk"):
            return _wrk(url, headers, seconds=seconds, connections=connections)
        return _threads(base, headers, [f"GET {target}"], seconds, connections, "2xx")
    return rotate(
        base,
        headers,
        [f"POST {target} {body}"],
        seconds=seconds,
        connections=connections,
        expect="201",
    )


def rotate(
    base: str,
    headers: dict[str, str],
    lines: list[str],
    *,
    seconds: float,
    connections: int,
    expect: str = "2xx",
) -> Result:
    """``lines`` ("METHOD PATH [JSON body]") in turn against ``base`` for ``seconds``;
    ``expect`` is "2xx" or "201", the answer every request must get."""
    if shutil.which("wrk"):
        return _wrk(
            base + "/",
            headers,
            seconds=seconds,
            connections=connections,
            script_args=[expect, *lines],
        )
    return _threads(base, headers, lines, seconds, connections, expect)


def _wrk(
    url: str,
    headers: dict[str, str],
    *,
    seconds: float,
    connections: int,
    script_args: list[str] | None = None,
) -> Result:
    """One wrk run; with ``script_args``, through bench/requests.lua."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    if script_args:
        cmd += ["-s", SCRIPT, url, "--", *script_args]
    else:
        cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if match := re.search(r"Unexpected:\s+(\d+)", out):  # bench/requests.lua's own count
        errors += int(match.group(1))
    elif match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, out):
        errors += sum(int(n) for n in match.groups()[1:])  # connect errors: closed sockets
    return Result(rate, errors, requests)


def _threads(
    base: str,
    headers: dict[str, str],
    lines: list[str],
    seconds: float,
    connections: int,
    expect: str,
) -> Result:
    """What bench/requests.lua does, with a thread per connection."""
    parts = urlsplit(base)
    requests = []
    for line in lines:
        method, target, body = (line.split(" ", 2) + [""])[:3]
        requests.append((method, target, body))
    posted = {**headers, "Content-Type": "application/json"}
    done = [0] * connections
    errors = [0] * connections
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        sent = 0
        while time.monotonic() < stop:
            method, target, body = requests[sent % len(requests)]
            sent += 1
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                if body:
                    payload = body.replace(COUNTER, f"{n + 1}-{sent}").encode()
                    conn.request(method, target, body=payload, headers=posted)
                else:
                    conn.request(method, target, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 201 if expect == "201" else 200 <= response.status < 300
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
