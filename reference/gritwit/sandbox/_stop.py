"""Stopping a run by wall-clock time (SBX-006.10): a deadline, a watchdog and the engine's epoch.

Fuel bounds a run's work (SBX-006), not its wall time, and a runtime bounds a
transition's wall time (RUN-005.7).  A runtime that gives up an overrunning
attempt must also stop its run, or the run keeps the engine (and the process's
engine lock) busy until its fuel ends.  So the sandbox's engine compiles the
interpreter with epoch interruption: each watched run's store traps at the
engine's *next* epoch (``set_epoch_deadline(1)``), and nothing advances the
epoch but the watchdog, when the run's :class:`Deadline` passes or is cancelled.
(The deadline itself is the runtime's, :mod:`gritwit._deadline`, below this
layer: a runtime's lane makes and cancels it, and this module watches it.)
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

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import wasmtime

from .._deadline import Deadline, current_deadline, deadline_scope, on_deadline_change
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
on_deadline_change(_WATCHDOG.wake)


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
