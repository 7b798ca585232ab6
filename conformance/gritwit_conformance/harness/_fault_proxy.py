"""The suite's fault proxy between an adapter and its store's server (ADP-022, DUR-006 … DUR-008).

An implementation that claims the feature ``store-server`` names in ``hello`` where its
store's server listens (``store_server``, ADP-022.1); a test starts a :class:`FaultProxy`
to it and opens a store ``via`` the proxy (ADP-022.2).  The proxy knows nothing of the
server's protocol: it counts bytes, and between two commands of a test it

* **refuses** (:meth:`FaultProxy.refuse`): the listening socket is closed and every
  connection with it, so a connection attempt meets ``ECONNREFUSED``, as with a server
  that is down (DUR-006.1); :meth:`FaultProxy.accept` listens again;
* **drops** (:meth:`FaultProxy.drop`): every open connection is closed, both sides, as by
  a server that restarted; new ones are accepted;
* **delays** (:attr:`FaultProxy.delay`): each chunk is held that long, each way;
* **cuts a connection mid-write** (:meth:`FaultProxy.cut_after`): once ``n`` bytes went
  up one connection since it was armed (a write that large was sent), the server's
  next answer on it is thrown away and the connection is closed, both sides: the
  client sent a write and never learns its outcome (DUR-006.2).  The proxy then counts
  the bytes that go up after the cut (:attr:`ProxyStats.up_after_cut`): a client that
  sends the write again sends them once more (DUR-007.2).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ._relay import CUT, FORWARD, Flow, TcpRelay, Upstream, Verdict

__all__ = ["FaultProxy", "ProxyStats", "parse_server"]


@dataclass(frozen=True, slots=True)
class ProxyStats:
    """What the proxy saw since its start or its last :meth:`FaultProxy.reset`."""

    connections: int  # connections accepted and forwarded
    bytes_up: int  # client → server, forwarded
    bytes_down: int  # server → client, forwarded
    cuts: int  # connections cut mid-write (cut_after)
    up_after_cut: int  # client → server bytes forwarded after the last cut


class _Counts:
    def __init__(self) -> None:
        self.connections = 0
        self.bytes_up = 0
        self.bytes_down = 0
        self.cuts = 0
        self.up_after_cut = 0


class _FaultFlow(Flow):
    """One connection: counts, and cuts it once armed and a write of ``n`` bytes went up."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.up_since_armed = 0
        self.doomed = False  # a write this large went up: its answer is cut

    def up(self, data: bytes) -> Verdict:
        proxy = self.proxy
        with proxy._lock:  # the whole write goes up, however long after the threshold
            proxy._counts.bytes_up += len(data)
            if proxy._counts.cuts:
                proxy._counts.up_after_cut += len(data)
            if proxy._armed is not None:
                self.up_since_armed += len(data)
                if self.up_since_armed >= proxy._armed:
                    proxy._armed = None
                    self.doomed = True
        return FORWARD

    def down(self, data: bytes) -> Verdict:
        proxy = self.proxy
        with proxy._lock:
            if self.doomed:
                proxy._counts.cuts += 1
                proxy._counts.up_after_cut = 0
                return CUT
            proxy._counts.bytes_down += len(data)
        return FORWARD


class FaultProxy(TcpRelay):
    """A fault-injecting TCP proxy on ``127.0.0.1`` to an implementation's store server."""

    def __init__(self, upstream: Upstream, *, delay: float = 0.0) -> None:
        super().__init__(upstream, delay=delay)
        self._lock = threading.Lock()
        self._counts = _Counts()
        self._armed: int | None = None

    @property
    def address(self) -> str:
        """Where the proxy listens, ``127.0.0.1:<port>``: the ``via`` of ADP-022.2."""
        return f"127.0.0.1:{self.port}"

    def flow(self) -> Flow:
        with self._lock:
            self._counts.connections += 1
        return _FaultFlow(self)

    def refuse(self) -> None:
        """Refuse new connections and close the open ones (a server that is down)."""
        self.stop_listening()

    def accept(self) -> None:
        """Accept connections again after :meth:`refuse`."""
        self.listen_again()

    def drop(self) -> None:
        """Close every open connection, both sides (a server that restarted)."""
        self.drop_connections()

    def cut_after(self, n: int) -> None:
        """Arm a cut: the first connection that sends ``n`` bytes up from now has the
        server's next answer thrown away and is closed, both sides."""
        if n < 1:
            raise ValueError(f"a cut needs at least 1 byte sent, not {n}")
        with self._lock:
            self._armed = n

    def disarm(self) -> None:
        """Forget an armed cut that has not happened."""
        with self._lock:
            self._armed = None

    def stats(self) -> ProxyStats:
        with self._lock:
            c = self._counts
            return ProxyStats(c.connections, c.bytes_up, c.bytes_down, c.cuts, c.up_after_cut)

    def reset(self) -> None:
        """Start the counts again (open connections stay as they are)."""
        with self._lock:
            self._counts = _Counts()


def parse_server(text: str) -> Upstream:
    """The ``store_server`` of ``hello`` (ADP-022.1): an absolute path is a Unix socket,
    else ``HOST:PORT`` (a bracketed IPv6 host allowed).  ``ValueError`` otherwise."""
    if text.startswith("/"):
        return text
    host, sep, port = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isascii() or not port.isdigit() or len(port) > 5:
        raise ValueError(f"store_server must be HOST:PORT or an absolute path, not {text!r:.80}")
    number = int(port)
    if not 0 < number < 65536:
        raise ValueError(f"store_server's port must be 1 to 65535, not {number}")
    return host, number
