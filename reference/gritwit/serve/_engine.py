"""The engine: one thread, its own event loop, the store and the runtime (HTTP-001).

The engine owns the :class:`~gritwit.Store` and the :class:`~gritwit.runtime.Runtime`;
nothing else touches them.  Two tasks share its loop:

* the *runner* runs the runtime continuously (HTTP-001.1): a bounded run
  (:meth:`~gritwit.runtime.Runtime.run_until_quiescent` of at most ``slice_steps``
  steps, RUN-018.1), again while work is left; once quiescent it waits for a command
  that brings work, or for another writer's swap
  (:meth:`~gritwit.runtime.Runtime.wait_for_swaps`: NOTIFY on PostgreSQL, a short
  sleep elsewhere, RUN-020.6), then runs again, so messages other services and
  runtimes send to the store are run too.  It counts the runs it starts, for
  ``settle`` (HTTP-011.1);
* the *drainer* answers commands (:mod:`._engine_commands`, and the operations of its
  port, :mod:`._port`, done by :class:`~._engine_ops.StateOps`) as they arrive, between
  runs and while a run waits for its transitions (a send then wakes the run, RUN-018.2):
  all the sends of one drain go out in one commit (:class:`~._sending.Sender`), each
  request answered once it is durable (HTTP-005.2).

HTTP handlers :meth:`Engine.submit` a command from any thread and await the
:class:`concurrent.futures.Future` it returns.  :meth:`Engine.stop` ends the runner
after its run, answers what is queued, flushes the runtime and closes the store
(HTTP-001.4).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .._errors import ServiceStopping
from ..runtime import (
    FIRST_BACKOFF,
    IDLE_AFTER,
    MAX_RESIDENT,
    TIME_LIMIT,
    LifecycleEvent,
    PortBounds,
    RoutingIndex,
    Runtime,
    Share,
)
from ..runtime._alarm import SERVICE_TEST_ACTORS
from ..runtime._port import PortService
from ..runtime._port_policy import Rule
from ..runtime._port_secrets import Secrets
from ..runtime._timers import TimerService
from ..store import Store
from ..wit import TEST_ACTORS
from ._engine_commands import Command, Create, EngineState, Send, SendBatch, Settle
from ._engine_ops import StateOps
from ._port import EnginePort, Operation
from ._sending import Sender, fail, resolve

if TYPE_CHECKING:  # prometheus_client is loaded by the service, not by `import gritwit`
    from ._metrics import ServiceMetrics

__all__ = ["Engine", "EngineSettings"]

_log = logging.getLogger("gritwit.serve")

#: What a submitted command is answered with.
Answer = TypeVar("Answer")


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineSettings:
    """How the engine runs its runtime.

    ``share``: the actors it runs (RUN-021, HTTP-001.2); ``slice_steps``: the most steps
    of one run (RUN-018.1); ``idle_wait``: seconds a quiescent engine waits for another
    writer's swap before it runs again anyway; the rest are the runtime's own (RUN-004.3,
    RUN-005, RUN-012).
    """

    share: Share | None = None
    slice_steps: int = 256
    idle_wait: float = 0.2
    time_limit: float = TIME_LIMIT
    idle_after: float | None = IDLE_AFTER
    max_resident: int | None = MAX_RESIDENT
    first_backoff: float = FIRST_BACKOFF
    #: The port's policy and secrets, the operator's (PORT-003, PORT-009.1): none allows
    #: nothing (PORT-003.3).
    port_policy: tuple[Rule, ...] = ()
    secrets: Secrets = field(default_factory=Secrets)
    #: The port's bounds: PORT-005's defaults, or the operator's in-flight bounds
    #: (PORT-005.8, :mod:`._port_bounds`).
    port_bounds: PortBounds = field(default_factory=PortBounds)


def _stopping() -> ServiceStopping:
    return ServiceStopping("HTTP-001.4", "the service is stopping")


class Engine:
    """The store and the runtime, run in a thread of their own (HTTP-001)."""

    def __init__(
        self,
        store: Store,
        settings: EngineSettings | None = None,
        *,
        observer: Callable[[LifecycleEvent], object] | None = None,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self._store = store
        self.settings = settings or EngineSettings()
        self._observer = observer
        #: Told each run's report and each commit's time (HTTP-014.1).
        self._metrics = metrics
        self._queue: deque[tuple[Command[Any], concurrent.futures.Future[Any]]] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrived: asyncio.Event | None = None
        self._kick: asyncio.Event | None = None
        self._started: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(
            target=self._thread_main, name="gritwit-engine", daemon=True
        )
        self._stop_asked = False
        self._closed = False
        #: Runs started so far; a settle waits for one numbered above this at its arrival.
        self.runs = 0
        self._settles: list[tuple[int, float, concurrent.futures.Future[Any]]] = []

    # --- the caller's side (any thread) ----------------------------------------------

    def start(self, timeout: float = 60.0) -> None:
        """Start the thread; return once the runtime is made, or raise why it was not."""
        self._thread.start()
        self._started.result(timeout)

    @property
    def ready(self) -> bool:
        """Whether the engine runs and is not stopping (HTTP-001.5)."""
        return self._started.done() and self._started.exception() is None and not self._stop_asked

    def submit(self, command: Command[Answer]) -> concurrent.futures.Future[Answer]:
        """Queue ``command``; its future answers it (from the engine's thread)."""
        future: concurrent.futures.Future[Answer] = concurrent.futures.Future()
        with self._lock:
            loop = self._loop
            if self._closed or loop is None:
                future.set_exception(_stopping())
                return future
            self._queue.append((command, future))
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: stop answers it
            loop.call_soon_threadsafe(self._wake_drainer)
        return future

    def stop(self, timeout: float | None = None) -> None:
        """Stop the runner after its run, answer what is queued, flush, close the store
        (HTTP-001.4); returns when done.  Idempotent."""
        with self._lock:
            self._stop_asked = True
            loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_runner)
        if self._thread.is_alive():
            self._thread.join(timeout)

    # --- the engine's thread ---------------------------------------------------------

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main(loop))
        finally:
            loop.close()

    def _wake_drainer(self) -> None:
        if self._arrived is not None:
            self._arrived.set()

    def _wake_runner(self) -> None:
        if self._kick is not None:
            self._kick.set()

    async def _main(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            settings = self.settings
            runtime = Runtime(
                self._store,
                actors={**TEST_ACTORS, **SERVICE_TEST_ACTORS},  # alarm too (HTTP-007.10)
                send_commit="own",  # a send is durable when send_all returns (RUN-019.1)
                share=settings.share,
                time_limit=settings.time_limit,
                idle_after=settings.idle_after,
                max_resident=settings.max_resident,
                first_backoff=settings.first_backoff,
            )
            self._state = EngineState(self._store, runtime, RoutingIndex())
            self._ops: EnginePort = StateOps(self._state)
            #: The timer service on the time of day (HTTP-007.10, TIM-002 … TIM-006).
            self.timers = TimerService(runtime.service_door)
            #: The port service (PORT-002 … PORT-008): an answer wakes the runner to adopt it.
            self.port = PortService(
                runtime.service_door,
                policy=settings.port_policy,
                secrets=settings.secrets,
                bounds=settings.port_bounds,
                on_answer=lambda: loop.call_soon_threadsafe(self._wake_runner),
            )
            metrics = self._metrics
            self._sender = Sender(
                self._store, runtime, None if metrics is None else metrics.committed
            )
            if metrics is not None:
                runtime.on_commit(metrics.steps_committed)
            if self._observer is not None:
                runtime.subscribe(self._observer)
            self._arrived, self._kick = asyncio.Event(), asyncio.Event()
        except BaseException as exc:
            self._started.set_exception(exc)
            self._store.close()
            return
        with self._lock:
            self._loop = loop
        self._started.set_result(None)
        drainer = asyncio.create_task(self._drain_loop())
        try:
            await self._run_loop()
        finally:
            with self._lock:
                self._closed = True
            drainer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drainer
            await self._drain()  # what arrived before the close: answered as usual
            for _, _, future in self._settles:
                fail(future, _stopping())
            try:
                self.port.close()  # requests unanswered stay in flight (PORT-006.2)
                runtime.flush()
            finally:
                self._store.close()

    async def _run_loop(self) -> None:
        """Run, and run again, until asked to stop (HTTP-001.1)."""
        runtime, kick = self._state.runtime, self._kick
        assert kick is not None
        swaps: asyncio.Task[bool] | None = None
        while not self._stop_asked:
            kick.clear()
            self.runs += 1
            number = self.runs
            try:
                report = await runtime.run_until_quiescent(self.settings.slice_steps)
            except Exception:  # the store went away, …: log it, wait, run again (RUN-003)
                _log.exception("gritwit serve: a run failed; running again in 1 s")
                await asyncio.sleep(1.0)
                continue
            if self._metrics is not None:
                self._metrics.ran(report)
            if self._timer_pass():
                continue  # it read requests or fired: their recipients run at once
            if report.quiescent:
                self._settled(number)
            if not report.quiescent or kick.is_set() or self._stop_asked:
                continue
            if swaps is None or swaps.done():
                swaps = asyncio.create_task(runtime.wait_for_swaps(self.settings.idle_wait))
            kicked = asyncio.create_task(kick.wait())
            await asyncio.wait(
                {swaps, kicked}, timeout=self._until_due(), return_when=asyncio.FIRST_COMPLETED
            )
            kicked.cancel()
        if swaps is not None:
            with contextlib.suppress(Exception):
                await swaps

    def _until_due(self) -> float | None:
        """Seconds until the earliest pending timer is due, when that is sooner than the
        idle wait: the loop wakes for it, so a fire is late by a pass, not by the idle wait
        (0.2 s: p99 lateness 212 ms before, beside Restate's 11 ms). A timer already due
        that the last pass did not fire (another share's, TIM-006.3, or past the rate,
        TIM-004.5) waits the idle wait, so the loop never spins on it."""
        due = self.timers.next_due()
        if due is None:
            return None
        ahead = (due - self.timers.clock()) / 1000
        return ahead if 0 < ahead < self.settings.idle_wait else None

    def _timer_pass(self) -> bool:
        """One pass of the timer service (TIM-002 … TIM-006) after each run: what fell due
        while the service was down fires at its first (TIM-003.5); ``True`` when it
        adopted a timer step.  A failing pass is logged, and tried after the next run."""
        try:
            timed = self.timers.run_pass() is not None
            return self.port.run_pass() is not None or timed  # the port's too (PORT-002.1)
        except Exception:
            _log.exception("gritwit serve: a timer pass failed; trying again after the next run")
            return False

    def _settled(self, number: int) -> None:
        """Run ``number`` answered quiescent: answer the settles that arrived before it
        started (HTTP-011.1); forget those past their deadline."""
        now, waiting = time.monotonic(), []
        for needed, deadline, future in self._settles:
            if needed <= number:
                resolve(future, True)
            elif deadline >= now and not future.done():
                waiting.append((needed, deadline, future))
        self._settles = waiting

    async def _drain_loop(self) -> None:
        arrived = self._arrived
        assert arrived is not None
        while True:
            await arrived.wait()
            arrived.clear()
            await self._drain()

    async def _drain(self) -> None:
        """Answer every queued command; the sends among them in one commit."""
        with self._lock:
            items = list(self._queue)
            self._queue.clear()
        sender = self._sender
        for command, future in items:
            if not future.set_running_or_notify_cancel():
                continue  # the request went away before its turn: nothing is done for it
            try:
                if isinstance(command, Send):
                    sender.add_send(command, future)
                    self._wake_runner()
                elif isinstance(command, SendBatch):
                    sender.add_batch(command.sends, future)
                    self._wake_runner()
                elif isinstance(command, Create):
                    sender.add_create(command, future)
                    self._wake_runner()
                elif isinstance(command, Settle):
                    self._settles.append((self.runs + 1, command.deadline, future))
                    self._wake_runner()
                elif isinstance(command, Operation):
                    await sender.flush()  # an operation sees the sends that came before it
                    self._operate(command, future)
                else:  # the port's commands alone reach the engine's thread
                    raise TypeError(f"the engine has no command {type(command).__name__}")
            except Exception as exc:
                fail(future, exc)
        await sender.flush()

    def _operate(self, command: Operation[Any], future: concurrent.futures.Future[Any]) -> None:
        try:
            resolve(future, command.run(self._ops))
        except Exception as exc:
            fail(future, exc)
        if command.wakes:
            self._wake_runner()
