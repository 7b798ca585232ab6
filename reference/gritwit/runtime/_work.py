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

Whatever the work, a *backstop* (RUN-005.9) fails an attempt that was *awake* for
:func:`backstop` seconds: :data:`BACKSTOP_FACTOR` times the bound, at least
:data:`BACKSTOP_FLOOR`.  Awake is its wall time less the waits for a CPU the kernel has
reported for its thread (:meth:`WorkClock.awake`): running, blocked or asleep, but not
queued behind other processes.  It catches a transition whose work the clock cannot see
— runnable for a minute with no CPU time, blocked where its state does not say — and
no load reaches it: at load 30 the run went 45 times slower than its CPU, so
a wall-clock backstop of 60 s failed any attempt with more than about 1.3 s of work.
A wait under way is reported only when it ends, so the awake time may hold that one
wait: a few scheduler periods, far below the backstop.

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

__all__ = [
    "BACKSTOP_FACTOR",
    "BACKSTOP_FLOOR",
    "WorkClock",
    "await_work",
    "awake_since",
    "backstop",
    "waits_sample",
]

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


#: The loop thread's waits for a CPU as last read: (thread, when, seconds waited).
_sample: tuple[int, float, float | None] = (0, -1e18, None)


def waits_sample() -> tuple[float, float | None]:
    """When the calling thread's waits for a CPU were last read, and their sum (RUN-005.9).

    For an inline attempt, which reads no file as it starts: read at most once a second
    per thread, so an attempt's awake time, judged from the sample, counts its thread's
    waits of at most a second before it started as its own (a backstop of a minute
    loses at most that second).
    """
    global _sample
    tid, at, waited = _sample
    now = time.monotonic()
    if now - at > 1.0 or tid != threading.get_ident():
        tid = threading.get_ident()
        at, waited = now, _waited(f"/proc/self/task/{threading.get_native_id()}/schedstat")
        _sample = (tid, at, waited)
    return at, waited


def awake_since(wall: float, sample: tuple[float, float | None]) -> float:
    """The calling thread's seconds since ``wall`` less its waits for a CPU since
    ``sample`` (:func:`waits_sample`'s); the wall time where none is reported."""
    elapsed = time.monotonic() - wall
    _, before = sample
    if before is None:
        return elapsed
    now = _waited(f"/proc/self/task/{threading.get_native_id()}/schedstat")
    return elapsed if now is None else elapsed - (now - before)


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

    def awake(self) -> float:
        """Seconds since the attempt started less the waits for a CPU reported since
        (RUN-005.9): the backstop's measure; the wall time where none is reported."""
        wall = self.wall()
        if self._path is None:
            return wall
        waited = _waited(self._path)
        if waited is None:  # the thread ended: its outcome is in
            return 0.0
        return wall - (waited - self._waited)

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
    ``time_limit`` (RUN-005.8) or its awake time the backstop (RUN-005.9).

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
            used, wall = clock[0].work(), clock[0].awake()
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
