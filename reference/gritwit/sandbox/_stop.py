"""Stopping a run by wall-clock time (SBX-006.10): a deadline, a watchdog and the engine's epoch.

Fuel bounds a run's work (SBX-006), not its wall time, and a runtime bounds a
transition's wall time (RUN-005.7).  A runtime that gives up an overrunning
attempt must also stop its run, or the run keeps the engine (and the process's
engine lock) busy until its fuel ends.  So the sandbox's engine compiles the
interpreter with epoch interruption: each watched run's store traps at the
engine's *next* epoch (``set_epoch_deadline(1)``), and nothing advances the
epoch but the watchdog, when the run's :class:`Deadline` passes or is cancelled.
The run then ends → ``time-limit`` (:class:`TimeLimit`, SBX-008.1) at the
interpreter's next function entry or loop header, whatever it was doing; a host
call under way finishes first (each is bounded by the fuel it is paid, SBX-006.5).

The epoch checks are in the compiled code; they count no fuel, so a run's fuel
(SBX-006) is the same with and without a deadline.  Sandboxed runs are serialised
by the engine lock, so one watched store at most runs on an engine at a time, and
advancing its epoch stops no other run.  A store that is not watched (the
snapshot's start-up) is given an epoch deadline it never reaches.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import wasmtime

from .._errors import TimeLimit

__all__ = [
    "Deadline",
    "TimeLimit",
    "current_deadline",
    "deadline_scope",
    "unwatched",
    "watched",
]

#: Epochs beyond the current one at which an unwatched store would trap: never.
NEVER: Final = 1 << 62


class Deadline:
    """When a run must stop: a point on the monotonic clock, a limit, a cancellation.

    ``Deadline(at)`` stops at the monotonic time ``at``; ``Deadline(seconds=s)`` at
    ``s`` seconds after :meth:`start` (called by whoever starts the clock: the run
    itself when it begins, or a runtime's lane when the transition does); both may
    be given, the earlier wins.  :meth:`cancel` stops it at once, from any thread.
    """

    __slots__ = ("_cancelled", "at", "seconds")

    def __init__(self, at: float | None = None, *, seconds: float | None = None) -> None:
        if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
            raise ValueError(
                f"[SBX-006.10] a time limit is a finite number of seconds > 0: {seconds}"
            )
        self.at = at
        self.seconds = seconds
        self._cancelled = threading.Event()

    def start(self, now: float | None = None) -> None:
        """Start the limit's clock (once: a later call changes nothing)."""
        if self.seconds is None:
            return
        end = (time.monotonic() if now is None else now) + self.seconds
        self.at = end if self.at is None else min(self.at, end)
        self.seconds = None
        _WATCHDOG.wake()  # a run already watched: its end is known now

    def cancel(self) -> None:
        """Stop the run now (a runtime gave it up, RUN-005.3); a run not yet begun never runs."""
        self._cancelled.set()
        _WATCHDOG.wake()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def passed(self, now: float | None = None) -> bool:
        """Whether the run must stop: cancelled, or its time is up."""
        if self._cancelled.is_set():
            return True
        if self.at is None:
            return False
        return (time.monotonic() if now is None else now) >= self.at

    def error(self) -> TimeLimit:
        """The run's ``time-limit`` (SBX-006.10)."""
        if self.cancelled:
            return TimeLimit("SBX-006.10", "the run was stopped: its caller gave it up")
        return TimeLimit("SBX-006.10", "the run was stopped at its time limit")


_LOCAL = threading.local()


@contextmanager
def deadline_scope(deadline: Deadline | None) -> Iterator[None]:
    """Runs this thread starts inside the block, without a deadline of their own, stop at
    ``deadline`` (how a runtime's lane bounds the sandboxed runs of a transition)."""
    before = getattr(_LOCAL, "deadline", None)
    _LOCAL.deadline = deadline
    try:
        yield
    finally:
        _LOCAL.deadline = before


def current_deadline() -> Deadline | None:
    """The deadline of :func:`deadline_scope` in this thread, if any."""
    found: Deadline | None = getattr(_LOCAL, "deadline", None)
    return found


@dataclass(slots=True, eq=False)
class _Watch:
    """One run under the watchdog: its engine, its deadline, and whether it was stopped."""

    engine: wasmtime.Engine
    deadline: Deadline
    stopped: bool = False


class _Watchdog:
    """One daemon thread per process: advances a watched run's engine epoch when it must stop."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watches: list[_Watch] = []
        self._thread: threading.Thread | None = None

    def add(self, store: wasmtime.Store, watch: _Watch) -> None:
        with self._cond:
            # Under the lock: the epoch cannot advance for an earlier run between reading
            # the current epoch here and registering this one.
            store.set_epoch_deadline(1)
            self._watches.append(watch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="gritwit-sandbox-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def remove(self, watch: _Watch) -> None:
        with self._cond:
            self._watches.remove(watch)

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _loop(self) -> None:  # pragma: no cover - runs in its own thread (covered by timing)
        with self._cond:
            while True:
                now = time.monotonic()
                wait: float | None = None
                for watch in self._watches:
                    if watch.stopped:
                        continue
                    if watch.deadline.passed(now):
                        watch.stopped = True
                        watch.engine.increment_epoch()
                    elif watch.deadline.at is not None:
                        left = watch.deadline.at - now
                        wait = left if wait is None else min(wait, left)
                self._cond.wait(wait)


_WATCHDOG: Final = _Watchdog()


@contextmanager
def watched(
    engine: wasmtime.Engine, store: wasmtime.Store, deadline: Deadline | None
) -> Iterator[None]:
    """Run ``store``'s code inside the block under ``deadline``: it traps with the trap code
    ``INTERRUPT`` once the deadline passes or is cancelled (never, without a deadline).
    A limit in seconds starts here."""
    if deadline is None:
        unwatched(store)
        yield
        return
    deadline.start()
    watch = _Watch(engine, deadline)
    _WATCHDOG.add(store, watch)
    try:
        yield
    finally:
        _WATCHDOG.remove(watch)


def unwatched(store: wasmtime.Store) -> None:
    """A store of the sandbox's engine that no deadline stops (the start-up of a snapshot)."""
    store.set_epoch_deadline(NEVER)
