"""A valid send of 15 MiB against ``gritwit serve``: the service's memory and a probe's wait.

Starts the service on a fresh SQLite store (a process of its own), creates a ``counter``
test actor, then sends it one message whose JSON body is 15 MiB (a blob of 7.5 MiB, in
hex, under the 16 MiB JSON limit of HTTP-013.1), and then three such sends at once.
Meanwhile a probe client asks ``GET /healthz`` every 50 ms on a connection of its own.
For each case it prints the service's resident memory at rest and its peak
(``VmRSS``/``VmHWM`` of ``/proc/<pid>/status``, the peak since the service started) and
the probe's longest wait.  Byte strings over HTTP are lowercase hex (HTTP-002.2); the check
of that text once took 963 MiB for one such body.

With ``--tokens`` the store holds a token (HTTP-018) that every request but the probe's
(``/healthz`` stays open) carries, and three rows follow the sends: four clients guessing
tokens as fast as they can for five seconds (HTTP-021.2 slows them with 429), one request
with 100 ``Authorization`` headers, and a good token in the URL instead of the header
(HTTP-018.1: both 401), each with its answers, the memory and the probe's longest wait.

    python -m asv_bench.tools.serve_big_send [--tokens]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from .serve_hostile import _memory
from .serve_throughput import running_service

MIB = 1 << 20


def _connection(url: str) -> http.client.HTTPConnection:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=120)


#: The headers every request of the tool carries: with ``--tokens``, the token's too.
HEADERS = {"Content-Type": "application/json"}


def _post(url: str, path: str, body: bytes) -> int:
    conn = _connection(url)
    try:
        conn.request("POST", path, body, HEADERS)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


class _Probe:
    """``GET /healthz`` every 50 ms until stopped; the longest wait, in seconds."""

    def __init__(self, url: str) -> None:
        self.url, self.longest, self.failed = url, 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        conn = _connection(self.url)
        while not self._stop.is_set():
            start = time.monotonic()
            try:
                conn.request("GET", "/healthz")
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                self.failed += 1
                conn.close()
                conn = _connection(self.url)
            self.longest = max(self.longest, time.monotonic() - start)
            self._stop.wait(0.05)
        conn.close()

    def stop(self) -> tuple[float, int]:
        self._stop.set()
        self._thread.join()
        return self.longest, self.failed


def _sends(url: str, path: str, body: bytes, count: int) -> list[int]:
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(_post(url, path, body)))
        for _ in range(count)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _guessing(url: str, seconds: float = 5.0, clients: int = 4) -> str:
    """``clients`` threads asking ``GET /v1`` with a new wrong token each time, for
    ``seconds``: how many answers of each status."""
    statuses: Counter[int] = Counter()
    until = time.monotonic() + seconds

    def guess(n: int) -> None:
        conn, tried = _connection(url), 0
        while time.monotonic() < until:
            tried += 1
            conn.request("GET", "/v1", headers={"Authorization": f"Bearer guess-{n}-{tried}"})
            answer = conn.getresponse()
            answer.read()
            statuses[answer.status] += 1
        conn.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ", ".join(f"{count:,}×{status}" for status, count in sorted(statuses.items()))


def _raw_get(url: str, path: str, headers: list[tuple[str, str]]) -> str:
    """``GET path`` with ``headers`` as given (repeats kept): the status."""
    conn = _connection(url)
    try:
        conn.putrequest("GET", path)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        answer = conn.getresponse()
        answer.read()
        return str(answer.status)
    finally:
        conn.close()


def _door_cases(url: str, token: str) -> list[tuple[str, Callable[[], str]]]:
    return [
        ("4 clients guessing tokens for 5 s", lambda: _guessing(url)),
        (
            "100 Authorization headers",
            lambda: _raw_get(url, "/v1", [("Authorization", f"Bearer {token}")] * 100),
        ),
        ("the token in the URL", lambda: _raw_get(url, f"/v1?access_token={token}", [])),
    ]


def _row(name: str, pid: int, url: str, run: Callable[[], str]) -> None:
    probe = _Probe(url)
    time.sleep(0.2)
    started = time.monotonic()
    shown = run()
    took = time.monotonic() - started
    longest, failed = probe.stop()
    rss, peak = _memory(pid)
    print(
        f"| {name} ({took:.1f} s) | {shown} | {rss} | {peak} | "
        f"{longest:.2f}{f' ({failed} failed)' if failed else ''} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", action="store_true", help="a store with a token")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        token = ""
        if args.tokens:
            gritwit = [sys.executable, "-m", "gritwit"]
            made = ["actor", "create", "--store", str(store), "--create", "--test", "counter"]
            subprocess.run([*gritwit, *made], capture_output=True, check=True)
            add = ["token", "add", "--store", str(store), "ops", "--scope", "admin"]
            done = subprocess.run(
                [*gritwit, *add, "--rate", "1000000"], capture_output=True, text=True, check=True
            )
            token = done.stdout.strip()
            HEADERS["Authorization"] = f"Bearer {token}"
        with running_service(store) as (url, pid):
            _table(url, pid, token)
    return 0


def _table(url: str, pid: int, token: str) -> None:
    conn = _connection(url)
    conn.request("POST", "/v1/actors", b'{"test": "counter"}', HEADERS)
    actor = json.loads(conn.getresponse().read())["actor"]
    conn.close()
    head, tail = b'{"mt": "inc", "content": {"blob": "', b'"}}'
    pairs = (15 * MIB - len(head) - len(tail)) // 2
    body = head + b"5a" * pairs + tail
    rss, peak = _memory(pid)
    print(f"service at rest: {rss} MB resident, peak {peak} MB; body {len(body)} bytes\n")
    print("| case | answers | resident after (MB) | peak so far (MB) | probe waited (s) |")
    print("|---|---|---|---|---|")
    path = f"/v1/actors/{actor}/messages"

    def sends(count: int) -> Callable[[], str]:
        return lambda: "/".join(map(str, sorted(_sends(url, path, body, count))))

    _row("one 15 MiB send", pid, url, sends(1))
    _row("three at once", pid, url, sends(3))
    for name, run in _door_cases(url, token) if token else []:
        _row(name, pid, url, run)


if __name__ == "__main__":
    raise SystemExit(main())
