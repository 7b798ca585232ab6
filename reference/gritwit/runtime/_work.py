"""What an attempt's time bound counts: its thread's own time, never the machine's (RUN-005.8).

A transition's bound (RUN-005.1) is judged on the time the thread that runs it spends
*for it*: running, or waiting on what the transition itself asked for (a ``nap``'s
sleep, a read of the store).  The time that thread spends runnable but waiting for a
CPU — the machine's load, other processes' work — is not counted (RUN-005.8), so that
a slow machine alone never fails an attempt.  On Linux the kernel reports that wait
per thread (``/proc/self/task/<tid>/schedstat``, its second field, in nanoseconds,
added when a wait ends) and the thread's CPU time (its CPU clock); where it does not,
the work is the wall time, as before (:class:`WorkClock` says how the two combine).

An attempt built inline on the event loop neither sleeps nor waits (the reference's
test actors, ``nap`` aside, RUN-005 in :mod:`._runtime`): its work is its thread's CPU
time (:func:`time.thread_time`), read twice, with no file to open.

Whatever the work, a wall-clock *backstop* (RUN-005.9) fails an attempt that ran
:func:`backstop` seconds: :data:`BACKSTOP_FACTOR` times the bound, at least
:data:`BACKSTOP_FLOOR`.  It catches a transition blocked on something that is not its
own time (a lock held elsewhere), and no load the reference meets reaches it.

A limit: a thread waiting for Python's interpreter lock sleeps, so that wait counts as
its work; it matters only while another thread of the process holds the lock, which
the reference's event loop does briefly (an abandoned test-actor thread that never
looks at its deadline, RUN-005.10, may hold it longer).
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


def _runnable(path: str) -> bool:
    """Whether the thread of ``path`` (its ``stat``) is running or waiting for a CPU.

    Its ``schedstat`` adds a wait for a CPU only once the wait ends, so while the
    thread is runnable its wall time less its waits may hold a wait under way; then
    only its CPU time is sure to be its work.
    """
    try:
        with open(path, "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] == b"R"
    except (OSError, IndexError):
        return True


class WorkClock:
    """The work of one attempt in one thread: made in that thread, read from any (RUN-005.8).

    :meth:`work` is the thread's CPU time since the clock was made while the thread is
    runnable, and the larger of that and its wall time less its waits for a CPU while it
    sleeps or blocks (a ``nap``, a read): each is a lower bound of its time that no wait
    for a CPU inflates.  Where the kernel reports no wait it is the wall time.
    """

    __slots__ = ("_clock", "_cpu", "_path", "_stat", "_waited", "_wall")

    def __init__(self) -> None:
        tid = threading.get_native_id()
        path: str | None = f"/proc/self/task/{tid}/schedstat"
        waited = _waited(path)
        self._stat = f"/proc/self/task/{tid}/stat"
        self._waited = waited or 0.0
        try:  # a thread's CPU clock: not on every platform (macOS has none)
            self._clock = time.pthread_getcpuclockid(threading.get_ident())
            self._cpu = time.clock_gettime(self._clock)
        except (AttributeError, OSError):
            waited = None
            self._clock, self._cpu = 0, 0.0
        self._path = path if waited is not None else None  # None: wall time (RUN-005.8)
        self._wall = time.monotonic()

    def wall(self) -> float:
        """Seconds since the attempt started, on the monotonic clock."""
        return time.monotonic() - self._wall

    def work(self) -> float:
        """Seconds the attempt's thread spent for it: not waiting for a CPU (RUN-005.8)."""
        wall = self.wall()
        if self._path is None:
            return wall
        try:
            cpu = time.clock_gettime(self._clock) - self._cpu
        except OSError:  # the thread ended: its outcome is in
            return 0.0
        if _runnable(self._stat):
            return cpu
        waited = _waited(self._path)
        if waited is None:
            return cpu
        return max(cpu, wall - (waited - self._waited))


async def await_work(done: asyncio.Future[T], clock: list[WorkClock], time_limit: float) -> T:
    """``done``'s outcome; :class:`TimeoutError` once its attempt's work reached
    ``time_limit`` (RUN-005.8) or its wall time the backstop (RUN-005.9).

    ``clock`` holds the attempt's :class:`WorkClock` once its thread started it (until
    then nothing is counted).  The work never exceeds the wall time, so waiting for the
    work still allowed never overshoots the bound; each look reads the thread's CPU
    clock and at most two small files of ``/proc``.  ``done`` is shielded: a wait that
    ends leaves it running.
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
