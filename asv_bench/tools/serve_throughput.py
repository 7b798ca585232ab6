"""The service against ``runtime run``, side by side in one run (issue 52's throughput).

Both sides do the same work: ``--actors`` test counters, each created by its genesis
and sent one ``inc`` (so every message is a transition of its own, as in the runtime
benchmarks where each message goes to a new counter).

* **runtime run**: the geneses and sends are put in a fresh SQLite store first (not
  timed), then one ``Runtime.run_until_quiescent`` drains them (timed).
* **service**: ``gritwit serve`` on a fresh SQLite store (a process of its own, as
  users run it); ``--clients`` threads create the counters and send over HTTP
  (HTTP-004, HTTP-005), then ``POST /v1/settle`` (HTTP-011) waits until everything
  ran. Timed from the first request to the settle's answer; each send's latency, from
  its request to its 202, is kept for the p50 and p99.

The two sides alternate ``--rounds`` times, so both see the same machine load; the
figure is the ratio of the medians of transitions per second (service over run), with
the load average before and after. Quote only that ratio and the latencies, with the
load (the machine is shared).

    python -m asv_bench.tools.serve_throughput --actors 500 --clients 8 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

_LISTENING = re.compile(r"gritwit serve: listening on (http://[\d.]+:\d+)")


def _drain(actors: int, folder: Path) -> float:
    """Seconds one run takes to drain ``actors`` geneses and one ``inc`` each."""
    import gritwit as g
    from gritwit.runtime import Runtime
    from gritwit.store import Store
    from gritwit.wit import test_actor_core

    async def main() -> float:
        with Store.open(folder) as store:
            runtime = Runtime(store)
            for n in range(actors):
                core, objects = test_actor_core("counter", {"n": g.Blob(data=n.to_bytes(4, "big"))})
                actor = await runtime.genesis(core, objects)
                empty = g.Blob(data=b"")
                await runtime.send(actor, g.object_id(empty), {"mt": "inc"}, objects=[empty])
            runtime.flush()
            started = time.perf_counter()
            report = await runtime.run_until_quiescent()
            took = time.perf_counter() - started
            assert report.quiescent, report
            return took

    return asyncio.run(main())


@contextmanager
def _service(folder: Path) -> Iterator[str]:
    command = [sys.executable, "-m", "gritwit", "serve", str(folder), "--create"]
    command += ["--listen", "127.0.0.1:0"]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            found = _LISTENING.search(line)
            if found:
                break
        else:
            raise SystemExit("gritwit serve ended without listening")
        threading.Thread(target=proc.stdout.read, daemon=True).start()  # keep the pipe drained
        yield found.group(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _post(
    conn: http.client.HTTPConnection, path: str, body: object
) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode()
    conn.request("POST", path, data, {"Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


def _serve_round(actors: int, clients: int, folder: Path) -> tuple[float, list[float]]:
    """Seconds from the first request to the settle's answer, and each send's latency."""
    latencies: list[float] = []
    lock = threading.Lock()
    with _service(folder) as url:
        host, port = urlsplit(url).hostname, urlsplit(url).port
        assert host is not None

        def work(part: int) -> None:
            conn = http.client.HTTPConnection(host, port, timeout=300)
            mine = []
            for n in range(part, actors, clients):
                status, made = _post(
                    conn, "/v1/actors", {"test": "counter", "state": {"n": f"{n:08x}"}}
                )
                assert status == 201, made
                sent = time.perf_counter()
                status, answer = _post(
                    conn,
                    f"/v1/actors/{made['actor']}/messages",
                    {"mt": "inc", "content": {"blob": ""}},
                )
                assert status == 202, answer
                mine.append(time.perf_counter() - sent)
            conn.close()
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=work, args=(part,)) for part in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        conn = http.client.HTTPConnection(host, port, timeout=900)
        status, settled = _post(conn, "/v1/settle", {"timeout": 600})
        took = time.perf_counter() - started
        assert status == 200 and settled == {"quiescent": True}, settled
    return took, latencies


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    run_rates, serve_rates, latencies = [], [], []
    transitions = 2 * args.actors  # a genesis and an inc per counter
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            run_rates.append(transitions / _drain(args.actors, Path(tmp) / "run"))
            took, sends = _serve_round(args.actors, args.clients, Path(tmp) / "serve")
            serve_rates.append(transitions / took)
            latencies.extend(sends)
    load_after = os.getloadavg()
    run_median, serve_median = statistics.median(run_rates), statistics.median(serve_rates)
    print(f"runtime run: {run_median:.0f} transitions/s (rounds: {[round(r) for r in run_rates]})")
    print(
        f"service:     {serve_median:.0f} transitions/s (rounds: {[round(r) for r in serve_rates]})"
    )
    print(f"service / runtime run: {serve_median / run_median:.2f}x")
    print(
        f"send latency: p50 {_percentile(latencies, 0.5) * 1e3:.1f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1e3:.1f} ms ({len(latencies)} sends, "
        f"{args.clients} clients)"
    )
    print(f"load average: {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
