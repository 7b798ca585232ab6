"""The engine lane: Wasm and sandboxed Python transitions, off the event loop, bounded (RUN-005.7).

Every call into the process's Wasm engine — a Wasm Wit's step (chapter 08), a
sandboxed Python run (chapter 09) — takes one process-wide lock (the engine
module says why), so such transitions run one at a time whatever the runtime
does.  Run inline on the event loop, a sandboxed run that spends its time in
host calls held up every other actor for as long as its fuel lasted (
one message to such an actor stalled a neighbouring counter for minutes), and
no time bound could cut it short.

The lane runs each such transition in a thread of its own, one at a time across
the process, and the runtime awaits it under its time bound (RUN-005), measured
from the moment the transition *starts* — takes the lane — so that waiting
behind another actor's transition never fails an attempt (RUN-005.7), and on the
lane thread's own work, not the machine's (:mod:`._work`, RUN-005.8), with a
backstop on its awake time (RUN-005.9).  An
attempt that overruns is abandoned: it fails at once for the runtime (RUN-005.3),
while its thread runs on until the transition returns, holding the lane, so a
later transition waits for it rather than competing for the engine.  A sandboxed
run in the thread stops as soon as its attempt is abandoned (or cancelled): the
lane hands the thread a :class:`~gritwit._deadline.Deadline` that it cancels
then (SBX-006.10), so the lane is free again within about a second — the deadline has
no end of its own in wall time, which a machine slowed 45-fold would reach before the
attempt's work did; the host work around the run — mounting the core,
checking the new one, reading it back — stops at the same deadline, at its next
:func:`~gritwit._deadline.checkpoint` (RUN-005.10).  A Wasm Wit's step still runs
until its fuel ends (see the limits in the runtime chapter's rationale).

The threads are daemons of their own, not the default executor's: an abandoned
run must not keep the process from exiting (``asyncio.run`` joins the default
executor's threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .._deadline import Deadline, deadline_scope
from ._work import WorkClock, await_work

__all__ = ["busy", "run_in_lane"]

T = TypeVar("T")

#: Held by the transition running in the lane (one at a time across the process).
_LANE = threading.Lock()
#: Guards :data:`_queued`.
_COUNT = threading.Lock()
#: Lane threads started and not finished: waiting for the lane, or in it.
_queued = 0


def busy() -> bool:
    """Whether a lane transition is waiting or running (then the engine lock may be held)."""
    return _queued > 0


def _count(delta: int) -> None:
    global _queued
    with _COUNT:
        _queued += delta


async def run_in_lane(work: Callable[[], T], time_limit: float) -> T:
    """``work()`` in the lane; :class:`TimeoutError` once its work reached ``time_limit``.

    RUN-005.1, RUN-005.3, RUN-005.6, RUN-005.7, RUN-005.8, RUN-005.9: the bound counts
    from the moment ``work`` starts, after any wait for the lane, on the lane thread's
    work (:func:`~._work.await_work`); an overrun abandons the thread and cancels its
    deadline (RUN-005.10).  Cancelled while it waits, ``work`` never runs.
    """
    loop = asyncio.get_running_loop()
    started: asyncio.Future[None] = loop.create_future()
    done: asyncio.Future[T] = loop.create_future()
    dropped = threading.Event()
    # no end of its own, which a loaded machine would reach (RUN-005.9): cancelled when
    # the attempt is given up, at its bound or its backstop, or when the awaiting task is
    stop = Deadline()
    clock: list[WorkClock] = []
    thread = threading.Thread(
        target=_serve,
        args=(loop, work, started, done, dropped, stop, clock),
        name="gritwit-lane",
        daemon=True,
    )
    _count(+1)
    try:
        thread.start()
    except BaseException:
        _count(-1)
        raise
    try:
        await started
    except BaseException:
        dropped.set()  # the run was cancelled while it waited: the work never starts
        raise
    try:
        return await await_work(done, clock, time_limit)
    except BaseException:
        stop.cancel()  # overrun or cancelled: a sandboxed run in the thread stops now
        done.cancel()  # its outcome, when it comes, is nobody's (RUN-005.3)
        raise


def _serve(
    loop: asyncio.AbstractEventLoop,
    work: Callable[[], Any],
    started: asyncio.Future[None],
    done: asyncio.Future[Any],
    dropped: threading.Event,
    stop: Deadline,
    clock: list[WorkClock],
) -> None:
    """The lane thread: wait for the lane, run ``work`` under ``stop``, hand its outcome to
    ``loop``."""
    try:
        with _LANE:
            if dropped.is_set():
                return
            stop.start()  # the bound counts from here (RUN-005.7) …
            clock.append(WorkClock())  # … on this thread's work (RUN-005.8)
            _post(loop, started, None, None)
            try:
                with deadline_scope(stop):
                    result = work()
            except BaseException as exc:  # handed to the awaiting task, if it still waits
                _post(loop, done, None, exc)
            else:
                _post(loop, done, result, None)
    finally:
        _count(-1)


def _post(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    error: BaseException | None,
) -> None:
    """Settle ``future`` on its loop, unless it was given up (an overrun) or the loop closed."""
    with contextlib.suppress(RuntimeError):  # a closed loop: no one waits for the run
        loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # abandoned after its bound (RUN-005.3), or cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
