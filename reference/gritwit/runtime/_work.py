"""What an attempt's time bound counts: its thread's own time, never the machine's (RUN-005.8).

A transition's bound (RUN-005.1) is judged on the time the thread that runs it spends
*for it*: running, or waiting on what the transition itself asked for (a ``nap``'s
sleep, a read of the store).  The time that thread spends runnable but waiting for a
CPU — the machine's load, other processes' work — is not counted (RUN-005.8), so that
a slow machine alone never fails an attempt.  On Linux the kernel reports that wait
per thread (``/proc/self/task/<tid>/schedstat``, its second field, in nanoseconds);
where it does not, the wait is taken as zero and the work is the wall time, as before.

An attempt built inline on the event loop neither sleeps nor waits (the reference's
test actors, ``nap`` aside, RUN-005 in :mod:`._runtime`): its work is its thread's CPU
time (:func:`time.thread_time`), read twice, with no file to open.

Whatever the work, a wall-clock *backstop* (RUN-005.9) fails an attempt that ran
:func:`backstop` seconds: :data:`BACKSTOP_FACTOR` times the bound, at least
:data:`BACKSTOP_FLOOR`.  It catches a transition blocked on something that is not its
own time (a lock held elsewhere), and no load the reference meets reaches it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Final, TypeVar

__all__ = ["BACKSTOP_FACTOR", "BACKSTOP_FLOOR", "WorkClock", "await_work", "backstop"]

T = TypeVar("T")

#: The wall-clock backstop is this many times the bound (RUN-005.9) …
BACKSTOP_FACTOR: Final = 12.0
#: … and at least this many seconds.
BACKSTOP_FLOOR: Final = 60.0
#: The shortest wait between two looks at a running attempt's work, in seconds.
_TICK: Final = 0.05


def backstop(time_limit: float) -> float:
    """The wall-clock backstop of an attempt under ``time_limit`` (RUN-005.9)."""
    return max(BACKSTOP_FLOOR, BACKSTOP_FACTOR * time_limit)


def _waited(path: str | None) -> float | None:
    """Seconds the thread of ``path`` (its ``schedstat``) waited for a CPU, if known."""
    if path is None:
        return None
    try:
        with open(path, "rb") as stat:
            return int(stat.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return None


class WorkClock:
    """The work of one attempt in one thread: made in that thread, read from any (RUN-005.8).

    :meth:`work` is the wall time since the clock was made less the time its thread
    waited for a CPU meanwhile, once its thread is known to the kernel's accounting;
    the wall time where that is not reported.
    """

    __slots__ = ("_path", "_waited", "_wall")

    def __init__(self) -> None:
        path: str | None = f"/proc/self/task/{threading.get_native_id()}/schedstat"
        waited = _waited(path)
        self._path = path if waited is not None else None
        self._waited = waited or 0.0
        self._wall = time.monotonic()

    def wall(self) -> float:
        """Seconds since the attempt started, on the monotonic clock."""
        return time.monotonic() - self._wall

    def work(self) -> float:
        """Seconds the attempt's thread spent for it: not waiting for a CPU (RUN-005.8)."""
        wall = self.wall()
        waited = _waited(self._path)
        if waited is None:
            return wall
        return max(0.0, wall - (waited - self._waited))


async def await_work(done: asyncio.Future[T], clock: list[WorkClock], time_limit: float) -> T:
    """``done``'s outcome; :class:`TimeoutError` once its attempt's work reached
    ``time_limit`` (RUN-005.8) or its wall time the backstop (RUN-005.9).

    ``clock`` holds the attempt's :class:`WorkClock` once its thread started it (until
    then nothing is counted).  The work never exceeds the wall time, so waiting for the
    work still allowed never overshoots the bound; each look costs one read of the
    thread's ``schedstat``.  ``done`` is shielded: a wait that ends leaves it running.
    """
    limit = backstop(time_limit)
    waited_wall = time.monotonic()
    while True:
        if clock:
            used, wall = clock[0].work(), clock[0].wall()
        else:
            used, wall = 0.0, time.monotonic() - waited_wall
        if used >= time_limit or wall >= limit:
            raise TimeoutError
        wait = max(_TICK, min(time_limit - used, limit - wall))
        try:
            return await asyncio.wait_for(asyncio.shield(done), wait)
        except TimeoutError:
            if done.done():
                return done.result()
