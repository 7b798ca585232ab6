"""A transition's deadline (RUN-005.7, RUN-005.10, SBX-006.10): when its work must stop.

A runtime bounds a transition's wall time (RUN-005.7); its lane starts a
:class:`Deadline` when the transition starts and cancels it when it gives the attempt
up (RUN-005.3).  Code the transition runs in that thread finds it with
:func:`current_deadline` (set by :func:`deadline_scope`): the sandbox stops a run at
it (SBX-006.10, SBX-006.11), and the host work around the guest — mounting a core,
checking it, reading it back — calls :func:`checkpoint` as it walks, so that an
abandoned attempt stops there too (RUN-005.10).  This module is plain Python, below
the Wit executor, the runtime and the sandbox that all use it; whoever must act the
moment a deadline's end becomes known or it is cancelled (the sandbox's watchdog)
registers with :func:`on_deadline_change`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from ._errors import TimeLimit

__all__ = [
    "CHECK_EVERY",
    "Deadline",
    "checkpoint",
    "current_deadline",
    "deadline_scope",
    "on_deadline_change",
]

#: Host work that walks a core checks its thread's deadline at least once every this
#: many entries or objects (RUN-005.10): an abandoned attempt's walk ends within that.
CHECK_EVERY: Final = 1024

#: Called when a deadline's end becomes known or it is cancelled.
_LISTENERS: list[Callable[[], None]] = []


def on_deadline_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` whenever a deadline starts its clock or is cancelled."""
    _LISTENERS.append(listener)


def _notify() -> None:
    for listener in _LISTENERS:
        listener()


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
        _notify()  # a run already watched: its end is known now

    def cancel(self) -> None:
        """Stop the run now (a runtime gave it up, RUN-005.3); a run not yet begun never runs."""
        self._cancelled.set()
        _notify()

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


def checkpoint() -> None:
    """Stop host work whose attempt was given up or ran out of time (RUN-005.10).

    Raises the ``time-limit`` of this thread's deadline (:func:`deadline_scope`) once
    it passed or was cancelled; without a deadline (a run outside any runtime lane or
    worker) it does nothing.  Walks call it every :data:`CHECK_EVERY` steps.
    """
    deadline: Deadline | None = getattr(_LOCAL, "deadline", None)
    if deadline is not None and deadline.passed():
        raise deadline.error()
