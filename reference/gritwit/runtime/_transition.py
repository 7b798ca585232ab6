"""One transition of one actor: its attempts, its adoption, its failure (RUN-001, RUN-002, RUN-004).

:class:`Transitions` drives an actor's transition: what an attempt starts from (its
head, what is pending, the open group's steps it is built on, RUN-017.3), the build
(:mod:`._bound`, RUN-005), and the adoption — in group mode in memory, committed with
its group (RUN-017), in step mode its objects stored and its head swapped at once
(RUN-001.1 … RUN-001.4) — after which its messages are routed.  A lost swap builds it
again from the state as it is now (RUN-002.3, RUN-017.4); a failed attempt is retried
with exponential back-off, and after the last the actor is marked failed and error
receipts go out (RUN-004.3 … RUN-004.6).

It is a part the runtime holds: it owns the attempts' policy (``attempts``,
``first_backoff``, the sleep between them), whether a step is adopted in groups, and
``failures``, every failed attempt.  The runs (:class:`~gritwit.runtime._schedule.Scheduler`)
ask it through its :class:`~gritwit.runtime._seams.Attempts` (:meth:`Transitions.drive`,
:meth:`Transitions.drive_inline`); it asks the other parts through theirs:
what is pending through the routing part's :class:`~gritwit.runtime._seams.Routing`,
commits and counts lost swaps through the commit part's
:class:`~gritwit.runtime._seams.GroupCommits`, and marks actors to run through the runs'
:class:`~gritwit.runtime._seams.Marks` (the runs own the set of actors to run, RUN-021.1).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Mapping

from .._errors import RefConflict
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob
from ..store import Store, head_ref
from ..wit import OUTSIDE, Assembled, Executor, Failure, TransitionTimeout, failure_class
from . import _work
from ._attempt import Attempt, FailedAttempt, Found, attempt_of
from ._bound import TimeBound, ToLane, inline_gate
from ._cache import ObjectCache
from ._disk import Halted, RunBounds, Turn, fresh_bytes
from ._index import failed_ref
from ._notes import outbox_parts
from ._resident import ResidentActors
from ._seams import GroupCommits, Marks, Routing

__all__ = ["Transitions"]

_NO_BASIS: frozenset[ObjectId] = frozenset()
_monotonic, _thread_time = time.monotonic, time.thread_time
#: A retry after an attempt that failed on its time bound waits this many times as long
#: as after another failure: seconds, not milliseconds, by default (RUN-004.10).
TIME_BACKOFF_FACTOR = 100


def _delay(first: float, attempt: int, timed: bool) -> float:
    """The wait before the retry after failed attempt ``attempt`` (1, 2, …): ``first``
    doubling (RUN-004.3), :data:`TIME_BACKOFF_FACTOR` times as long after an attempt that
    overran its bound (RUN-004.10), so that a load that slowed it has time to pass."""
    return first * 2.0 ** (attempt - 1) * (TIME_BACKOFF_FACTOR if timed else 1)


class Transitions:
    """Attempts of one actor's transition: built, adopted and routed, or retried (RUN-004).

    A part a runtime holds.  ``marks`` marks actors to run (every actor, or those of the
    share, RUN-021.1) and one of the runtime's own to look at again: the runs'; ``send``
    sends from the outside (the error receipts, RUN-004.6): the runtime's.
    """

    def __init__(
        self,
        store: Store,
        cache: ObjectCache,
        executor: Executor,
        time_bound: TimeBound,
        bounds: RunBounds,
        residents: ResidentActors,
        routing: Routing,
        commits: GroupCommits,
        *,
        attempts: int,
        first_backoff: float,
        sleep: Callable[[float], Awaitable[None]],
        grouped: bool,
        marks: Marks,
        send: Callable[[ObjectId, ObjectId, Mapping[str, str]], Awaitable[ObjectId]],
    ) -> None:
        self._store = store
        self._cache = cache
        self._executor = executor
        self._time_bound = time_bound
        self._bounds = bounds
        self._residents = residents
        self._routing = routing
        #: The routing part's index, which an adopted step's messages are routed into.
        self._index = routing.index
        self._commits = commits
        #: The commit part's open group, which a step joins in group mode (RUN-017).
        self._group = commits.group
        #: The attempts' policy (RUN-004.3, RUN-004.8).
        self.attempts = attempts
        self.first_backoff = first_backoff
        self._sleep = sleep
        #: Every failed transition attempt, in order (RUN-004).
        self.failures: list[Failure] = []
        #: Whether a step is adopted in memory and committed with its group (RUN-017).
        self._grouped = grouped
        #: Marks actors to run, the recipients of messages made here, and one actor to look
        #: at again (its own work left, or not started): the runs' (RUN-021.1).
        self._marks = marks
        #: Send from the outside: the runtime's (RUN-004.6 receipts).
        self._send = send

    def _prepare(
        self, actor: ObjectId, idle: dict[ObjectId, tuple[ObjectId, ...]] | None
    ) -> Attempt | None:
        """What one attempt of ``actor`` starts from, or ``None`` when it has nothing to do.

        Nothing to do: nothing pending, or exactly what its last transition left
        unread (its idle snapshot, RUN-012.1).  Otherwise the actor is restored
        first if it was evicted (RUN-013.1).
        """
        last_id, last, found = self._routing.pending(actor)
        if not found:
            return None
        if last_id is None and not self._marks.places(actor, found):
            return None  # RUN-021.8: placed in another share; its runtime creates it
        lasts = []  # each sender's last pending message: a loop, no comprehension's function
        for items in found.values():
            lasts.append(items[-1].id)
        snapshot = tuple(lasts)
        waiting = self._residents.waiting(actor) if idle is None else idle.get(actor)
        if waiting == snapshot:
            return None
        # RUN-017.3, RUN-019.3: the open group's steps (and sends) this transition is built on
        group = self._group
        grouped = group.members or group.sends is not None
        basis = group.basis((actor, *found)) if grouped else _NO_BASIS
        self._residents.use(actor, last_id, last, "message")  # RUN-013: restored before it runs
        return attempt_of((actor, last_id, last, found, basis, snapshot))  # an Attempt

    def _adopt(
        self,
        job: Attempt,
        built: Assembled,
        steps: list[tuple[ObjectId, ObjectId]],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None,
    ) -> bool:
        """Adopt ``built``, then route its messages; ``False`` when it must be built again.

        RUN-001.1 … RUN-001.4, RUN-002.3, RUN-017.3, RUN-017.4: in group mode the step is
        adopted in memory and committed with its group; in step mode its objects are
        stored and its head swapped at once.  Either way its messages are routed only
        after that.  ``False``: it was built on a lost step, or another writer won
        the swap; the caller builds it again from the state as it is now.  What it
        adds to the store counts toward the run's bytes when it is stored (RUN-023.1):
        in group mode at its group's commit, made at once when the run may have
        reached ``max_run_bytes`` (RUN-023.2).
        """
        actor = job.actor
        if self._grouped:  # RUN-017: adopted in memory, committed with its group
            if not self._group.add(actor, job.last_id, built, job.basis):
                self._commits.conflicts += 1  # built on a lost step (RUN-017.4): run again
                return False
            if self._store.notes:  # the journal parts its commit notes (._notes)
                self._group.noted[built.step_id] = outbox_parts(built, job.last, self._cache)
        else:
            # RUN-023.1: what it adds, told by the commit where the store can, else asked first
            fresh: set[ObjectId] | None = set() if self._store.tells_fresh else None
            added = self._bounds.count_stored(built) if fresh is None else 0
            parts = outbox_parts(built, job.last, self._cache) if self._store.notes else None
            if parts is not None:  # the journal parts its commit notes (._notes)
                self._store.note_next({head_ref(actor): (built.step_id, parts)})
            try:  # RUN-001: objects first, then the head by compare-and-swap (one commit) …
                self._cache.commit_assembled(
                    built,
                    head_ref(actor),
                    job.last_id,
                    **({} if fresh is None else {"fresh": fresh}),
                )
            except RefConflict:  # RUN-002: another writer won; reload and retry from it
                # its objects were stored all the same
                self._bounds.counted(
                    added if fresh is None else fresh_bytes(built.encodings, fresh)
                )
                self._commits.conflicts += 1
                self._marks.mark(self._index.load(self._store, self._cache))
                return False
            self._bounds.counted(added if fresh is None else fresh_bytes(built.encodings, fresh))
            steps.append((actor, built.step_id))
        # … and only then are its messages routed.
        step = built.step
        outbox = built.outbox  # the step's mailboxes, as built: not read back
        last = job.last
        if outbox is not None and outbox.base is None:  # one mailbox: its entries, as built
            moved = self._index.set_outbox(actor, outbox.entries, built.step_id, step.outbox)
        elif outbox is not None or (
            step.outbox is not None and last is not None and step.outbox == last.outbox
        ):  # a chain's new top, or the last outbox kept (WIT-009.5, WIT-009.1): only the
            # top's own entries can have changed, not the whole map
            moved = self._index.set_outbox_over(
                actor, job.last_id, built.step_id, step.outbox, outbox, self._cache
            )
        else:  # none, or its maker did not say: read (its map, OBJ-019.1)
            moved = self._index.set_outbox(
                actor, self._residents.entries(step.outbox), built.step_id, step.outbox
            )
        if moved:  # none for a step that sent nothing new: no mark_sent frame then
            self._marks.mark_sent(moved)
        if not self._read_all(built, job.found):  # else only news can be pending: dirty
            self._marks.again(actor)
        self._residents.remember(actor, built.step_id, step)
        if step.inbox == (None if last is None else last.inbox):
            self._residents.wait(actor, job.snapshot, idle)
        if self._grouped:
            group = self._group  # full (RUN-017.8, RUN-017.10) as CommitGroup.full, inline
            if (
                len(group.members) >= group.size
                or group.bytes >= group.max_bytes
                or self._bounds.must_learn()  # RUN-023.2: the run's exact bytes
            ):
                self._commits.commit_group()
        return True

    async def drive(
        self,
        actor: ObjectId,
        steps: list[tuple[ObjectId, ObjectId]],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None = None,
        *,
        first: FailedAttempt | None = None,
    ) -> None:
        """At most one adopted step of ``actor``.

        RUN-001.1, RUN-001.2, RUN-001.3, RUN-002.3, RUN-004.1, RUN-004.2, RUN-004.3,
        RUN-004.4, RUN-004.5, RUN-005.3.

        ``idle`` holds per-call idle snapshots (:meth:`run_rounds`); without it the
        snapshot kept with the resident actor is used (RUN-012).  ``first``, from
        :meth:`drive_inline`, is a first attempt that failed already: it is counted
        as this call's first failure (RUN-004.3), not built again.  A transition that
        has not started when its run halts (RUN-023.2) does not start: its actor stays
        busy (RUN-018.3); one that started finishes, retries and reruns included.
        """
        attempt = 0
        gated = first is None  # its first attempt has not started yet (RUN-023.2)
        while True:
            if first is not None:
                (job, exc), first = first, None
            else:
                if gated and self._bounds.halted:
                    self._marks.again(actor)  # RUN-023.2: not started; busy
                    return
                prepared = self._prepare(actor, idle)
                if prepared is None:
                    return
                job = prepared
                turn = Turn(self._bounds, gated=gated)  # only a first attempt may be stopped
                gated = False  # retries and reruns are the same transition (RUN-018.2)
                try:
                    try:
                        built = await self._time_bound.build(
                            actor, job.last_id, job.last, job.found, turn
                        )
                        if built is not None:
                            self._bounds.bound_step(built)  # RUN-022.3: a step past max_step_bytes
                    except Halted:  # RUN-023.2: the run halted while it waited to start
                        self._marks.again(actor)
                        return
                    except Exception as error:  # WIT-006: adopts nothing, messages stay pending
                        exc = error
                    else:
                        if built is None:  # no genesis yet: wait for what is pending to change
                            self._residents.wait(actor, job.snapshot, idle)
                            return
                        if self._adopt(job, built, steps, idle):
                            return
                        continue  # built on a lost step, or another writer won: again
                finally:
                    self._bounds.settle(turn)  # counted, or failed: a thread may start (RUN-023.2)
            timed = isinstance(exc, TimeoutError | TransitionTimeout)  # slow's too (WIT-027.1)
            if isinstance(exc, TimeoutError):
                exc = self._time_bound.overrun(actor, job)
            self.failures.append(Failure(actor, exc))
            attempt += 1
            if attempt >= self.attempts:
                await self._mark_failed(actor, exc, attempt, job.found)
                return
            await self._sleep(_delay(self.first_backoff, attempt, timed))

    def drive_inline(
        self, actor: ObjectId, steps: list[tuple[ObjectId, ObjectId]]
    ) -> bool | FailedAttempt:
        """:meth:`drive` without a task, for a runtime whose transitions run inline (RUN-005).

        ``True`` when done.  Otherwise the transition must go the long way, having
        adopted nothing: ``False`` when a ``nap`` needs the bounded thread
        (RUN-005.6), or the attempt and its error when it failed, for :meth:`drive`
        to count as its first failed attempt (RUN-004.3) and retry.
        """
        while True:
            job = self._prepare(actor, None)
            if job is None:
                return True
            for items in job.found.values():  # _naps(job.found), inline
                for item in items:
                    if item.mt == "nap":  # sleepy's nap: bounded in a thread (RUN-005.6)
                        return False
            try:
                wall, cpu, waits = _monotonic(), _thread_time(), _work.waits_sample()
                built = self._executor.build(
                    actor, job.last, job.found, last_id=job.last_id, gate=inline_gate
                )
                # _judge_overrun only when it could find one: past the bound in CPU time,
                # or past the backstop's floor in wall time (RUN-005.7, RUN-005.9)
                if (
                    _thread_time() - cpu >= self._time_bound.time_limit
                    or _monotonic() - wall >= _work.BACKSTOP_FLOOR
                ):
                    self._time_bound.judge_overrun((wall, cpu, waits))
                if built is not None:
                    self._bounds.bound_step(built)  # RUN-022.3: fails a step past max_step_bytes
            except ToLane:  # RUN-005.7: it runs in the engine lane, from drive
                return False
            except Exception as exc:  # WIT-006: nothing adopted; drive records it and retries
                return job, exc
            if built is None:  # no genesis yet: wait for what is pending to change
                self._residents.wait(actor, job.snapshot)
                return True
            if self._adopt(job, built, steps, None):
                return True

    def _read_all(self, built: Assembled, found: Found) -> bool:
        """Whether the step ``built`` read every message of ``found`` (WIT-008).

        Then what is pending for its actor now arrived after ``found`` was taken,
        and whatever brought it (a routed step, a send, a refresh) marked the
        actor dirty already: looking again at once would find nothing new.
        """
        inbox = built.inbox  # as built; else read through the cache
        if inbox is None:
            entries = self._residents.entries(built.step.inbox)
            return all(entries.get(sender) == items[-1].id for sender, items in found.items())
        raw = raw_of(inbox.entries)  # text-form actor id → message digest (OBJ-014)
        for sender, items in found.items():  # noqa: SIM110 - a loop: no generator each time
            if raw.get(sender[0].hex()) != items[-1].id[0]:
                return False
        return True

    async def _mark_failed(
        self, actor: ObjectId, error: Exception, attempts: int, found: Found
    ) -> None:
        """Store the failure blob, set ``names/failed/<actor>``, send receipts.

        RUN-004.4, RUN-004.6.

        The open commit group is committed first (RUN-017.6): the mark and the
        receipts must not become durable ahead of the steps that sent what the actor
        failed on.  If that loses a member, the actor is not marked now: what is
        pending for it changed, and it runs again.
        """
        if not self._commits.commit_group():
            return
        # the class wit-run and rt-run report too (RUN-004.4, ADP-014): ``failed`` for a
        # failure no transition rule names, an erased blob read among them (RUN-011.3)
        record = {"actor": actor.hex(), "attempts": attempts, "error": failure_class(error)}
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        blob = Blob(data=text.encode("utf-8"), headers={"content-type": "application/json"})
        blob_id = self._store.put_object(blob)
        try:
            self._store.cas_ref(failed_ref(actor), None, blob_id)
        except RefConflict:  # already marked by another writer: its receipts went out
            self._commits.conflicts += 1
            return
        finally:
            self._index.failed.add(actor)
        for sender in sorted(found):
            if sender != OUTSIDE:
                await self._send(sender, blob_id, {"mt": "error"})
