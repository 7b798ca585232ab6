"""The runs: passes of the scheduler, deterministic rounds, and their bounds (RUN-006, RUN-018).

:class:`Scheduler` runs transitions until nothing is pending that can progress
(RUN-006): one asyncio task per actor with work, never two for one actor (RUN-002,
RUN-006), each pass starting at most one transition per actor, in id order, so that
no actor starves the others (RUN-018.2), and at most ``max_steps`` steps adopted per
run (RUN-018.1) and no transition started once the run's steps added
``max_run_bytes`` to the store (RUN-023.2, :mod:`._disk`), after which
:meth:`Scheduler.busy` names the actors left with work (RUN-018.3).  A run catches up
with the store as it starts (RUN-003), commits the open group before it returns
(RUN-017.5), and evicts idle actors as it goes (RUN-012.2).
:meth:`Scheduler.run_rounds` is the deterministic schedule of ``wit-run`` and
``rt-run`` (ADP-014, ADP-015): one actor at a time, ascending ids.

It is a part the runtime holds: it owns the actors marked to run, those
running, the share that says which actors this runtime runs (RUN-021), ``attempts_from``
and ``max_steps``; the other parts mark actors to run through its
:class:`~gritwit.runtime._seams.Marks` (:meth:`Scheduler.mark`,
:meth:`Scheduler.mark_sent`, :meth:`Scheduler.again`).  Its runs ask, through the seams
of :mod:`._seams`, the transitions part to drive one actor's transition
(:class:`~gritwit.runtime._seams.Attempts`), the routing part to catch up
(:class:`~gritwit.runtime._seams.Routing`), and the commit part to commit the open group
(:class:`~gritwit.runtime._seams.GroupCommits`): the parts of :class:`SchedulerParts`,
given once by :meth:`Scheduler.wire`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

from .._ids import ObjectId
from ..store import Store
from ..wit import Failure, RunReport
from ..wit._executor import run_report
from ._attempt import FailedAttempt, Found
from ._bound import TimeBound
from ._disk import RunBounds
from ._group import CommitGroup
from ._hints import HeadHints
from ._index import RoutingIndex
from ._parties import SERVICE_PARTIES
from ._placement import genesis_of, header_key, placed_in, record_placement, select_placed
from ._resident import ResidentActors
from ._seams import Attempts, GroupCommits, Routing
from ._share import Share

__all__ = ["Scheduler", "SchedulerParts"]

#: Seconds of inline transitions after which a run lets other tasks in (RUN-018.2).
_YIELD_AFTER = 0.005
#: A set keeps the hash table of the largest size it had, and every pass of
#: :meth:`Scheduler._run` walks the set of dirty actors (``_dirty - _running``): after a
#: pass that looked at more actors than this, the set is re-made, so that the passes
#: after a burst of 10,000 geneses cost what they cost after none.
_BURST = 32


@dataclass(frozen=True, slots=True, kw_only=True)
class SchedulerParts:
    """The parts a runtime's runs ask, given to :meth:`Scheduler.wire` once they are made.

    The runs own the set of actors to run, and the parts they ask (the routing, commit
    and transitions parts) mark actors in it as they route, commit and adopt (RUN-006,
    RUN-021.1): so the runs are made first, handed to those parts as their
    :class:`~gritwit.runtime._seams.Marks`, and given the parts afterwards, all at once.
    """

    store: Store
    #: The byte bounds of a step and a run, and the run's count (RUN-022, RUN-023).
    bounds: RunBounds
    #: The resident actors, evicted between passes and rounds (RUN-012).
    residents: ResidentActors
    #: A pass's head hints, read at once on a remote store (DUR-005.4).
    hints: HeadHints
    #: Where a transition runs: inline or not (RUN-005).
    time_bound: TimeBound
    #: What is pending for an actor, caught up as a run starts (RUN-003).
    routing: Routing
    #: The open group, committed before a run returns (RUN-017.5).
    commits: GroupCommits
    #: One actor's transition, driven to at most one adopted step (RUN-004).
    transitions: Attempts


class Scheduler:
    """Runs transitions in passes, or in deterministic rounds, within a run's bounds.

    A part a runtime holds, made in two steps: :meth:`__init__` makes the set of actors
    to run, which the other parts mark through its :class:`~gritwit.runtime._seams.Marks`
    (:meth:`mark`, :meth:`mark_sent`, :meth:`again`), given to them as they are made;
    :meth:`wire` then gives it the parts its runs ask (:class:`SchedulerParts`), which
    are made after it.  The cycle is real: the runs own what those parts mark.
    """

    # The parts the runs ask, given by wire(): kept as fields, read on every pass.
    _store: Store
    _index: RoutingIndex
    _group: CommitGroup
    _bounds: RunBounds
    _residents: ResidentActors
    _hints: HeadHints
    _time_bound: TimeBound
    _routing: Routing
    _commits: GroupCommits
    _transitions: Attempts

    def __init__(self, *, share: Share | None, max_steps: int) -> None:
        #: The actors this runtime runs (RUN-021); ``None``: every actor (RUN-020.4).
        self.share = share
        #: Actors marked to run: with work to look at (RUN-006, RUN-018.3).
        self._dirty: set[ObjectId] = set()
        #: Actors with a transition running (RUN-002: never two for one actor).
        self._running: set[ObjectId] = set()
        #: Where the failed attempts of the last :meth:`run_rounds` call start in ``failures``.
        self.attempts_from = 0
        #: Most steps of a run whose caller names no bound (RUN-018.1).
        self.max_steps = max_steps
        #: The steps the current (else the last) run adopted so far, as it adopts them.
        self.run_steps: list[tuple[ObjectId, ObjectId]] = []

    def wire(self, parts: SchedulerParts) -> None:
        """The parts the runs ask, made after this one: called once, by
        :class:`~gritwit.runtime.Runtime`'s constructor, before any run (RUN-006)."""
        if hasattr(self, "_transitions"):
            raise RuntimeError("the runs are wired once, by the runtime that made them")
        self._store = parts.store
        self._bounds = parts.bounds
        self._residents = parts.residents
        self._hints = parts.hints
        self._time_bound = parts.time_bound
        self._routing = parts.routing
        #: The routing part's index, which a pass reads (RUN-003).
        self._index = parts.routing.index
        self._commits = parts.commits
        #: The commit part's open group, which a run commits before it returns (RUN-017.5).
        self._group = parts.commits.group
        self._transitions = parts.transitions

    # --- who runs (RUN-021): the Marks the other parts are given ---------------------------

    def _mine(self, actors: set[ObjectId]) -> set[ObjectId]:
        """The actors of ``actors`` this runtime runs: those of its share by their
        placement keys (RUN-021.1, RUN-021.6)."""
        share = self.share
        return (
            actors if share is None else select_placed(share, self._index.placements.placed, actors)
        )

    def mark(self, actors: Iterable[ObjectId]) -> None:
        """Mark ``actors`` to run: every actor, or only those of the share (RUN-021.1).

        An actor outside the share is never marked, so no run starts a transition of
        it, reports it busy or keeps it from being evicted (RUN-021.4, RUN-021.5);
        messages for it were sent all the same, for its share's runtime (RUN-021.3).
        """
        share = self.share
        if share is None:
            self._dirty.update(actors)
        else:
            self._dirty.update(select_placed(share, self._index.placements.placed, actors))

    def ours(self, actors: Iterable[ObjectId]) -> Iterable[ObjectId]:
        """Those of ``actors`` this runtime runs: every one, or those of the share
        (RUN-021.1); a catch-up keeps their moved steps decoded."""
        share = self.share
        return (
            actors if share is None else select_placed(share, self._index.placements.placed, actors)
        )

    def mark_sent(self, actors: list[ObjectId]) -> None:
        """:meth:`mark` the recipients of messages this runtime made (its steps' and its
        sends from the outside): one outside its share is another runtime's work, so the
        next group commit wakes the runtimes waiting for swaps (RUN-020.6); work for the
        share alone the run that commits it runs itself, and wakes no one."""
        share = self.share
        if share is None:
            self._dirty.update(actors)
            return
        mine = select_placed(share, self._index.placements.placed, actors)
        if len(mine) < len(set(actors)):
            self._commits.wake_others()
        self._dirty.update(mine)

    def again(self, actor: ObjectId) -> None:
        """Mark ``actor``, one of this runtime's own, to look at again (RUN-006, RUN-018.3):
        its transition left work, or did not start (RUN-023.2)."""
        self._dirty.add(actor)

    def places(self, actor: ObjectId, found: Found) -> bool:
        """Whether ``actor``'s first transition, with ``found`` pending, is this runtime's:
        its placement recorded first where its genesis names a key (RUN-021.8), then
        read as every runtime reads it (RUN-021.6); every actor without a share."""
        placements = self._index.placements
        genesis = None if actor in placements.placed else genesis_of(actor, found)
        if genesis is not None and header_key(genesis.message) is not None:
            # a grouped send (RUN-019.2) is stored with the group: the record's target must
            # be stored first (REF-003.1), so the open group is committed, as a catch-up does
            if not self._store.has(genesis.id) and (
                not self._commits.commit_group() or not self._store.has(genesis.id)
            ):
                self.again(actor)  # its send was lost and is made again (RUN-019.4)
                return False
            record_placement(self._store, placements, actor, genesis)
        share = self.share
        return share is None or placed_in(share, placements.placed, actor)

    # --- running -------------------------------------------------------------------------

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        """Evict idle actors past ``idle_after``, then beyond ``max_resident``.

        RUN-012.2, RUN-012.3.  Actors with a transition running or to start are not
        evicted (:meth:`ResidentActors.evict_idle <._resident.ResidentActors.evict_idle>`);
        ``everything_idle`` evicts every idle actor as if the idle timeout had passed for
        all (``rt-evict``, ADP-015).  Returns the evicted actors, in eviction order.
        """
        return self._residents.evict_idle(
            self._running, self._dirty, everything_idle=everything_idle
        )

    async def wait_for_swaps(self, timeout: float, gather: float = 0.0) -> bool:
        """Wait at most ``timeout`` seconds for another writer's swap where the store is
        woken by them (RUN-020.6; PostgreSQL), and then ``gather`` seconds from that
        wake-up for more (RUN-020.8), else sleep ``timeout``: what a runtime that runs
        again once something moved calls between runs.  ``True``: something may have
        moved, run again; the run reads what from the refs (RUN-003)."""
        return await asyncio.to_thread(self._store.wait_for_swaps, timeout, gather)

    async def run_until_quiescent(self, max_steps: int | None = None) -> RunReport:
        """:meth:`Runtime.run_until_quiescent <gritwit.runtime.Runtime.run_until_quiescent>`
        (RUN-006, RUN-018, RUN-020.7)."""
        if max_steps is None:
            max_steps = self.max_steps
        elif max_steps < 1:
            raise ValueError(f"RUN-018.1: max_steps must be at least 1, not {max_steps}")
        self._routing.start_run()  # RUN-003
        self._bounds.start_counting()  # RUN-023.1: each run counts its bytes from zero
        try:
            return await self._run(max_steps)
        except BaseException:
            self._commits.abandon_group()
            self._routing.forget()  # what was dirty may be lost: start from the heads again
            raise

    def busy(self) -> list[ObjectId]:
        """The actors the last run left with work, in id order (RUN-018.3).

        Those with a transition running, and those with messages pending that
        they have not looked at, not marked failed (RUN-004.7): what a run that
        stopped at its bound (RUN-018.1) did not finish.  Empty after a quiescent run.
        With a share, only actors of the share are ever busy (RUN-021.4).
        """
        return sorted((self._dirty | self._running) - self._index.failed)

    async def _run(self, max_steps: int) -> RunReport:
        """The passes of :meth:`run_until_quiescent` (RUN-006, RUN-018).

        Each pass starts at most one transition of each actor with work, in id
        order, then waits for one to finish: an actor that always has work gets
        one transition a pass like every other (RUN-018.2).  Inline transitions
        let the loop's other tasks in every :data:`_YIELD_AFTER` seconds.
        """
        first_failure = len(self._transitions.failures)
        steps: list[tuple[ObjectId, ObjectId]] = []
        self.run_steps = steps
        self._commits.begin(steps, None)
        tasks: dict[asyncio.Task[None], ObjectId] = {}
        clock = time.monotonic
        yielded = clock()
        share, placements = self.share, self._index.placements
        while True:
            ran_inline = False
            # inline transitions leave none running: no set difference to make then
            ready = sorted(self._dirty - self._running if self._running else self._dirty)
            # RUN-012.3: before transitions start (a pass that starts none: at the end), when
            # eviction may be due (evict_idle's own first test, without its frame otherwise)
            if ready and self._residents.may_evict():
                self.evict_idle()
            if self._store.is_remote:  # one read for the pass's heads (DUR-005.4)
                self._hints.read(
                    ready[: max(0, max_steps - len(steps) - len(self._group))],
                    self._index,
                    self._store,
                )
            for actor in ready:
                if (
                    len(steps) + len(self._group.members) + len(tasks) >= max_steps
                    or self._bounds.halted
                ):
                    break  # RUN-018.1, RUN-023.2: no more transitions start
                self._dirty.discard(actor)
                if actor in self._index.failed or actor in SERVICE_PARTIES:
                    continue  # RUN-004.7; a service party's steps its service writes (TIM-001.3)
                if share is not None and not placed_in(share, placements.placed, actor):
                    continue  # RUN-021.1: marked before its placement record was read
                first: FailedAttempt | None = None
                if self._time_bound.inline:
                    inline = self._transitions.drive_inline(actor, steps)
                    if inline is True:
                        ran_inline = True  # done at once: no task (RUN-005)
                        continue
                    if inline is not False:
                        first = inline  # it failed: counted, not built again (RUN-004.3)
                self._running.add(actor)
                tasks[asyncio.create_task(self._transitions.drive(actor, steps, first=first))] = (
                    actor
                )
            if ready[_BURST:]:  # after a burst: a set sized to what is dirty now
                self._dirty = set(self._dirty)
            if ran_inline and clock() - yielded >= _YIELD_AFTER:
                await asyncio.sleep(0)  # RUN-018.2: sends and lane results get in
                yielded = clock()
            if not tasks:
                if ran_inline:
                    continue  # what it routed may have made others dirty
                group = self._group  # anything to commit: a member, or a send (RUN-019.2)
                if group.members or group.sends is not None:
                    if not self._commits.commit_group():
                        continue  # a member or a send was lost: run again (RUN-017.4, RUN-019.4)
                    if self._routing.found_work():
                        continue  # the journal read its commit carried found work (RUN-020.7)
                elif self._routing.read_before_quiescent():
                    continue  # RUN-020.7: the run started from its last commit's read
                break
            more = ran_inline and bool(self._dirty - self._running)
            # RUN-018.2: a send from the outside meanwhile wakes the pass, so its
            # recipient does not wait for a long transition of another actor to end.
            woken = asyncio.get_running_loop().create_future()
            self._commits.wake_on_send(woken)
            done, _ = await asyncio.wait(
                [*tasks, woken], timeout=0 if more else None, return_when=asyncio.FIRST_COMPLETED
            )
            self._commits.wake_on_send(None)
            woken.cancel()
            for task in [t for t in tasks if t in done]:
                self._running.discard(tasks.pop(task))
                task.result()  # an error of the runtime itself (not of a Wit) propagates
        if self._residents.may_evict():
            self.evict_idle()  # RUN-012.3: when it becomes quiescent, as above
        quiescent = not (self._dirty - self._index.failed)
        return run_report(
            tuple(steps), tuple(self._transitions.failures[first_failure:]), quiescent
        )

    async def run_rounds(self, max_steps: int) -> RunReport:
        """Run in the deterministic rounds of ADP-015: one actor at a time, ascending ids.

        The schedule of ``wit-run`` (ADP-014) with the failure policy (RUN-004.3, RUN-004.5,
        RUN-004.7): a failing candidate is retried in its turn and, after the last attempt,
        marked failed; the report's ``failures`` are the actors marked failed in
        this call.  Idle snapshots last for this call only, so a restart between
        calls changes no step id.  Capacity eviction runs before every round and
        at the end (RUN-012.2).
        """
        self._routing.start_rounds()  # the index from the heads (ADP-015)
        self.attempts_from = len(
            self._transitions.failures
        )  # this call's failed attempts (RUN-004.3)
        steps: list[tuple[ObjectId, ObjectId]] = []
        self.run_steps = steps
        marked: list[Failure] = []
        idle: dict[ObjectId, tuple[ObjectId, ...]] = {}
        self._commits.begin(steps, idle)
        self._bounds.start_counting()  # RUN-023.1
        try:
            return await self._rounds(max_steps, steps, marked, idle)
        except BaseException:
            self._commits.abandon_group()
            raise

    async def _rounds(
        self,
        max_steps: int,
        steps: list[tuple[ObjectId, ObjectId]],
        marked: list[Failure],
        idle: dict[ObjectId, tuple[ObjectId, ...]],
    ) -> RunReport:
        """The rounds of :meth:`run_rounds`; a group is committed before it answers (RUN-017.5)."""
        group = self._group
        while True:
            self._evict_between_rounds(idle)
            progressed = False
            losses = self._commits.group_losses
            for actor in sorted(self._mine(self._index.recipients()) - self._index.failed):
                if len(steps) + len(group) >= max_steps:
                    self._commits.commit_group()
                if len(steps) >= max_steps or self._bounds.halted:  # RUN-018.1, RUN-023.3
                    self._commits.commit_group()
                    self._evict_between_rounds(idle, final=True)
                    return RunReport(tuple(steps), tuple(marked), False)
                if actor in self._index.failed:  # marked by another writer during the round
                    continue
                adopted, attempts = len(steps) + len(group), len(self._transitions.failures)
                self._running.add(actor)
                try:
                    await self._transitions.drive(actor, steps, idle)
                finally:
                    self._running.discard(actor)
                if actor in self._index.failed and len(self._transitions.failures) > attempts:
                    marked.append(self._transitions.failures[-1])  # its last attempt, in its turn
                progressed = progressed or len(steps) + len(group) > adopted
            if not progressed and self._commits.group_losses == losses:
                self._commits.commit_group()
                if self._commits.group_losses == losses:  # else a lost member's actor runs again
                    self._evict_between_rounds(idle, final=True)
                    return RunReport(tuple(steps), tuple(marked), True)

    def _evict_between_rounds(
        self, idle: dict[ObjectId, tuple[ObjectId, ...]], *, final: bool = False
    ) -> None:
        """Capacity eviction in :meth:`run_rounds` (RUN-012.1, RUN-012.2).

        An actor is busy while it has unread messages.

        An actor counts as busy (not evictable, RUN-012) when something is pending
        for it that differs from its idle snapshot of this call.  Before a round
        only resident actors can be evicted, and only when :meth:`Residency.may_evict`
        says eviction may be due, so only they are looked at, and only then; at the
        end every actor is, so that a later :meth:`evict_idle` (``rt-evict``) knows
        which are busy.
        """
        if not final:
            residents = self._residents
            if not residents.may_evict():
                return
            looked_at = {a for a in self._mine(self._index.recipients()) if residents.resident(a)}
        else:
            looked_at = self._mine(self._index.recipients())
        self._dirty = set()
        for actor in looked_at - self._index.failed:
            _, _, found = self._routing.pending(actor)
            if found and idle.get(actor) != tuple(items[-1].id for items in found.values()):
                self._dirty.add(actor)
        self.evict_idle()
