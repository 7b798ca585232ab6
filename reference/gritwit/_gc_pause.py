"""Python's cycle collector paused while a walk builds a core's objects (SBX-006.15).

A walk over a core of 2**18 distinct blobs makes a million small objects that live to
the end of the transition (the blobs, their ids, the mount's files), none of them in a
cycle; the collector, started every 700 allocations, scans them again and again, and
its full collections scan the whole heap as it grows.  Gate figure: a genesis of a flat
core of 2**18 distinct one-byte blobs on SQLite (load 11) spent 1.58 s of its 7.05 s of
lane CPU in the collector (one blob at 2**18 names: 0.23 s).  Paused for the walk, the
collector runs as usual afterwards and collects whatever cycles were left meanwhile.
Pauses nest and overlap across threads: the collector resumes when the last one ends,
and only if it was enabled when the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused", "gc_pausing"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_lock = threading.Lock()
_held = 0  # pauses under way, in every thread
_resume = False  # whether the collector was enabled when the first of them began


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector for the ``with`` block (see the module)."""
    global _held, _resume
    with _lock:
        if _held == 0:
            _resume = gc.isenabled()
            gc.disable()
        _held += 1
    try:
        yield
    finally:
        with _lock:
            _held -= 1
            if _held == 0 and _resume:
                gc.enable()


def gc_pausing(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function``, run with the cycle collector paused (:func:`gc_paused`)."""

    @wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with gc_paused():
            return function(*args, **kwargs)

    return paused
