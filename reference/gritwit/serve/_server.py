"""One service: its engine, its app, and uvicorn serving it on a socket (HTTP-001).

:class:`Service` binds its socket when made (port 0: a free one, so its URL is known at
once), starts the engine, then serves until asked to stop.  Stopping (SIGTERM or an
interrupt with ``signals``, or :meth:`Service.begin_stop` from any thread) follows
HTTP-001.4: the probes say not ready, event streams end, settles answer
``service-stopping``; uvicorn stops taking connections and finishes the requests under
way, every acknowledged send among them committed before its answer (HTTP-005.2); then
the engine stops, flushes the runtime and closes the store.

:class:`ServiceThread` runs a service in a thread of this process (the adapter's
``http-serve``, ADP-021; tests), with no signal handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import signal
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

import uvicorn

from ..store import Store
from ._app import build_app
from ._auth import TokenBook
from ._engine import Engine, EngineSettings
from ._events import EventFeed
from ._http import ServiceState
from ._limits import HEADER_BYTES, ServiceLimits
from ._metrics import ServiceMetrics
from ._protocol import guarded_protocol
from ._tokens import load_tokens

__all__ = ["OpenDoor", "Service", "ServiceThread", "is_loopback", "listen_socket"]


class OpenDoor(ValueError):
    """A service asked to listen beyond loopback with nothing to check who calls it
    (HTTP-019.1): no token in its store, and the operator did not say so expressly."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``localhost`` is)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    """uvicorn's server, stopped by the service's own handler: uvicorn's raises the
    signal again once it has stopped, and the process would die of it, not exit 0."""

    on_signal: Callable[[], None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        handle = self.on_signal
        if handle is None or threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: object) -> None:
            if self.should_exit:  # a second signal: stop without waiting
                self.force_exit = True
            handle()

        originals = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, original in originals.items():
                signal.signal(sig, original)


def listen_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (``0``: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted sockets only then (no
    # 40 ms of Nagle's algorithm against delayed ACKs on each answer).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class Service:
    """A service over ``store``, listening on ``host``:``port`` (HTTP-001.3: loopback by
    default)."""

    def __init__(
        self,
        store: Store,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        settings: EngineSettings | None = None,
        limits: ServiceLimits | None = None,
        insecure_no_auth: bool = False,
        tls: tuple[str, str] | None = None,
    ) -> None:
        # HTTP-018.5: a store that holds a token makes the service require one; the
        # operator turns that off only in those words (HTTP-019.1).
        tokens = load_tokens(store)
        #: Whether it requires a token of every request but the open ones (HTTP-018.1).
        self.requires_tokens = bool(tokens) and not insecure_no_auth
        if not self.requires_tokens and not insecure_no_auth and not is_loopback(host):
            store.close()
            raise OpenDoor(
                f"HTTP-019.1: refusing to listen on {host}, beyond loopback, with no token: "
                "add one (gritwit token add) or say --insecure-no-auth"
            )
        self.limits = limits or ServiceLimits()
        self.feed = EventFeed(self.limits.events_buffer)
        #: Its metrics, in a registry of its own (HTTP-014.1).
        self.metrics = ServiceMetrics()
        self.engine = Engine(store, settings, observer=self.feed.publish, metrics=self.metrics)
        self.state = ServiceState(self.engine, self.limits, self.feed, self.metrics)
        try:
            self.socket = listen_socket(host, port)
        except BaseException:
            store.close()
            raise
        bound = self.socket.getsockname()[1]
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://{f'[{host}]' if ':' in host else host}:{bound}"
        #: The service's ASGI app, behind its tokens (HTTP-018) and limits (HTTP-013).
        self.app = build_app(
            self.state,
            TokenBook(tokens),
            required=self.requires_tokens,
            watch=not insecure_no_auth,
        )
        config = uvicorn.Config(
            self.app,
            ssl_certfile=tls[0] if tls else None,
            ssl_keyfile=tls[1] if tls else None,
            http=guarded_protocol(self.limits.read_timeout),
            h11_max_incomplete_event_size=HEADER_BYTES,
            timeout_keep_alive=max(1, math.ceil(self.limits.keep_alive)),
            timeout_graceful_shutdown=math.ceil(self.limits.read_timeout) + 30,
            lifespan="off",
            log_config=None,
            access_log=False,
        )
        self.server = _Server(config)
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def ready(self) -> bool:
        """Whether it serves and its engine runs (HTTP-001.5)."""
        return self.server.started and self.engine.ready and not self.state.stopping

    def begin_stop(self) -> None:
        """Stop as SIGTERM does (HTTP-001.4); from any thread, or a signal handler."""
        loop = self._loop
        if loop is None:
            self.state.begin_stop()
        else:
            with contextlib.suppress(RuntimeError):  # its loop already closed
                loop.call_soon_threadsafe(self.state.begin_stop)
        self.server.should_exit = True

    async def serve(self, *, signals: bool = False) -> None:
        """Start the engine, serve until stopped, then stop the engine (HTTP-001.4)."""
        self._loop = asyncio.get_running_loop()
        self.state.stopped()  # made on this loop
        self.server.on_signal = self.begin_stop if signals else None
        try:
            await asyncio.to_thread(self.engine.start)
            if not self.server.should_exit:
                await self.server.serve(sockets=[self.socket])
        finally:
            self.state.begin_stop()
            await asyncio.to_thread(self.engine.stop)
            self.socket.close()


class ServiceThread:
    """A :class:`Service` run in a thread of its own, with its own event loop."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="gritwit-serve", daemon=True)

    def _main(self) -> None:
        try:
            asyncio.run(self.service.serve())
        except BaseException as exc:  # told by start() or stop()
            self.error = exc

    def start(self, timeout: float = 60.0) -> str:
        """Start serving; return the URL once ``GET /readyz`` answers 200 (ADP-021.1)."""
        self._thread.start()
        # its own probe: a service over TLS may have a certificate no authority signed
        unchecked = ssl.create_default_context()
        unchecked.check_hostname = False
        unchecked.verify_mode = ssl.CERT_NONE
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=unchecked)
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError(f"the service did not start: {self.error!r}")
            if self.service.ready:
                with (
                    contextlib.suppress(OSError),
                    opener.open(self.service.url + "/readyz", timeout=5) as answer,
                ):
                    if answer.status == 200:
                        return self.service.url
            time.sleep(0.01)
        self.stop()
        raise TimeoutError(f"the service at {self.service.url} was not ready in {timeout} s")

    def stop(self, timeout: float | None = None) -> None:
        """Stop as SIGTERM does (HTTP-001.4); return once it has stopped."""
        self.service.begin_stop()
        self._thread.join(timeout)
