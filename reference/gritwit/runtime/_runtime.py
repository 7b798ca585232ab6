"""The reference runtime: scheduling, persistence order, retries and recovery (RUN-001 … RUN-007).

Transitions are built by :meth:`gritwit.wit.Executor.build` (the Wit chapter's
semantics, unchanged); :class:`Runtime` decides *when* they run and *how* they are
committed:

* one asyncio task per actor with pending messages, never two for one actor
  (RUN-002, RUN-006);
* the time bound (RUN-005): a runtime whose Wit tables (``actors`` and
  ``updaters``, read once at construction) hold only the reference's own test
  actors and update functions (:data:`~gritwit.wit.TEST_ACTORS`,
  :data:`~gritwit.wit.TEST_UPDATERS`) runs each transition inline on the event
  loop: those are pure functions doing work linear in their input, with no I/O
  but reads of the store, that cannot hang (``slow`` raises its overrun at once),
  except ``sleepy`` (WIT-030), which really sleeps for each ``nap``: a transition
  with a ``nap`` pending runs in the worker thread below, bounded (RUN-005.6).
  Cores whose ``wit`` is a Wasm module (runtime ``wasm``) also run inline while
  the engine lane (:mod:`._lane`) is idle: every Wasm call is bounded by its fuel
  budget (WASM-019, WASM-020).  Sandboxed Python (runtime ``python-wasi``) never
  runs inline: fuel does not bound the time of its host calls, so each of its
  transitions runs in the lane, off the event loop, under ``time_limit``
  counted from its start (RUN-005.7); while the lane is busy, a Wasm transition
  (or an update, which may run a Wasm update function) goes there too rather
  than wait on the engine's lock on the event loop.
  A runtime given any other Wit runs *every* transition in a worker thread
  abandoned after ``time_limit``, as before (Wasm and sandboxed Python in the lane).
  Wherever it runs, an attempt's time is its own work, never the machine's load
  (:mod:`._work`, RUN-005.8), with a wall-clock backstop of 12 bounds, at least 60 s
  (RUN-005.9); a retry after an overrun waits 100 times RUN-004.3's delay
  (RUN-004.10); an attempt given up has its host work stopped (RUN-005.10);
* a step adds at most ``max_step_bytes`` to the store, else it fails
  ``step-too-large`` (RUN-022; by default :data:`MAX_STEP_BYTES`, 80 MiB), and a run
  starts no transition once its steps added ``max_run_bytes`` (RUN-023; by default
  :data:`MAX_RUN_BYTES`, 1 GiB) (:class:`~gritwit.runtime._disk.RunBounds`, a part
  the runtime holds, which owns the run's count);
* a run adopts at most ``max_steps`` steps (RUN-018.1; by default
  :data:`MAX_STEPS`), and each pass of the scheduler starts at most one
  transition per actor, in id order, so an actor that always has work cannot
  starve the others (RUN-018.2); :meth:`Runtime.busy` names the actors a run
  left with work (RUN-018.3);
* a step's objects are stored (one batched write), then its head moves by
  compare-and-swap, and only then is the routing index told about its outbox
  (RUN-001.1 … RUN-001.4); a CAS conflict reloads the index from the heads and retries
  (RUN-002.2, RUN-002.3);
* with ``commit="group"`` (the default, RUN-017) a step is adopted in memory
  first — its head provisional, its messages routed to later members — and the
  open group of steps is committed in one transaction
  (:class:`~gritwit.runtime._group.CommitGroup`): when ``group_size`` steps are
  waiting or their objects reach ``group_bytes`` encoded bytes (RUN-017.10),
  before an actor is marked failed, and before a run returns, so a run
  reports only steps that are durable (RUN-017.5); ``commit="step"`` commits each
  step on its own, as RUN-001 describes;
* a send from the outside joins the open group and is durable once the next run
  or :meth:`Runtime.flush` returns: a send and the run after it are one commit, one
  sync (``send_commit="group"``, the default with ``commit="group"`` and no share,
  RUN-019.2); or, with ``send_commit="own"`` (the default with ``commit="step"``, or
  with a share: other runtimes then swap the outside's one outbox as well, and a group
  carrying its swap would lose whole to theirs), it commits on its own and is durable
  when it returns (RUN-019.1).  A caller that sends and then
  stops without a run calls :meth:`Runtime.flush` first;
* a failed transition is retried with exponential back-off; after the last
  attempt the actor is marked failed and error receipts go out (RUN-004.3 … RUN-004.6),
  with the attempts and the first delay of RUN-004.3 as defaults (RUN-004.8);
* the first run of a runtime (and the next after an error escaped a run)
  rebuilds the routing index from the heads alone (RUN-003), so a restart on a
  durable store resumes exactly where the last adopted step left off (RUN-007);
  every later run brings it up to date from the refs, re-reading only the
  outboxes of heads that moved since (another writer's steps and sends);
* objects are read through a cache of decoded objects by id
  (:class:`~gritwit.runtime._cache.ObjectCache`): ids name immutable bytes, so
  it returns what the store would, and erased blobs still fail (RUN-011);
* idle actors beyond ``max_resident`` or unused for ``idle_after`` seconds are
  evicted from memory and restored from their head on demand, with lifecycle
  events for observers (RUN-012 … RUN-014);
* a runtime given a ``share`` (:class:`~gritwit.runtime._share.Share`, RUN-021)
  marks to run only the actors of its share (``Scheduler.mark``): it sends to,
  and answers queries of, every actor, but runs, retries, reports and keeps busy
  only its own (RUN-021.1 … RUN-021.5).

:class:`Runtime` holds parts that own their state, one module each, asked through their
methods, not mixins: the runs, passes and rounds within their bounds, with
the actors marked to run, those running and the share that says who runs
(:class:`~gritwit.runtime._schedule.Scheduler`, RUN-006, RUN-018, RUN-021), one
transition's attempts, adoption and failure, with the attempts' policy and the failures
(:class:`~gritwit.runtime._transition.Transitions`, RUN-001, RUN-002, RUN-004), the
routing index and what it knows of the refs, caught up as runs start
(:class:`~gritwit.runtime._catchup.CatchUp`, RUN-003), sends from the outside and the
open group's commits, with the run's steps a commit adds to and the counts of lost
swaps and groups (:class:`~gritwit.runtime._commit.Commits`, RUN-017, RUN-019),
reading heads and keeping actors resident, with their eviction and events
(:class:`~gritwit.runtime._resident.ResidentActors`, RUN-012 … RUN-014), where a
transition runs and for how long, with the bound itself
(:class:`~gritwit.runtime._bound.TimeBound`, RUN-005), and the byte bounds of a step
and a run, with the run's count (:class:`~gritwit.runtime._disk.RunBounds`, RUN-022,
RUN-023), and a pass's head hints (:class:`~gritwit.runtime._hints.HeadHints`,
DUR-005.4, RUN-020.1).  A part asks another only through the public names of a seam
(:mod:`._seams`): the parts mark actors to run through the runs'
:class:`~gritwit.runtime._seams.Marks`, handed to them as they are made; the runs are made
first and given the parts they ask afterwards, at once
(:meth:`Scheduler.wire <._schedule.Scheduler.wire>`), since they own what those parts
mark.  The settings are one frozen value, checked as it is made
(:class:`~gritwit.runtime._config.RuntimeConfig`).  Its one base class, :mod:`._face`,
holds no state: the sends and the commit counts, the commit part's.  This module holds
the constructor and the methods and properties that hand off to a part or show its state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Unpack

from .._ids import ObjectId
from .._objects import Blob, Tree
from ..store import Store
from ..wit import (
    TEST_ACTORS,
    TEST_UPDATERS,
    Executor,
    Failure,
    ObjectReader,
    RunnerLimits,
    RunReport,
    Wit,
)
from ._alarm import SERVICE_TEST_ACTORS
from ._bound import TimeBound
from ._bundle import import_bundle
from ._cache import ObjectCache
from ._catchup import CatchUp
from ._commit import Commits
from ._config import ATTEMPTS, FIRST_BACKOFF, MAX_STEPS, TIME_LIMIT, RuntimeConfig, RuntimeSettings
from ._disk import MAX_RUN_BYTES, MAX_STEP_BYTES, RunBounds
from ._door import ServiceDoor
from ._events import Observer
from ._face import RuntimeFace
from ._group import COMMIT, GROUP_BYTES, GROUP_SIZE, SEND_COMMIT, CommitGroup
from ._hints import HeadHints
from ._index import failed_ref
from ._resident import ResidentActors
from ._revert import clear_failed, revert
from ._schedule import Scheduler, SchedulerParts
from ._share import Share
from ._timers import absorb_import
from ._transition import Transitions

__all__ = [
    "ATTEMPTS",
    "COMMIT",
    "FIRST_BACKOFF",
    "GROUP_BYTES",
    "GROUP_SIZE",
    "MAX_RUN_BYTES",
    "MAX_STEPS",
    "MAX_STEP_BYTES",
    "SEND_COMMIT",
    "TIME_LIMIT",
    "Runtime",
]


def _builtin_only(*tables: Mapping[str, Wit]) -> bool:
    """Whether every Wit of ``tables`` is one of the reference's own (RUN-005, see above)."""
    builtin = {
        id(wit)
        for wit in (*TEST_ACTORS.values(), *TEST_UPDATERS.values(), *SERVICE_TEST_ACTORS.values())
    }
    return all(id(wit) in builtin for table in tables for wit in table.values())


class Runtime(RuntimeFace):
    """Runs actors over ``store`` (memory or durable) until nothing is pending.

    Its settings are ``config`` (:class:`~gritwit.runtime.RuntimeConfig`, by default
    every default), with any of its fields given as keyword arguments instead or on top
    (:class:`~gritwit.runtime._config.RuntimeSettings`): ``Runtime(store,
    max_steps=100)`` is ``Runtime(store, config=RuntimeConfig(max_steps=100))``.
    ``actors`` and ``updaters`` (the Wit tables, read once, RUN-005), ``sleep`` (between
    retries, RUN-004.3) and ``clock`` (of idle eviction, RUN-012.2) are injected apart.
    """

    def __init__(
        self,
        store: Store,
        *,
        config: RuntimeConfig | None = None,
        actors: Mapping[str, Wit] = TEST_ACTORS,
        updaters: Mapping[str, Wit] = TEST_UPDATERS,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        **settings: Unpack[RuntimeSettings],
    ) -> None:
        if config is None:  # checked as it is made (RUN-017.1 … RUN-023.2)
            config = RuntimeConfig(**settings)
        elif settings:
            config = replace(config, **settings)
        self._config = config
        commit, share = config.commit, config.share
        send_commit = config.send_commit_mode  # RUN-019.1
        self._store = store
        self._cache = ObjectCache(store)
        actors, updaters = dict(actors), dict(updaters)  # read once (RUN-005, see above)
        # its engines' runners take the runtime's core limit (SBX-007.7)
        limits = RunnerLimits(core_bytes=config.max_core_bytes)
        self._executor = Executor(store, actors, updaters, reader=self._cache, limits=limits)
        #: Where a transition is built and for how long (RUN-005), a part of its own
        #: (:mod:`._bound`); inline only with the reference's own Wits (see above).
        inline = _builtin_only(actors, updaters)
        self._time_bound = TimeBound(
            self._cache, self._executor, inline=inline, time_limit=config.time_limit
        )
        #: Heads read at once for a pass's transitions, each used once (DUR-005.4), a
        #: part of its own (:mod:`._hints`).
        self._hints = HeadHints()
        grouped = commit == "group"
        #: The runs: passes and rounds within their bounds, the actors to run and who runs
        #: (RUN-006, RUN-018, RUN-021): a part of its own (:mod:`._schedule`), made first,
        #: since the parts made below mark actors to run through it (its Marks).
        self._scheduler = scheduler = Scheduler(share=share, max_steps=config.max_steps)
        self._group = CommitGroup(self._cache, config.group_size, config.group_bytes)
        #: Reading heads; the resident actors, their eviction and events (RUN-012 …
        #: RUN-014): a part of its own (:mod:`._resident`).
        self._residents = ResidentActors(
            store,
            self._cache,
            self._executor,
            self._group,
            clock=clock,
            max_resident=config.max_resident,
            idle_after=config.idle_after,
        )
        #: The bounds of a step's and a run's added bytes, and the run's count (RUN-022,
        #: RUN-023): a part of its own (:mod:`._disk`).
        self._bounds = RunBounds(
            store, self._cache, self._group, config.max_step_bytes, config.max_run_bytes
        )

        # The routing part is made before the commit part, which has it read the journal
        # along each commit (RUN-020.7); it is handed this door, which reaches the commit
        # part once it is made below: the one cycle between them, named here.
        def commit_group() -> bool:
            """The commit part's door (RUN-017.2), for the routing part made before it."""
            return commits.commit_group()

        #: The routing index and what it knows of the refs, caught up as runs start and
        #: where a head moved (RUN-003): a part of its own (:mod:`._catchup`).  ``_index``
        #: is its index, which the passes and transitions read and route into.
        self._routing = CatchUp(
            store,
            self._cache,
            self._group,
            self._residents,
            self._hints,
            marks=scheduler,
            commit=commit_group,
            share=share,
        )
        self._index = self._routing.index
        group_sends = send_commit == "group"  # sends join the open group (RUN-019.2)
        #: Sends from the outside and the open group's commits, with their state and
        #: counts (RUN-017, RUN-019): a part of its own (:mod:`._commit`).  ``_group`` above
        #: is its group, which the passes and transitions read and add to.
        self._commits = commits = Commits(
            store,
            self._cache,
            self._index,
            self._group,
            self._bounds,
            self._residents,
            self._hints,
            group_sends=group_sends,
            marks=scheduler,
            around=(self._routing.before_commit, self._routing.after_commit),
        )
        #: One transition's attempts, adoption and failure, with the attempts' policy and
        #: the failures (RUN-001, RUN-002, RUN-004): a part of its own (:mod:`._transition`).
        self._transitions = Transitions(
            store,
            self._cache,
            self._executor,
            self._time_bound,
            self._bounds,
            self._residents,
            self._routing,
            commits,
            attempts=config.attempts,
            first_backoff=config.first_backoff,
            sleep=sleep,
            grouped=grouped,
            marks=scheduler,
            send=self.send,
        )
        scheduler.wire(
            SchedulerParts(
                store=store,
                bounds=self._bounds,
                residents=self._residents,
                hints=self._hints,
                time_bound=self._time_bound,
                routing=self._routing,
                commits=commits,
                transitions=self._transitions,
            )
        )

    @property
    def commit(self) -> str:
        """``"group"`` or ``"step"``: how adopted steps are committed (RUN-017.1)."""
        return self._config.commit

    @property
    def send_commit(self) -> str:
        """``"own"`` or ``"group"``: how sends from the outside are committed (RUN-019.1)."""
        return self._config.send_commit_mode

    @property
    def config(self) -> RuntimeConfig:
        """The runtime's settings (:class:`~gritwit.runtime.RuntimeConfig`): those it was
        made with, and any a setter below changed since, checked as it was (a setting it
        refuses raises, and changes nothing)."""
        return self._config

    # --- reading state, and the resident actors (ResidentActors, RUN-012 … RUN-014) ---------

    def head(self, actor: ObjectId) -> ObjectId | None:
        """The id of ``actor``'s last step, or ``None``."""
        return self._residents.head(actor)

    def query(self, actor: ObjectId, name: str) -> Blob:
        """Run query ``name`` against ``actor``'s head (WIT-017), restoring it first (RUN-013.1)."""
        return self._residents.query(actor, name)

    def failed(self, actor: ObjectId) -> dict[str, object] | None:
        """The failure record of ``actor`` if it is marked failed (RUN-004), else ``None``."""
        return self._residents.failed(actor)

    def revert(
        self, actor: ObjectId, to_step: ObjectId, *, head: ObjectId | None = None
    ) -> ObjectId:
        """Revert ``actor`` to ``to_step``, an earlier step of its own history; returns the
        new head, the revert step (RUN-024).  ``head``: the head the caller chose
        ``to_step`` against, where it matters that no step came since (RUN-024.10).

        The open group is committed first (RUN-024.9); the revert step has ``to_step``'s
        core and the head's inbox and outbox, so nothing read is read again and nothing
        sent is sent again (RUN-024.3, RUN-024.4).  The actor's next transition and query
        start from the new head: this runtime reads the head ref for both (RUN-024.2),
        and the actor is marked to look at what is pending for it.  A failed mark stays
        (RUN-024.8).  Raises ``not-found``, ``invalid-ref-target``, ``frozen-core`` or
        ``ref-conflict`` (RUN-024.6, RUN-024.7, RUN-024.1, RUN-024.10).
        """
        self._commits.commit_group()  # RUN-024.9: H is the committed head
        new_head = revert(self._store, actor, to_step, head)
        self._scheduler.mark([actor])
        return new_head

    def service_door(self) -> ServiceDoor:
        """The door a runtime service writes its party's steps through (TIM-001.4)."""
        parts = (self._store, self._cache, self._routing, self._index, self._scheduler)
        return ServiceDoor(*parts, self._commits.commit_group)

    def import_bundle(self, data: bytes) -> tuple[ObjectId, ObjectId]:
        """Import a bundle into this runtime's store by RUN-009's rules, refusing one whose
        head's core its runs could not mount → ``too-large`` (SBX-006.18); (actor, head)."""
        store = self._store
        return import_bundle(
            store,
            data,
            bound=self.bound_core,
            before_head=lambda actor, head: absorb_import(store, actor, head),  # TIM-007.3
        )

    def bound_core(self, reader: ObjectReader, core: Tree) -> None:
        """Refuse ``core`` when this runtime's runs could not mount it → ``too-large``
        (SBX-006.17, SBX-006.18): the check an import of a bundle is given."""
        self._executor.bound_core(reader, core)

    def clear_failed(self, actor: ObjectId) -> bool:
        """Delete ``actor``'s failed mark, so that it runs its pending messages again with
        a fresh count of attempts; ``False`` when it had none (RUN-025).

        The open group is committed first (RUN-017.7: the mark follows the steps before
        it).  The actor is no longer held in this runtime's routing index and is marked
        to run: the next run (or the one under way) runs it (RUN-025.3).
        """
        self._commits.commit_group()
        cleared = clear_failed(self._store, actor)
        if self._store.get_ref(failed_ref(actor)) is None:  # unless marked again meanwhile
            self._index.failed.discard(actor)
            self._scheduler.mark([actor])
        return cleared

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every later lifecycle event; returns an unsubscribe function.

        An observer that raises is ignored: it never affects a transition (RUN-014).
        """
        return self._residents.subscribe(observer)

    @property
    def observer_errors(self) -> int:
        """How many times an observer raised (RUN-014)."""
        return self._residents.observer_errors

    def resident(self, actor: ObjectId) -> bool:
        """Whether ``actor``'s state is in memory (RUN-012)."""
        return self._residents.resident(actor)

    @property
    def resident_count(self) -> int:
        """How many actors' state is in memory now (RUN-012): a service's gauge
        (HTTP-014.1)."""
        return self._residents.resident_count

    def on_commit(self, seconds: Callable[[float], None] | None) -> None:
        """Have ``seconds`` told how long each commit of the open group took, the
        store's write included (RUN-017.2): a service's ``gritwit_step_commit_seconds``
        (HTTP-014.1); ``None`` stops it."""
        self._commits.on_commit = seconds

    @property
    def fuel_spent(self) -> int:
        """Fuel units its Wasm and sandboxed transitions consumed so far (WASM-019,
        SBX-006.1): a service's counter (HTTP-014.1)."""
        return self._executor.fuel_spent

    @property
    def max_resident(self) -> int | None:
        """Most idle actors kept in memory (``None``: no limit) (RUN-012)."""
        return self._residents.max_resident

    @max_resident.setter
    def max_resident(self, bound: int | None) -> None:
        self._config = replace(self._config, max_resident=bound)
        self._residents.max_resident = bound

    @property
    def idle_after(self) -> float | None:
        """Seconds after which an idle actor is evicted (``None``: never) (RUN-012)."""
        return self._residents.idle_after

    @idle_after.setter
    def idle_after(self, seconds: float | None) -> None:
        self._config = replace(self._config, idle_after=seconds)
        self._residents.idle_after = seconds

    # --- the runs (Scheduler, RUN-006, RUN-018, RUN-021) ------------------------------------

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        """Evict idle actors past ``idle_after``, then beyond ``max_resident``.

        RUN-012.2, RUN-012.3.  Actors with a transition running or to start are not
        evicted; ``everything_idle`` evicts every idle actor as if the idle timeout had
        passed for all (``rt-evict``, ADP-015).  Returns the evicted actors, in eviction
        order (:meth:`Scheduler.evict_idle <._schedule.Scheduler.evict_idle>`).
        """
        return self._scheduler.evict_idle(everything_idle=everything_idle)

    async def wait_for_swaps(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for another writer's swap where the store is
        woken by them (RUN-020.6; PostgreSQL), then the runtime's ``gather`` seconds
        from that wake-up for more (RUN-020.8), else sleep ``timeout``: what a runtime
        that runs again once something moved calls between runs.  ``True``: something
        may have moved, run again; the run reads what from the refs (RUN-003)."""
        return await self._scheduler.wait_for_swaps(timeout, self._config.gather)

    async def run_until_quiescent(self, max_steps: int | None = None) -> RunReport:
        """Run transitions until nothing is pending that can progress (RUN-006).

        Starts from the heads alone (RUN-003) on the first run, later from the
        refs that moved since, or, where the store reads them along with a commit
        (PostgreSQL), from what its last commit read, reading again before it answers
        quiescent unless a commit of its own did (RUN-020.7).  ``max_steps`` (by
        default the runtime's ``max_steps``, RUN-018.1) stops starting new
        transitions once that many
        steps were adopted (the running ones finish), and so does the runtime's
        ``max_run_bytes`` once the run's steps added that many bytes to the store
        (RUN-023.2; :attr:`run_bytes`); the report is then not quiescent while work
        is left, and :meth:`busy` names the actors left with work (RUN-018.3)
        (:meth:`Scheduler.run_until_quiescent <._schedule.Scheduler.run_until_quiescent>`).
        """
        return await self._scheduler.run_until_quiescent(max_steps)

    def busy(self) -> list[ObjectId]:
        """The actors the last run left with work, in id order (RUN-018.3).

        Those with a transition running, and those with messages pending that
        they have not looked at, not marked failed (RUN-004.7): what a run that
        stopped at its bound (RUN-018.1) did not finish.  Empty after a quiescent run.
        With a share, only actors of the share are ever busy (RUN-021.4).
        """
        return self._scheduler.busy()

    async def run_rounds(self, max_steps: int) -> RunReport:
        """Run in the deterministic rounds of ADP-015: one actor at a time, ascending ids.

        The schedule of ``wit-run`` (ADP-014) with the failure policy (RUN-004.3,
        RUN-004.5, RUN-004.7) (:meth:`Scheduler.run_rounds
        <._schedule.Scheduler.run_rounds>`).
        """
        return await self._scheduler.run_rounds(max_steps)

    @property
    def share(self) -> Share | None:
        """The actors this runtime runs (RUN-021); ``None``: every actor (RUN-020.4)."""
        return self._scheduler.share

    @property
    def max_steps(self) -> int:
        """Most steps of a run whose caller names no bound (RUN-018.1)."""
        return self._scheduler.max_steps

    @max_steps.setter
    def max_steps(self, bound: int) -> None:
        self._config = replace(self._config, max_steps=bound)
        self._scheduler.max_steps = bound

    @property
    def attempts_from(self) -> int:
        """Where the failed attempts of the last :meth:`run_rounds` call start in
        :attr:`failures` (RUN-004.3)."""
        return self._scheduler.attempts_from

    # --- one transition's attempts (Transitions, RUN-004) ------------------------------------

    @property
    def failures(self) -> list[Failure]:
        """Every failed transition attempt, in order (RUN-004)."""
        return self._transitions.failures

    @property
    def attempts(self) -> int:
        """Attempts of a failing transition before its actor is marked failed (RUN-004.3)."""
        return self._transitions.attempts

    @attempts.setter
    def attempts(self, count: int) -> None:
        self._config = replace(self._config, attempts=count)
        self._transitions.attempts = count

    @property
    def first_backoff(self) -> float:
        """Delay before the first retry, in seconds; each later one doubles (RUN-004.3)."""
        return self._transitions.first_backoff

    @first_backoff.setter
    def first_backoff(self, seconds: float) -> None:
        self._config = replace(self._config, first_backoff=seconds)
        self._transitions.first_backoff = seconds

    # --- the bounds (TimeBound, RunBounds) ------------------------------------------------

    @property
    def time_limit(self) -> float:
        """The bound of one transition, in seconds (RUN-005.1)."""
        return self._time_bound.time_limit

    @time_limit.setter
    def time_limit(self, seconds: float) -> None:
        self._config = replace(self._config, time_limit=seconds)
        self._time_bound.time_limit = seconds

    @property
    def max_step_bytes(self) -> int:
        """Most bytes one step may add to the store (RUN-022.2)."""
        return self._bounds.max_step_bytes

    @max_step_bytes.setter
    def max_step_bytes(self, bound: int) -> None:
        self._config = replace(self._config, max_step_bytes=bound)
        self._bounds.max_step_bytes = bound

    @property
    def max_run_bytes(self) -> int:
        """Bytes a run adds before it starts no more transitions (RUN-023.2)."""
        return self._bounds.max_run_bytes

    @max_run_bytes.setter
    def max_run_bytes(self, bound: int) -> None:
        self._config = replace(self._config, max_run_bytes=bound)
        self._bounds.max_run_bytes = bound

    @property
    def max_core_bytes(self) -> int:
        """The core limit of its ``python-wasi`` actors (SBX-007.7), fixed as it is made."""
        return self._config.max_core_bytes

    @property
    def run_steps(self) -> int:
        """The steps the current (else the last) run adopted so far, counted as it runs
        (for progress lines; the run's report lists them once it returns)."""
        return len(self._scheduler.run_steps)

    @property
    def run_bytes(self) -> int:
        """The bytes the current (else the last) run's steps added to the store (RUN-023.1)."""
        return self._bounds.run_bytes
