"""Where a transition is built, and for how long it may run (RUN-005).

A runtime whose Wits are only the reference's own builds a transition inline on the
event loop (see :mod:`._runtime`) and judges its overrun when it returns (RUN-005.7,
RUN-005.6), except while a ``nap`` is pending for ``sleepy`` (WIT-030.1); sandboxed
Python, and Wasm while the engine lane is busy, go to the lane (:mod:`._lane`,
RUN-005.7); anything else runs in a worker thread abandoned after ``time_limit``
(RUN-005.1).  The bound is judged on the attempt's own work, never the machine's load
(:mod:`._work`, RUN-005.8), with a backstop on its awake time (RUN-005.9); an attempt given up
has its thread's deadline cancelled, at which host work stops (RUN-005.10).  An
attempt that overran fails as RUN-005.3 says, a sandboxed run with ``time-limit``
(SBX-006.10, SBX-013.1).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

from .._deadline import Deadline, deadline_scope
from .._errors import GritError, TimeLimit
from .._ids import ObjectId
from .._objects import Blob, Step, Tree
from ..wit import Assembled, Executor, TransitionTimeout
from . import _work
from ._attempt import Attempt, Found
from ._cache import ObjectCache
from ._disk import Turn
from ._lane import busy as lane_busy
from ._lane import run_in_lane
from ._work import WorkClock, await_work, backstop

__all__ = ["TimeBound", "ToLane", "_clocked", "_naps", "inline_gate"]

#: The ``runtime`` headers of ``wit`` blobs the engine runs (WASM-001, SBX-001.1).
_WASM, _SANDBOX = "wasm", "python-wasi"
#: An update is pending first: it may run a Wasm update function (WIT-014.1).
_UPDATE = "update"
#: Most ``wit`` blobs whose runtime is remembered (:meth:`TimeBound.wit_kind`).
_KINDS = 4096


class ToLane(Exception):
    """Raised by :func:`inline_gate`: this transition runs in the engine lane (RUN-005.7)."""


def inline_gate(runtime: str | None) -> None:
    """Stop an inline transition whose code must run in the engine lane (RUN-005.7).

    Called by the executor with the ``runtime`` header of the code it is about to
    run, before running it: sandboxed Python always goes to the lane, a Wasm Wit
    (or a Wasm update function) when the lane is busy, since its transition would
    wait on the engine's lock on the event loop.  Asking the executor as it
    dispatches, rather than reading the core's ``wit`` first, costs an inline
    test-actor transition one call.
    """
    if runtime == _SANDBOX or (runtime == _WASM and lane_busy()):
        raise ToLane


def _turned(
    turn: Turn | None, build: Callable[[], Assembled | None]
) -> Callable[[], Assembled | None]:
    """``build`` as ``turn`` in a thread: started first, finished when it returns (RUN-023.2)."""
    if turn is None:
        return build

    def work() -> Assembled | None:
        turn.start()  # raises Halted: a run that halted starts nothing
        built = None
        try:
            built = build()
        finally:
            turn.finish(built)
        return built

    return work


def _clocked(
    work: Callable[[], Assembled | None], clock: list[WorkClock], stop: Deadline
) -> Callable[[], Assembled | None]:
    """``work`` in a worker thread: its work clocked from its start (RUN-005.8), under
    ``stop``, which the runtime cancels when it gives the attempt up (RUN-005.10)."""

    def clocked() -> Assembled | None:
        clock.append(WorkClock())
        with deadline_scope(stop):
            return work()

    return clocked


def _naps(found: Found) -> bool:
    """Whether a ``nap`` is pending: ``sleepy`` would sleep through it (WIT-030.1).

    Such a transition must not run inline, where its time could not be bounded
    (RUN-005.6); any other Wit reading a ``nap`` merely runs in a thread as well.
    """
    for items in found.values():
        for item in items:
            if item.mt == "nap":
                return True
    return False


#: When an inline attempt started: the monotonic clock, the thread's CPU time, and the
#: sample of its waits for a CPU the backstop is judged from (RUN-005.9).
Started = tuple[float, float, tuple[float, float | None]]


def _started() -> Started:
    """When an inline attempt starts: the monotonic clock, the thread's CPU time, its waits."""
    return time.monotonic(), time.thread_time(), _work.waits_sample()


class TimeBound:
    """Builds a transition where it may run, bounded by ``time_limit`` (RUN-005).

    A part the runtime holds: it owns the bound, whether transitions run inline, and
    the ``runtime`` headers of the ``wit`` blobs met; it reads objects through the
    runtime's cache and builds with its executor, which it is given.
    """

    __slots__ = ("_cache", "_executor", "_kinds", "inline", "time_limit")

    def __init__(
        self, cache: ObjectCache, executor: Executor, *, inline: bool, time_limit: float
    ) -> None:
        self._cache = cache
        self._executor = executor
        #: Whether transitions run inline: only the reference's own Wits (RUN-005).
        self.inline = inline
        #: The bound of one transition, in seconds (RUN-005.1).
        self.time_limit = time_limit
        #: The ``runtime`` header of each ``wit`` blob met, by its id (:meth:`wit_kind`).
        self._kinds: dict[ObjectId, str] = {}

    async def build(
        self,
        actor: ObjectId,
        last_id: ObjectId | None,
        last: Step | None,
        found: Found,
        turn: Turn | None = None,
    ) -> Assembled | None:
        """Build one transition, bounded by ``time_limit`` (inline: see the module).

        RUN-005.1, RUN-005.3, RUN-005.7.  ``turn``, when given, accounts for a
        transition built in the lane or a worker thread (RUN-023.2, :mod:`._disk`):
        started there just before it runs, after any wait — a run that halted
        meanwhile stops it, and the awaiting caller gets ``Halted`` — and
        finished there when it returns.
        """
        build = functools.partial(self._executor.build, actor, last, found, last_id=last_id)
        if self.in_lane(actor, last, found):  # Wasm or sandboxed Python: the engine lane
            return await run_in_lane(_turned(turn, build), self.time_limit)
        if self.inline and not _naps(found):  # a nap for sleepy: bounded (RUN-005.6)
            started = _started()
            built = build()
            self.judge_overrun(started)
            return built
        clock: list[WorkClock] = []
        stop = Deadline()  # no end of its own: cancelled when the attempt is given up
        task = asyncio.ensure_future(asyncio.to_thread(_clocked(_turned(turn, build), clock, stop)))
        try:
            return await await_work(task, clock, self.time_limit)
        except BaseException:
            stop.cancel()  # RUN-005.10: its host work (and a cooperative Wit) stops
            task.cancel()  # its outcome, when it comes, is nobody's (the thread runs on)
            raise

    def judge_overrun(self, started: Started) -> None:
        """Judge an inline transition's overrun when it returns (RUN-005.7, RUN-005.6).

        A transition built on the event loop cannot be abandoned while it runs; one
        whose work — the loop thread's CPU time, RUN-005.8 — reached ``time_limit``, or
        whose awake time (wall time less its waits for a CPU) reached the backstop
        (RUN-005.9), still fails its attempt
        (``TimeoutError``, which :meth:`_drive` turns into the overrun's error) and
        adopts nothing.  ``started`` is :func:`_started`'s.
        """
        wall, cpu, waits = started
        if time.thread_time() - cpu >= self.time_limit:
            raise TimeoutError
        elapsed = time.monotonic() - wall  # the backstop is never under its floor
        limit = backstop(self.time_limit)
        if (
            elapsed >= _work.BACKSTOP_FLOOR
            and elapsed >= limit
            and _work.awake_since(wall, waits) >= limit  # not the machine's load (RUN-005.9)
        ):
            raise TimeoutError

    def in_lane(self, actor: ObjectId, last: Step | None, found: Found) -> bool:
        """Whether this transition runs in the engine lane (RUN-005.7, see the module).

        Sandboxed Python always; a Wasm Wit or an update when the lane is busy (its
        transition holds the engine's lock) or the runtime runs nothing inline.
        """
        kind = self.wit_kind(actor, last, found)
        if kind == _SANDBOX:
            return True
        return kind in (_WASM, _UPDATE) and (not self.inline or lane_busy())

    def wit_kind(self, actor: ObjectId, last: Step | None, found: Found) -> str | None:
        """The ``runtime`` header of the ``wit`` this transition runs, or :data:`_UPDATE`.

        ``None`` when the core or its ``wit`` cannot be read: the transition then
        fails as it would anyway (WIT-012.4, RUN-011.3), wherever it runs.  The
        header of a ``wit`` blob never changes (its id is its content's hash), so
        it is remembered by id.
        """
        for items in found.values():
            if items[0].mt == _UPDATE:
                return _UPDATE
        try:
            core = self._cache.get_object(actor if last is None else last.core)
        except GritError:
            return None
        wit = core.entries.get("wit") if isinstance(core, Tree) else None
        if wit is None:
            return None
        kind = self._kinds.get(wit)
        if kind is None:
            try:
                blob = self._cache.get_object(wit)
            except GritError:
                return None
            kind = blob.headers.get("runtime", "") if isinstance(blob, Blob) else ""
            if len(self._kinds) >= _KINDS:
                self._kinds.clear()
            self._kinds[wit] = kind
        return kind

    def overrun(self, actor: ObjectId, job: Attempt) -> Exception:
        """The error of an attempt that overran its bound (RUN-005.3).

        A sandboxed run the bound stopped fails ``time-limit`` (SBX-006.10), and its
        transition with that class (SBX-013.1); another kind of transition fails
        ``failed``, as any transition that raised.
        """
        if self.wit_kind(actor, job.last, job.found) == _SANDBOX:
            return TimeLimit(
                "SBX-006.10",
                f"the sandboxed run overran the transition's bound of {self.time_limit} s "
                "and was stopped (SBX-013.1)",
            )
        return TransitionTimeout(f"the transition overran {self.time_limit} s")
