"""The service against ``runtime run``, side by side in one run: transitions per second and latency.

Both sides do the same work: ``--actors`` test counters, created and run first (not
timed), then each sent one ``inc`` (timed), so that every message is a transition of its
own, as in the runtime benchmarks where each message goes to a new counter.

* **runtime run**: the sends are put in a fresh SQLite store first, then one
  ``Runtime.run_until_quiescent`` drains them: timed from the run's start to its end.
* **service, one send a request**: ``gritwit serve`` on a fresh SQLite store (a process
  of its own, as users run it); ``--clients`` threads send over HTTP (HTTP-005), then
  ``POST /v1/settle`` (HTTP-011) waits until everything ran: timed from the first send
  to the settle's answer. Each request's latency, to its 202, is kept for p50 and p99.
* **service, batches**: the same with ``POST /v1/messages`` (HTTP-005.7), ``--batch``
  sends a request.

The sides alternate ``--rounds`` times, so all see the same machine load; the figures
are the ratios of the medians of transitions per second (service over run), with the
load average before and after. Quote only those ratios and the latencies, with the load
(the machine is shared).

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
    """Seconds one run takes to drain one ``inc`` to each of ``actors`` counters."""
    import gritwit as g
    from gritwit.runtime import Runtime
    from gritwit.store import Store
    from gritwit.wit import test_actor_core

    async def drain() -> float:
        with Store.open(folder) as store:
            runtime = Runtime(store)
            made = []
            for n in range(actors):
                state = {"n": g.Blob(data=n.to_bytes(4, "big"))}
                core, objects = test_actor_core("counter", state)
                made.append(await runtime.genesis(core, objects))
            await runtime.run_until_quiescent()  # the geneses: not timed
            empty = g.Blob(data=b"")
            for actor in made:
                await runtime.send(actor, g.object_id(empty), {"mt": "inc"}, objects=[empty])
            runtime.flush()
            started = time.perf_counter()
            report = await runtime.run_until_quiescent()
            took = time.perf_counter() - started
            assert report.quiescent, report
            return took

    return asyncio.run(drain())


@contextmanager
def running_service(folder: Path) -> Iterator[tuple[str, int]]:
    """``gritwit serve`` over ``folder`` on a free loopback port: (its URL, its pid);
    stopped by SIGTERM at the end."""
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
        yield found.group(1), proc.pid
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


def _requests(recipients: list[str], batch: int) -> list[tuple[str, dict[str, object]]]:
    """The requests that send one ``inc`` to each recipient: one a request, or batches."""
    inc: dict[str, object] = {"mt": "inc", "content": {"blob": ""}}
    if not batch:
        return [(f"/v1/actors/{a}/messages", inc) for a in recipients]
    return [
        ("/v1/messages", {"messages": [{"to": a, **inc} for a in recipients[i : i + batch]]})
        for i in range(0, len(recipients), batch)
    ]


def _serve_round(actors: int, clients: int, batch: int, folder: Path) -> tuple[float, list[float]]:
    """Seconds from the first send to the settle's answer, and each request's latency."""
    latencies: list[float] = []
    lock = threading.Lock()
    with running_service(folder) as (url, _):
        host, port = urlsplit(url).hostname, urlsplit(url).port
        assert host is not None
        conn = http.client.HTTPConnection(host, port, timeout=900)
        made = []
        for n in range(actors):  # not timed, as the run's geneses
            body = {"test": "counter", "state": {"n": f"{n:08x}"}}
            status, answer = _post(conn, "/v1/actors", body)
            assert status == 201, answer
            made.append(str(answer["actor"]))
        assert _post(conn, "/v1/settle", {"timeout": 600}) == (200, {"quiescent": True})

        def work(part: int) -> None:
            mine = []
            client = http.client.HTTPConnection(host, port, timeout=300)
            for path, body in _requests(made[part::clients], batch):
                sent = time.perf_counter()
                status, answer = _post(client, path, body)
                assert status == 202, answer
                mine.append(time.perf_counter() - sent)
            client.close()
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=work, args=(part,)) for part in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
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
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rates: dict[str, list[float]] = {"run": [], "single": [], "batch": []}
    latencies: dict[str, list[float]] = {"single": [], "batch": []}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            rates["run"].append(args.actors / _drain(args.actors, Path(tmp) / "run"))
            for side, batch in (("single", 0), ("batch", args.batch)):
                took, sends = _serve_round(args.actors, args.clients, batch, Path(tmp) / side)
                rates[side].append(args.actors / took)
                latencies[side].extend(sends)
    load_after = os.getloadavg()
    medians = {side: statistics.median(r) for side, r in rates.items()}
    labels = {
        "run": "runtime run",
        "single": "service, one send a request",
        "batch": f"service, {args.batch} sends a request",
    }
    for side, label in labels.items():
        rounds = [round(r) for r in rates[side]]
        print(f"{label}: {medians[side]:.0f} transitions/s (rounds: {rounds})")
    for side in ("single", "batch"):
        print(f"{labels[side]} / runtime run: {medians[side] / medians['run']:.2f}x")
        print(
            f"  request latency: p50 {_percentile(latencies[side], 0.5) * 1e3:.1f} ms, "
            f"p99 {_percentile(latencies[side], 0.99) * 1e3:.1f} ms "
            f"({len(latencies[side])} requests, {args.clients} clients)"
        )
    print(f"load average: {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
