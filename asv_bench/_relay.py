"""A TCP relay in front of a PostgreSQL server that counts round trips and can add latency
(DUR-005).

:class:`Relay` listens on ``127.0.0.1`` (an ephemeral port) in an asyncio loop of a
background thread and forwards every connection to the server: a Unix socket (the
throwaway cluster of ``reference/tests/pg_server.py`` has no TCP listener) or a TCP
address.  The forwarding is the judge's (:class:`gritwit_conformance.harness.TcpRelay`,
which the suite's fault proxy of ADP-022 is made of too); this module adds the
protocol's framing and the counts.

* **Latency.**  With ``delay_ms`` each chunk read from one side is held that long before
  it is written to the other, in each direction: a queue per direction with due times,
  so chunks keep their order and a burst is held once, not once per chunk, as on a
  link with that one-way latency.  Each chunk's hold (written minus read) is recorded;
  :meth:`Relay.stats` gives the least and the most.
* **Round trips.**  A *turn* is the flow of a connection turning from client → server to
  server → client: a client write answered by the server.  A pipeline of statements
  with one sync is one turn; each synchronous statement is one.  The turns of the
  connection's start-up (up to the server's first ``ReadyForQuery``) are counted apart
  (``setup_turns``).
* **Statements.**  The client's protocol messages are framed (cheaply: headers only):
  ``statements`` counts ``Query`` and ``Execute`` messages, ``syncs`` the ``Sync``
  messages.
* **CPU.**  The relay thread's own CPU time (``relay_cpu``), for a caller that measures
  its process's CPU and must not count the relay's.

:meth:`Relay.stats` gives totals since the start or the last :meth:`Relay.reset`.  Use
it as a context manager: leaving the block closes every connection and stops the
thread (bounded waits: it never hangs).
"""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from gritwit_conformance.harness import FORWARD, STOP_LIMIT, Flow, TcpRelay, Verdict

#: Start-up request codes answered with one untyped byte (SSLRequest, GSSENCRequest).
_ONE_BYTE_ANSWERS: Final = (80877103, 80877104)


@dataclass(frozen=True, slots=True)
class RelayStats:
    """Totals of a relay since its start or its last :meth:`Relay.reset`."""

    connections: int = 0  # connections accepted
    turns: int = 0  # client → server flow answered by the server, after start-up
    setup_turns: int = 0  # the same during start-up (to the first ReadyForQuery)
    statements: int = 0  # Query and Execute messages from clients
    syncs: int = 0  # Sync messages from clients
    bytes_up: int = 0  # client → server
    bytes_down: int = 0  # server → client
    chunks: int = 0  # chunks forwarded, both directions
    min_hold: float = 0.0  # seconds: the least a chunk was held (0.0 when none)
    max_hold: float = 0.0
    #: seconds: the mean hold beyond the delay asked for (the relay's own added delay)
    mean_excess: float = 0.0
    relay_cpu: float = 0.0  # CPU seconds of the relay's thread, since it started


class _Frames:
    """The message boundaries of one direction of the PostgreSQL protocol (headers only)."""

    def __init__(self, untyped: int) -> None:
        self.untyped = untyped  # start-up packets still to come (no type byte)
        self.one_byte = 0  # one-byte answers still to come (to SSL/GSS requests)
        self.header = b""
        self.skip = 0  # bytes of the current message's body still to come

    def feed(self, data: bytes) -> Iterator[tuple[str, int]]:
        """The messages that start in ``data``: (type, start-up code or 0)."""
        view, i, n = memoryview(data), 0, len(data)
        while i < n:
            if self.skip:
                step = min(self.skip, n - i)
                self.skip -= step
                i += step
                continue
            if self.one_byte:
                self.one_byte -= 1
                i += 1
                continue
            size = 8 if self.untyped else 5  # start-up: length and code; else type and length
            need = size - len(self.header)
            self.header += bytes(view[i : i + need])
            i += min(need, n - i)
            if len(self.header) < size:
                return
            if self.untyped:
                length, code = struct.unpack("!II", self.header)
                self.untyped -= 1
                yield "", code
                length -= 4  # the code was read with the header
            else:
                (length,) = struct.unpack("!I", self.header[1:])
                yield chr(self.header[0]), 0
            self.skip = max(length - 4, 0)
            self.header = b""


@dataclass
class _Counters:
    connections: int = 0
    turns: int = 0
    setup_turns: int = 0
    statements: int = 0
    syncs: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    chunks: int = 0
    min_hold: float = 0.0
    max_hold: float = 0.0
    holds: int = field(default=0, repr=False)
    held: float = field(default=0.0, repr=False)  # seconds, all holds together

    def hold(self, seconds: float) -> None:
        self.min_hold = seconds if not self.holds else min(self.min_hold, seconds)
        self.max_hold = max(self.max_hold, seconds)
        self.holds += 1
        self.held += seconds

    def mean_excess(self, delay: float) -> float:
        return max(0.0, self.held / self.holds - delay) if self.holds else 0.0


class _Connection(Flow):
    """One relayed connection: its two directions and who spoke last."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.last_up = False  # the client spoke last
        self.ready = False  # the server sent its first ReadyForQuery
        self.frames_up = _Frames(untyped=1)
        self.frames_down = _Frames(untyped=0)

    def up(self, data: bytes) -> Verdict:
        counted = self.relay._counted
        with self.relay._lock:
            counted.bytes_up += len(data)
            self.last_up = True
            for kind, code in self.frames_up.feed(data):
                if kind == "" and code in _ONE_BYTE_ANSWERS:
                    self.frames_up.untyped += 1  # the real start-up packet follows
                    self.frames_down.one_byte += 1
                elif kind in ("Q", "E"):
                    counted.statements += 1
                elif kind == "S":
                    counted.syncs += 1
        return FORWARD

    def down(self, data: bytes) -> Verdict:
        counted = self.relay._counted
        with self.relay._lock:
            counted.bytes_down += len(data)
            if self.last_up:
                if self.ready:
                    counted.turns += 1
                else:
                    counted.setup_turns += 1
            self.last_up = False
            if not self.ready:
                self.ready = any(kind == "Z" for kind, _ in self.frames_down.feed(data))
        return FORWARD


class Relay(TcpRelay):
    """A relay from ``127.0.0.1:<port>`` to a PostgreSQL server, in a background thread:
    the judge's loopback relay (:class:`gritwit_conformance.harness.TcpRelay`, which the
    suite's fault proxy is made of too) with the protocol's round trips counted.

    ``upstream``: a Unix socket path (a :class:`~pathlib.Path` or a ``str`` starting with
    ``/``) or ``(host, port)``.  ``delay_ms``: the hold of each chunk, each direction."""

    def __init__(self, upstream: Path | str | tuple[str, int], *, delay_ms: float = 0.0) -> None:
        if delay_ms < 0:
            raise ValueError(f"delay_ms must be >= 0, not {delay_ms}")
        super().__init__(upstream, delay=delay_ms / 1000.0)
        self._lock = threading.Lock()
        self._counted = _Counters()

    def flow(self) -> Flow:
        with self._lock:
            self._counted.connections += 1
        return _Connection(self)

    def forwarded(self, held: float) -> None:
        with self._lock:  # counted before the other side can see it (and ask)
            self._counted.chunks += 1
            self._counted.hold(held)

    def stats(self) -> RelayStats:
        """The totals since the start or the last :meth:`reset`."""
        with self._lock:
            counted = {f.name: getattr(self._counted, f.name) for f in fields(RelayStats)
                       if f.name not in ("relay_cpu", "mean_excess")}  # fmt: skip
            excess = self._counted.mean_excess(self.delay)
        return RelayStats(**counted, mean_excess=excess, relay_cpu=self._thread_cpu())

    def reset(self) -> None:
        """Start the totals again (open connections stay as they are)."""
        with self._lock:
            self._counted = _Counters()

    def url(self, url: str) -> str:
        """``url`` (a ``postgresql://`` URL of the relay's server) through this relay:
        host ``127.0.0.1`` and the relay's port, without TLS or GSS encryption (the relay
        frames the protocol); the user, database and options kept."""
        return through(url, self.port)

    def _thread_cpu(self) -> float:
        loop = self._loop
        if loop is None or self._thread is None or not self._thread.is_alive():
            return 0.0
        future = asyncio.run_coroutine_threadsafe(_cpu(), loop)
        try:
            return future.result(STOP_LIMIT)
        except Exception:  # stopped meanwhile
            return 0.0


async def _cpu() -> float:
    return time.thread_time()


def unix_socket(socket_dir: Path | str) -> Path:
    """The PostgreSQL Unix socket in ``socket_dir`` (``.s.PGSQL.<port>``)."""
    found = sorted(p for p in Path(socket_dir).glob(".s.PGSQL.*") if p.suffix != ".lock")
    if not found:
        raise FileNotFoundError(f"no .s.PGSQL.<port> socket in {socket_dir}")
    return found[0]


def upstream_of(url: str) -> Path | tuple[str, int]:
    """Where the server of a ``postgresql://`` URL listens: its Unix socket (``host`` a
    directory) or ``(host, port)``."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = query.get("host") or parts.hostname or "/var/run/postgresql"
    port = int(query.get("port") or parts.port or 5432)
    if host.startswith("/"):
        return Path(host) / f".s.PGSQL.{port}"
    return host, port


def through(url: str, port: int) -> str:
    """``url`` with host ``127.0.0.1:port`` (a relay's) and ``sslmode=disable``,
    ``gssencmode=disable``; user, password, database and other parameters kept."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in ("host", "hostaddr", "port", "sslmode", "gssencmode")
    ]
    query += [("sslmode", "disable"), ("gssencmode", "disable")]
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, quote_via=quote)))
