"""A valid send of 15 MiB against ``gritwit serve``: the service's memory and a probe's wait.

Starts the service on a fresh SQLite store (a process of its own), creates a ``counter``
test actor, then sends it one message whose JSON body is 15 MiB (a blob of 7.5 MiB, in
hex, under the 16 MiB JSON limit of HTTP-013.1), and then three such sends at once.
Meanwhile a probe client asks ``GET /healthz`` every 50 ms on a connection of its own.
For each case it prints the service's resident memory at rest and its peak
(``VmRSS``/``VmHWM`` of ``/proc/<pid>/status``, the peak since the service started) and
the probe's longest wait.  Byte strings over HTTP are lowercase hex (HTTP-002.2); the check
of that text once took 963 MiB for one such body.

    python -m asv_bench.tools.serve_big_send
"""

from __future__ import annotations

import http.client
import json
import tempfile
import threading
import time
from pathlib import Path

from .serve_hostile import _memory
from .serve_throughput import running_service

MIB = 1 << 20


def _connection(url: str) -> http.client.HTTPConnection:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=120)


def _post(url: str, path: str, body: bytes) -> int:
    conn = _connection(url)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
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


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp, running_service(Path(tmp) / "store") as (url, pid):
        conn = _connection(url)
        conn.request(
            "POST", "/v1/actors", b'{"test": "counter"}', {"Content-Type": "application/json"}
        )
        actor = json.loads(conn.getresponse().read())["actor"]
        conn.close()
        head, tail = b'{"mt": "inc", "content": {"blob": "', b'"}}'
        pairs = (15 * MIB - len(head) - len(tail)) // 2
        body = head + b"5a" * pairs + tail
        rss, peak = _memory(pid)
        print(f"service at rest: {rss} MB resident, peak {peak} MB; body {len(body)} bytes\n")
        print("| case | statuses | resident after (MB) | peak so far (MB) | probe waited (s) |")
        print("|---|---|---|---|---|")
        for name, count in (("one 15 MiB send", 1), ("three at once", 3)):
            probe = _Probe(url)
            time.sleep(0.2)
            started = time.monotonic()
            statuses = _sends(url, f"/v1/actors/{actor}/messages", body, count)
            took = time.monotonic() - started
            longest, failed = probe.stop()
            rss, peak = _memory(pid)
            shown = "/".join(str(s) for s in sorted(statuses))
            print(
                f"| {name} ({took:.1f} s) | {shown} | {rss} | {peak} | "
                f"{longest:.2f}{f' ({failed} failed)' if failed else ''} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
