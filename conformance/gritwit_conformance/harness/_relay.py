"""A TCP relay on loopback in a thread of its own: the one forwarder of the judge and the
benchmarks (ADP-022, DUR-005).

:class:`TcpRelay` listens on ``127.0.0.1`` (an ephemeral port) in an asyncio loop of a
background thread and forwards every connection to ``upstream``: a Unix socket (the
throwaway PostgreSQL cluster of ``reference/tests/pg_server.py`` has no TCP listener) or a
TCP address.  Standard library only, and nothing of any server's protocol: what a
subclass wants to know of the bytes it learns from its :class:`Flow` (one per
connection), which sees each chunk before it is forwarded and says what becomes of it
(:data:`FORWARD`, :data:`DISCARD`, :data:`CUT`).  Two subclasses use it: the suite's
fault proxy (:mod:`._fault_proxy`: refuses, drops, delays and cuts connections) and the
benchmarks' round-trip counter (``asv_bench/_relay.py``).

* **Latency.**  With ``delay`` (seconds) each chunk read from one side is held that long
  before it is written to the other, in each direction: a queue per direction with due
  times, so chunks keep their order and a burst is held once, not once per chunk, as on
  a link with that one-way latency.  :meth:`TcpRelay.forwarded` hears of each hold.
* **Bounded.**  :meth:`TcpRelay.stop` closes every connection and stops the thread within
  :data:`STOP_LIMIT` seconds: a relay never hangs its caller.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Final, Literal, Self

__all__ = ["CUT", "DISCARD", "FORWARD", "STOP_LIMIT", "Flow", "TcpRelay", "Upstream", "Verdict"]

#: Bytes read at a time from either side.
CHUNK: Final = 65536
#: Seconds :meth:`TcpRelay.stop` (and a pause or a drop) waits for the relay's thread.
STOP_LIMIT: Final = 5.0

#: What becomes of a chunk: sent on, thrown away, or the connection cut (both sides closed).
Verdict = Literal["forward", "discard", "cut"]
FORWARD: Final[Verdict] = "forward"
DISCARD: Final[Verdict] = "discard"
CUT: Final[Verdict] = "cut"

#: A Unix socket's path, or a TCP ``(host, port)``.
Upstream = Path | str | tuple[str, int]


class Flow:
    """One relayed connection as a subclass sees it: every chunk, each way, before it
    is forwarded.  The default forwards everything."""

    def up(self, data: bytes) -> Verdict:
        """A chunk from the client to the server."""
        return FORWARD

    def down(self, data: bytes) -> Verdict:
        """A chunk from the server to the client."""
        return FORWARD


class TcpRelay:
    """A relay from ``127.0.0.1:<port>`` to ``upstream``, in a background thread.

    ``upstream``: a Unix socket path (a :class:`~pathlib.Path` or a ``str`` starting with
    ``/``) or ``(host, port)``.  ``delay``: the hold of each chunk, each direction, in
    seconds."""

    def __init__(self, upstream: Upstream, *, delay: float = 0.0) -> None:
        if delay < 0:
            raise ValueError(f"a relay's delay must be >= 0 seconds, not {delay}")
        self.upstream = upstream
        self.delay = delay
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    # --- what a subclass changes ------------------------------------------------------------

    def flow(self) -> Flow:
        """The :class:`Flow` of a new connection, made once its server side is open."""
        return Flow()

    def forwarded(self, held: float) -> None:
        """A chunk was written on after ``held`` seconds (called in the relay's thread)."""

    # --- the caller's side -----------------------------------------------------------------

    def start(self) -> Self:
        """Start the thread and listen; returns when the port is known.  A relay already
        running is left as it is (``with relay.start():`` starts one thread, not two)."""
        if self._thread is not None and self._thread.is_alive():
            return self
        started = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(self._listen())
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # reported to start()
                failed.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=serve, name="gritwit-relay", daemon=True)
        self._thread.start()
        if not started.wait(STOP_LIMIT) or failed:
            raise RuntimeError(f"the relay did not start: {failed[0] if failed else 'timeout'}")
        return self

    def stop(self) -> None:
        """Close every connection and stop the thread (waits at most :data:`STOP_LIMIT` s)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_LIMIT)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop_listening(self) -> None:
        """Close the listening socket and every connection: a new connection is refused
        (``ECONNREFUSED``), as by a server that is down."""
        self._in_loop(self._unlisten())

    def listen_again(self) -> None:
        """Listen again on the same port after :meth:`stop_listening`."""
        self._in_loop(self._relisten())

    def drop_connections(self) -> None:
        """Close every open connection, both sides, as a server restarting would; new
        connections are accepted as before."""
        self._in_loop(self._close_all())

    # --- the loop's side --------------------------------------------------------------------

    def _in_loop(self, work: Coroutine[object, object, None]) -> None:
        loop = self._loop
        if loop is None:
            work.close()
            raise RuntimeError("the relay is not running")
        asyncio.run_coroutine_threadsafe(work, loop).result(STOP_LIMIT)

    async def _listen(self) -> asyncio.Server:
        return await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _unlisten(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._close_all()

    async def _relisten(self) -> None:
        if self._server is None:
            self._server = await self._listen()

    async def _close_all(self) -> None:
        for writer in list(self._writers):
            writer.close()
        tasks = [task for task in self._tasks if task is not asyncio.current_task()]
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_LIMIT)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self._relay(reader, writer)
        except asyncio.CancelledError:
            pass  # stopped: ends quietly (asyncio would log a cancelled handler)
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            writer.close()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if isinstance(self.upstream, tuple):
            return await asyncio.open_connection(*self.upstream)
        return await asyncio.open_unix_connection(str(self.upstream))

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await self._open_upstream()
        except OSError:
            return
        self._writers.add(up_writer)
        flow = self.flow()
        pipes = [
            asyncio.ensure_future(self._pipe(reader, up_writer, flow.up)),
            asyncio.ensure_future(self._pipe(up_reader, writer, flow.down)),
        ]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            self._writers.discard(up_writer)
            up_writer.close()

    async def _pipe(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        seen: Callable[[bytes], Verdict],
    ) -> None:
        """Read ``source``, show each chunk to the flow (``seen``), and write it to ``sink``
        once its hold is over: a FIFO of due times, so the order is kept.  A chunk the
        flow cuts ends this pipe, and so the connection, without forwarding it."""
        loop = asyncio.get_running_loop()
        queue: collections.deque[tuple[float, bytes]] = collections.deque()
        more = asyncio.Event()
        ended = False

        async def write() -> None:
            while True:
                while not queue:
                    if ended:
                        return
                    more.clear()
                    await more.wait()
                read_at, data = queue[0]
                due = read_at + self.delay
                while (now := loop.time()) < due:
                    await asyncio.sleep(due - now)
                queue.popleft()
                self.forwarded(loop.time() - read_at)  # before the other side can see it
                sink.write(data)
                await sink.drain()

        writing = asyncio.ensure_future(write())
        cut = False
        try:
            while True:
                try:
                    data = await source.read(CHUNK)
                except (ConnectionError, OSError):
                    data = b""
                read_at = loop.time()
                if not data:
                    break
                verdict = seen(data)
                if verdict == CUT:
                    cut = True
                    break
                if verdict == FORWARD:
                    queue.append((read_at, data))
                    more.set()
            ended = True
            more.set()
            if cut:
                return
            with contextlib.suppress(ConnectionError, OSError):
                await writing
                if sink.can_write_eof():
                    sink.write_eof()
        finally:
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=STOP_LIMIT)
