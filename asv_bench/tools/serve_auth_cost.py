"""The door's cost: the service's CPU per send with a token against without, side by side.

Two ``gritwit serve`` processes on two fresh SQLite stores, each with one test counter:
the *open* one's store holds no token, so it serves anyone on loopback; the *tokens*
one's store holds a token (``gritwit token add … --scope send,read``), so every request
there must carry it and is checked (HTTP-018.1: its SHA-256 looked up, its scope and
prefix, HTTP-018.2/.3) and counted against the token's rate and byte budget (HTTP-021.1;
the token's rate is set far above what one client sends, so nothing is refused).

Each round sends ``--sends`` ``inc`` messages to each service's counter, one request at a
time on one kept-alive connection (opened anew each round), then ``POST /v1/settle``
(HTTP-011) so that the transitions the sends cause are done inside the round. The
service's CPU (user and system, every thread: ``/proc/PID/stat``) is read before and
after. The two sides alternate which goes first, so both see the same load. The figure
is the ratio of the medians of CPU per send (tokens over open), with the load average
before and after; quote only it, with the load.

    python -m asv_bench.tools.serve_auth_cost --sends 300 --rounds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .serve_throughput import running_service

INC = json.dumps({"mt": "inc", "content": {"blob": ""}}).encode()
#: The token's rate, requests a second: far above one client's, so no send is refused
#: (the check and the count still run for every request).
RATE = 1_000_000


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of process ``pid``, all its threads (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _gritwit(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gritwit", *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@dataclass
class Side:
    """One service: its name, pid, connection, counter's send path and headers."""

    name: str
    pid: int
    conn: http.client.HTTPConnection
    path: str
    headers: dict[str, str]
    per_send: list[float] = field(default_factory=list)

    def request(self, method: str, path: str, body: bytes) -> int:
        self.conn.request(method, path, body, self.headers)
        answer = self.conn.getresponse()
        answer.read()
        return answer.status

    def round(self, sends: int) -> float:
        """CPU seconds per send of ``sends`` sends and the settle after them."""
        self.conn.close()  # idle through the other side's round, the service closed it
        before = cpu_seconds(self.pid)
        for _ in range(sends):
            status = self.request("POST", self.path, INC)
            if status != 202:
                raise SystemExit(f"{self.name}: a send answered {status}, not 202")
        if self.request("POST", "/v1/settle", b'{"timeout": 120}') != 200:
            raise SystemExit(f"{self.name}: the settle did not answer 200")
        return (cpu_seconds(self.pid) - before) / sends


def _door_is(made: Side, status: int) -> None:
    """A send without a token answers ``status``: 401 where the store holds a token
    (HTTP-018.1), 202 where it holds none; else the two sides compare nothing."""
    bare = Side(made.name, made.pid, made.conn, made.path, {"Content-Type": "application/json"})
    got = bare.request("POST", made.path, INC)
    if got != status:
        raise SystemExit(f"{made.name}: a send without a token answered {got}, not {status}")


@contextmanager
def side(name: str, folder: Path, tokens: bool) -> Iterator[Side]:
    """A service on a new store in ``folder`` with one counter; with a token if ``tokens``."""
    store = folder / name
    actor = _gritwit("actor", "create", "--store", str(store), "--create", "--test", "counter")
    headers = {"Content-Type": "application/json"}
    if tokens:
        scopes = ("--scope", "send,read", "--rate", str(RATE))
        token = _gritwit("token", "add", "--store", str(store), "bench", *scopes)
        headers["Authorization"] = f"Bearer {token}"
    with running_service(store) as (url, pid):
        where = urlsplit(url)
        conn = http.client.HTTPConnection(where.hostname or "", where.port, timeout=120)
        try:
            made = Side(name, pid, conn, f"/v1/actors/{actor}/messages", headers)
            _door_is(made, 401 if tokens else 202)
            yield made
        finally:
            conn.close()


def measure(sends: int, rounds: int) -> dict[str, object]:
    """Both sides, ``rounds`` alternating rounds of ``sends`` sends each (after one
    warm-up round each): the medians, their ratio and the load."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="gritwit-auth-cost-") as tmp, ExitStack() as stack:
        sides = [
            stack.enter_context(side("open", Path(tmp), tokens=False)),
            stack.enter_context(side("tokens", Path(tmp), tokens=True)),
        ]
        for each in sides:
            each.round(sends)  # warm-up: imports, caches, the first pages of the store
        for n in range(rounds):
            for each in sides if n % 2 == 0 else reversed(sides):
                each.per_send.append(each.round(sends))
    medians = {each.name: statistics.median(each.per_send) for each in sides}
    return {
        "sends_per_round": sends,
        "rounds": rounds,
        "cpu_ms_per_send": {k: round(v * 1000, 3) for k, v in medians.items()},
        "tokens_over_open": round(medians["tokens"] / medians["open"], 3),
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=300, help="sends a round, each side")
    parser.add_argument("--rounds", type=int, default=10, help="rounds, each side")
    args = parser.parse_args(argv)
    if args.sends < 1 or args.rounds < 1:
        parser.error("--sends and --rounds are at least 1")
    print(json.dumps(measure(args.sends, args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
