"""The reference runtime: scheduling, persistence order, retries and recovery (RUN-001 … RUN-007).

Transitions are built by :meth:`gritwit.wit.Executor.build` (the Wit chapter's
semantics, unchanged); this module decides *when* they run and *how* they are
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
  abandoned after ``time_limit``, as before (Wasm and sandboxed Python in the lane);
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
* a send from the outside commits on its own and is durable when it returns
  (``send_commit="own"``, the default), or, with ``send_commit="group"``, joins the
  open group and is durable once the next run or :meth:`Runtime.flush` returns:
  a send and the run after it are then one commit (RUN-019);
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
  marks to run only the actors of its share (:meth:`Runtime._mark`): it sends to,
  and answers queries of, every actor, but runs, retries, reports and keeps busy
  only its own (RUN-021.1 … RUN-021.5).
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import NamedTuple

from .._codec import object_id
from .._errors import GritError, RefConflict, TimeLimit
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob, GritObject, Mailbox, Step, Tree
from ..store import Store, head_ref
from ..wit import (
    OUTSIDE,
    OUTSIDE_REF,
    TEST_ACTORS,
    TEST_UPDATERS,
    Assembled,
    Executor,
    Failure,
    OutsideSend,
    PendingMessage,
    RunReport,
    SentOutbox,
    TransitionTimeout,
    Wit,
    build_outside_send,
    mailbox_entries,
    send_from_outside,
)
from ._cache import ObjectCache
from ._events import (
    ARCHIVED,
    IDLE_AFTER,
    MAX_RESIDENT,
    RESTORE_REQUESTED,
    RESTORED,
    EventHub,
    LifecycleEvent,
    Observer,
    Residency,
    Resident,
)
from ._group import (
    COMMIT,
    COMMIT_MODES,
    GROUP_BYTES,
    GROUP_SIZE,
    SEND_COMMIT,
    SEND_COMMIT_MODES,
    CommitGroup,
)
from ._index import RoutingIndex, failed_ref
from ._lane import busy as lane_busy
from ._lane import run_in_lane
from ._share import Share

__all__ = [
    "ATTEMPTS",
    "COMMIT",
    "FIRST_BACKOFF",
    "GROUP_BYTES",
    "GROUP_SIZE",
    "MAX_STEPS",
    "SEND_COMMIT",
    "TIME_LIMIT",
    "Runtime",
]

#: Default bound of one transition, in seconds (RUN-005).
TIME_LIMIT = 5.0
#: Attempts of a failing transition before its actor is marked failed (RUN-004).
ATTEMPTS = 5
#: Delay before the first retry, in seconds; each later one doubles (RUN-004).
FIRST_BACKOFF = 0.01
#: Most steps one run adopts when its caller names no bound (RUN-018.1).
MAX_STEPS = 10_000
#: Seconds of inline transitions after which a run lets other tasks in (RUN-018.2).
_YIELD_AFTER = 0.005
#: A set keeps the hash table of the largest size it had, and every pass of
#: :meth:`Runtime._run` walks the set of dirty actors (``_dirty - _running``): after a
#: pass that looked at more actors than this, the set is re-made, so that the passes
#: after a burst of 10,000 geneses cost what they cost after none (issue 28).
_BURST = 32
#: The ``runtime`` headers of ``wit`` blobs the engine runs (WASM-001, SBX-001.1).
_WASM, _SANDBOX = "wasm", "python-wasi"
#: An update is pending first: it may run a Wasm update function (WIT-014.1).
_UPDATE = "update"
#: Most ``wit`` blobs whose runtime is remembered (:meth:`Runtime._wit_kind`).
_KINDS = 4096

Found = dict[ObjectId, tuple[PendingMessage, ...]]
_NO_ENTRIES: Mapping[ObjectId, ObjectId] = {}
_NO_BASIS: frozenset[ObjectId] = frozenset()


class _Attempt(NamedTuple):
    """What one attempt of a transition starts from (:meth:`Runtime._prepare`).

    A named tuple: immutable, and made at a third of a frozen dataclass's cost.
    """

    actor: ObjectId
    last_id: ObjectId | None
    last: Step | None
    found: Found
    #: The open group's provisional steps it is built on (RUN-017.3).
    basis: frozenset[ObjectId]
    #: The last pending message of each sender: the idle snapshot (RUN-012.1).
    snapshot: tuple[ObjectId, ...]


#: A failed attempt and its error (:meth:`Runtime._drive_inline` to :meth:`Runtime._drive`).
_Failed = tuple[_Attempt, Exception]


def _builtin_only(*tables: Mapping[str, Wit]) -> bool:
    """Whether every Wit of ``tables`` is one of the reference's own (RUN-005, see above)."""
    builtin = {id(wit) for wit in (*TEST_ACTORS.values(), *TEST_UPDATERS.values())}
    return all(id(wit) in builtin for table in tables for wit in table.values())


class _ToLane(Exception):
    """Raised by :func:`_inline_gate`: this transition runs in the engine lane (RUN-005.7)."""


def _inline_gate(runtime: str | None) -> None:
    """Stop an inline transition whose code must run in the engine lane (RUN-005.7).

    Called by the executor with the ``runtime`` header of the code it is about to
    run, before running it: sandboxed Python always goes to the lane, a Wasm Wit
    (or a Wasm update function) when the lane is busy, since its transition would
    wait on the engine's lock on the event loop.  Asking the executor as it
    dispatches, rather than reading the core's ``wit`` first, costs an inline
    test-actor transition one call.
    """
    if runtime == _SANDBOX or (runtime == _WASM and lane_busy()):
        raise _ToLane


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


class Runtime:
    """Runs actors over ``store`` (memory or durable) until nothing is pending."""

    def __init__(
        self,
        store: Store,
        *,
        time_limit: float = TIME_LIMIT,
        actors: Mapping[str, Wit] = TEST_ACTORS,
        updaters: Mapping[str, Wit] = TEST_UPDATERS,
        attempts: int = ATTEMPTS,
        first_backoff: float = FIRST_BACKOFF,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_resident: int | None = MAX_RESIDENT,
        idle_after: float | None = IDLE_AFTER,
        clock: Callable[[], float] = time.monotonic,
        commit: str = COMMIT,
        group_size: int = GROUP_SIZE,
        group_bytes: int = GROUP_BYTES,
        max_steps: int = MAX_STEPS,
        send_commit: str = SEND_COMMIT,
        share: Share | None = None,
    ) -> None:
        if commit not in COMMIT_MODES:
            raise ValueError(f"RUN-017.1: commit must be one of {COMMIT_MODES}, not {commit!r}")
        if send_commit not in SEND_COMMIT_MODES:
            raise ValueError(
                f"RUN-019.1: send_commit must be one of {SEND_COMMIT_MODES}, not {send_commit!r}"
            )
        if send_commit == "group" and commit != "group":
            raise ValueError("RUN-019.2: send_commit='group' needs commit='group'")
        if group_size < 1:
            raise ValueError(
                f"RUN-017.8, RUN-017.2: group_size must be at least 1, not {group_size}"
            )
        if group_bytes < 1:
            raise ValueError(f"RUN-017.10: group_bytes must be at least 1, not {group_bytes}")
        if max_steps < 1:
            raise ValueError(f"RUN-018.1: max_steps must be at least 1, not {max_steps}")
        self._store = store
        self._cache = ObjectCache(store)
        actors, updaters = dict(actors), dict(updaters)  # read once (RUN-005, see above)
        self._executor = Executor(store, actors, updaters, reader=self._cache)
        #: Whether transitions run inline: only the reference's own Wits (RUN-005).
        self._inline = _builtin_only(actors, updaters)
        #: Whether the routing index was built from the heads (RUN-003).
        self._loaded = False
        #: The store's ref version the index last caught up with (None: unknown).
        self._synced: int | None = None
        self.time_limit = time_limit
        self.attempts = attempts
        self.first_backoff = first_backoff
        self._sleep = sleep
        self._index = RoutingIndex()
        self._dirty: set[ObjectId] = set()
        self._running: set[ObjectId] = set()
        #: Most idle actors kept in memory (``None``: no limit) (RUN-012).
        self.max_resident = max_resident
        #: Seconds after which an idle actor is evicted (``None``: never) (RUN-012).
        self.idle_after = idle_after
        self._clock = clock
        self._resident = Residency()
        self._events = EventHub()
        #: Every failed transition attempt, in order (RUN-004).
        self.failures: list[Failure] = []
        #: How many head compare-and-swaps lost to another writer (RUN-002).
        self.conflicts = 0
        #: Where the failed attempts of the last :meth:`run_rounds` call start in ``failures``.
        self.attempts_from = 0
        #: ``"group"`` or ``"step"``: how adopted steps are committed (RUN-017.1).
        self.commit = commit
        self._grouped = commit == "group"
        self._group = CommitGroup(self._cache, group_size, group_bytes)
        #: ``"own"`` or ``"group"``: how sends from the outside are committed (RUN-019.1).
        self.send_commit = send_commit
        self._group_sends = send_commit == "group"
        #: Most steps of a run whose caller names no bound (RUN-018.1).
        self.max_steps = max_steps
        #: The ``runtime`` header of each ``wit`` blob met, by its id (:meth:`_wit_kind`).
        self._kinds: dict[ObjectId, str] = {}
        #: How many group commits lost a member (RUN-017.4).
        self.group_losses = 0
        #: The current run's adopted steps and idle snapshots (a group commit adds to them).
        self._sink: list[tuple[ObjectId, ObjectId]] = []
        self._idle_now: dict[ObjectId, tuple[ObjectId, ...]] | None = None
        #: Set by a send while a run waits for its transitions (RUN-018.2).
        self._wake: asyncio.Future[None] | None = None
        #: The actors this runtime runs (RUN-021); ``None``: every actor (RUN-020.4).
        self.share = share

    # --- reading state -------------------------------------------------------------------

    def head(self, actor: ObjectId) -> ObjectId | None:
        """The id of ``actor``'s last step, or ``None``."""
        return self._store.get_ref(head_ref(actor))

    def _head_step(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None]:
        """``actor``'s head step, from memory while its head has not moved (RUN-012).

        The head ref is read every time, so another writer's step is seen at once
        (RUN-002); the step object is read again only when the head moved.  This
        neither restores nor marks the actor used.  A step of the open commit group
        is the actor's head for the runtime (RUN-017.3), not read from the store.
        """
        if self._group.members:
            provisional = self._group.provisional(actor)
            if provisional is not None:
                return provisional
        oid = self.head(actor)
        resident = self._resident.get(actor)
        if resident is not None and resident.head == oid:
            return oid, resident.step
        obj = None if oid is None else self._cache.get_object(oid)
        step = obj if isinstance(obj, Step) else None
        if resident is not None:
            resident.head, resident.step = oid, step
        return oid, step

    def _use(self, actor: ObjectId, head: ObjectId | None, step: Step | None, why: str) -> None:
        """Mark ``actor`` used; restore it from its head first if it is not resident (RUN-013.1).

        ``restore-requested`` precedes the restore and ``restored`` follows it
        (RUN-014.2); an actor without a head has nothing to restore and emits nothing.
        """
        if actor in self._resident:
            self._remember(actor, head, step)
            return
        if head is not None:
            self._emit(RESTORE_REQUESTED, actor, why)
        self._remember(actor, head, step)
        if head is not None:
            self._emit(RESTORED, actor)

    def query(self, actor: ObjectId, name: str) -> Blob:
        """Run query ``name`` against ``actor``'s head (WIT-017), restoring it first (RUN-013.1)."""
        head, step = self._head_step(actor)
        if head is not None:
            self._use(actor, head, step, "query")
        return self._executor.query(actor, name)

    # --- residency and events (RUN-012 … RUN-014) -----------------------------------------

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every later lifecycle event; returns an unsubscribe function.

        An observer that raises is ignored: it never affects a transition (RUN-014).
        """
        return self._events.subscribe(observer)

    @property
    def observer_errors(self) -> int:
        """How many times an observer raised (RUN-014)."""
        return self._events.observer_errors

    def resident(self, actor: ObjectId) -> bool:
        """Whether ``actor``'s state is in memory (RUN-012)."""
        return actor in self._resident

    def _emit(self, kind: str, actor: ObjectId, reason: str | None = None) -> None:
        self._events.emit(LifecycleEvent(kind, actor, reason))

    def evict_idle(self, *, everything_idle: bool = False) -> list[ObjectId]:
        """Evict idle actors past ``idle_after``, then beyond ``max_resident``.

        RUN-012.2, RUN-012.3.

        Only an actor with no transition running, none to start and no message
        left pending is evicted.  ``everything_idle`` evicts every idle actor as if
        the idle timeout had passed for all (``rt-evict``, ADP-015).  Returns the
        evicted actors, in eviction order.
        """
        evicted: list[ObjectId] = []
        now = self._clock()
        if not everything_idle and not self._resident.may_evict(
            now, self.max_resident, self.idle_after
        ):
            return evicted
        candidates = [
            (actor, r)
            for actor, r in self._resident.oldest_first()
            if actor not in self._running and actor not in self._dirty and r.waiting is None
        ]
        for actor, r in candidates:
            if everything_idle or (self.idle_after is not None and now - r.used >= self.idle_after):
                self._archive(actor, "idle", evicted)
        if self.max_resident is not None:
            for actor, _ in candidates:
                if len(self._resident) <= self.max_resident:
                    break
                if actor in self._resident:
                    self._archive(actor, "capacity", evicted)
        return evicted

    def _archive(self, actor: ObjectId, reason: str, evicted: list[ObjectId]) -> None:
        self._resident.drop(actor)  # RUN-014.3: the event follows the state change
        evicted.append(actor)
        self._emit(ARCHIVED, actor, reason)

    def failed(self, actor: ObjectId) -> dict[str, object] | None:
        """The failure record of ``actor`` if it is marked failed (RUN-004), else ``None``."""
        target = self._store.get_ref(failed_ref(actor))
        blob = None if target is None else self._store.get_object(target)
        if not isinstance(blob, Blob):
            return None
        record: dict[str, object] = json.loads(blob.data)
        return record

    # --- the outside ---------------------------------------------------------------------

    async def send(
        self,
        recipient: ObjectId,
        content: ObjectId,
        headers: Mapping[str, str] | None = None,
        objects: Iterable[GritObject] = (),
        signal: bool = False,
    ) -> ObjectId:
        """Send a message from the outside; it is routed once its ref moved (RUN-001).

        Durable when it returns (``send_commit="own"``), or once the next run or
        :meth:`flush` returns (``send_commit="group"``, RUN-019.2).
        """
        (sent,) = self._send_all([(recipient, content, headers, signal)], objects)
        return sent

    async def send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject] = (),
    ) -> list[ObjectId]:
        """Send ``(recipient, content, headers, signal)`` messages from the outside, in order.

        One compare-and-swap of ``names/outside-outbox`` for all of them, chained
        as if sent one by one (WIT-004); returns their ids.
        """
        return self._send_all(messages, objects)

    def _send_all(
        self,
        messages: Iterable[tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[GritObject],
    ) -> list[ObjectId]:
        """:meth:`send_all`, which awaits nothing, without a coroutine (for :meth:`send`)."""
        if self._group_sends:
            sent, entries = self._send_with_group(list(messages), list(objects))
        else:
            sent, entries, conflicts = send_from_outside(self._store, messages, objects)
            self.conflicts += conflicts
        self._mark(self._index.set_outbox(OUTSIDE, entries))
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)  # a run waiting on long transitions looks again
        return sent

    def _send_with_group(
        self, messages: list[OutsideSend], objects: list[GritObject]
    ) -> tuple[list[ObjectId], SentOutbox]:
        """Build sends on the outbox the group's sends left, and let them join it (RUN-019.2).

        Nothing is stored: the open group stores them and swaps
        ``names/outside-outbox`` when it commits (RUN-019.3).
        """
        sends = self._group.sends  # built on the outbox they left, else on the ref as read
        old = self._store.get_ref(OUTSIDE_REF) if sends is None else sends.box or sends.expected
        built = build_outside_send(self._cache, old, messages, objects)
        self._group.add_sends(old, built, messages)
        return built.sent, built.entries

    def flush(self) -> None:
        """Commit the open group now: sends that joined it are durable when this returns.

        RUN-019.2.  A send whose outbox swap lost is made again, on its own (RUN-019.4).
        """
        self._commit_group()

    async def genesis(self, core: Tree, objects: Iterable[GritObject] = ()) -> ObjectId:
        """Send ``core``'s genesis message from the outside; returns the actor id (WIT-002)."""
        actor = object_id(core)
        await self.send(actor, actor, {"mt": "genesis"}, objects=(*objects, core))
        return actor

    # --- running -------------------------------------------------------------------------

    async def run_until_quiescent(self, max_steps: int | None = None) -> RunReport:
        """Run transitions until nothing is pending that can progress (RUN-006).

        Starts from the heads alone (RUN-003) on the first run, later from the
        refs that moved since.  ``max_steps`` (by default the runtime's
        ``max_steps``, RUN-018.1) stops starting new transitions once that many
        steps were adopted (the running ones finish); the report is then not
        quiescent, and :meth:`busy` names the actors left with work (RUN-018.3).
        """
        if max_steps is None:
            max_steps = self.max_steps
        elif max_steps < 1:
            raise ValueError(f"RUN-018.1: max_steps must be at least 1, not {max_steps}")
        if self._loaded:  # only the refs swapped since, where the store knows them
            version, swaps = self._store.refs_changed_since(self._synced)
            if self._group.sends is not None and swaps is not None:
                swaps = self._group.behind(swaps)
            self._mark(self._index.refresh(self._store, self._cache, swaps))
        else:
            version, _ = self._store.refs_changed_since(None)
            self._mark(self._index.load(self._store, self._cache))
            self._loaded = True
        self._synced = version
        if self._group.sends is not None:
            self._route_grouped_sends()
        try:
            return await self._run(max_steps)
        except BaseException:
            self._abandon_group()
            self._loaded = False  # what was dirty may be lost: start from the heads again
            raise

    def busy(self) -> list[ObjectId]:
        """The actors the last run left with work, in id order (RUN-018.3).

        Those with a transition running, and those with messages pending that
        they have not looked at, not marked failed (RUN-004.7): what a run that
        stopped at its bound (RUN-018.1) did not finish.  Empty after a quiescent run.
        With a share, only actors of the share are ever busy (RUN-021.4).
        """
        return sorted((self._dirty | self._running) - self._index.failed)

    def _mine(self, actors: set[ObjectId]) -> set[ObjectId]:
        """The actors of ``actors`` this runtime runs: those of its share (RUN-021.1)."""
        return actors if self.share is None else self.share.select(actors)

    def _mark(self, actors: Iterable[ObjectId]) -> None:
        """Mark ``actors`` to run: every actor, or only those of the share (RUN-021.1).

        An actor outside the share is never marked, so no run starts a transition of
        it, reports it busy or keeps it from being evicted (RUN-021.4, RUN-021.5);
        messages for it were sent all the same, for its share's runtime (RUN-021.3).
        """
        self._dirty.update(actors if self.share is None else self.share.select(actors))

    async def _run(self, max_steps: int) -> RunReport:
        """The passes of :meth:`run_until_quiescent` (RUN-006, RUN-018).

        Each pass starts at most one transition of each actor with work, in id
        order, then waits for one to finish: an actor that always has work gets
        one transition a pass like every other (RUN-018.2).  Inline transitions
        let the loop's other tasks in every :data:`_YIELD_AFTER` seconds.
        """
        first_failure = len(self.failures)
        steps: list[tuple[ObjectId, ObjectId]] = []
        self._sink, self._idle_now = steps, None
        tasks: dict[asyncio.Task[None], ObjectId] = {}
        clock = time.monotonic
        yielded = clock()
        while True:
            self.evict_idle()
            ran_inline = False
            ready = sorted(self._dirty - self._running)
            for actor in ready:
                if len(steps) + len(self._group) + len(tasks) >= max_steps:
                    break
                self._dirty.discard(actor)
                if actor in self._index.failed:
                    continue
                first: _Failed | None = None
                if self._inline:
                    inline = self._drive_inline(actor, steps)
                    if inline is True:
                        ran_inline = True  # done at once: no task (RUN-005)
                        continue
                    if inline is not False:
                        first = inline  # it failed: counted, not built again (RUN-004.3)
                self._running.add(actor)
                tasks[asyncio.create_task(self._drive(actor, steps, first=first))] = actor
            if ready[_BURST:]:  # after a burst: a set sized to what is dirty now
                self._dirty = set(self._dirty)
            if ran_inline and clock() - yielded >= _YIELD_AFTER:
                await asyncio.sleep(0)  # RUN-018.2: sends and lane results get in
                yielded = clock()
            if not tasks:
                if ran_inline:
                    continue  # what it routed may have made others dirty
                group = self._group  # anything to commit: a member, or a send (RUN-019.2)
                if (group.members or group.sends is not None) and not self._commit_group():
                    continue  # a member or a send was lost: run again (RUN-017.4, RUN-019.4)
                break
            more = ran_inline and bool(self._dirty - self._running)
            # RUN-018.2: a send from the outside meanwhile wakes the pass, so its
            # recipient does not wait for a long transition of another actor to end.
            self._wake = woken = asyncio.get_running_loop().create_future()
            done, _ = await asyncio.wait(
                [*tasks, woken], timeout=0 if more else None, return_when=asyncio.FIRST_COMPLETED
            )
            self._wake = None
            woken.cancel()
            for task in [t for t in tasks if t in done]:
                self._running.discard(tasks.pop(task))
                task.result()  # an error of the runtime itself (not of a Wit) propagates
        self.evict_idle()
        quiescent = not (self._dirty - self._index.failed)
        return RunReport(tuple(steps), tuple(self.failures[first_failure:]), quiescent)

    async def run_rounds(self, max_steps: int) -> RunReport:
        """Run in the deterministic rounds of ADP-015: one actor at a time, ascending ids.

        The schedule of ``wit-run`` (ADP-014) with the failure policy (RUN-004.3, RUN-004.5,
        RUN-004.7): a failing candidate is retried in its turn and, after the last attempt,
        marked failed; the report's ``failures`` are the actors marked failed in
        this call.  Idle snapshots last for this call only, so a restart between
        calls changes no step id.  Capacity eviction runs before every round and
        at the end (RUN-012.2).
        """
        self._index.load(self._store, self._cache)
        if self._group.sends is not None:
            self._route_grouped_sends()
        self._loaded = False  # its idle snapshots are not kept: the next run starts from the heads
        self.attempts_from = len(self.failures)  # this call's failed attempts (RUN-004.3)
        steps: list[tuple[ObjectId, ObjectId]] = []
        marked: list[Failure] = []
        idle: dict[ObjectId, tuple[ObjectId, ...]] = {}
        self._sink, self._idle_now = steps, idle
        try:
            return await self._rounds(max_steps, steps, marked, idle)
        except BaseException:
            self._abandon_group()
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
            losses = self.group_losses
            for actor in sorted(self._mine(self._index.recipients()) - self._index.failed):
                if len(steps) + len(group) >= max_steps:
                    self._commit_group()
                if len(steps) >= max_steps:
                    self._evict_between_rounds(idle, final=True)
                    return RunReport(tuple(steps), tuple(marked), False)
                if actor in self._index.failed:  # marked by another writer during the round
                    continue
                adopted, attempts = len(steps) + len(group), len(self.failures)
                self._running.add(actor)
                try:
                    await self._drive(actor, steps, idle)
                finally:
                    self._running.discard(actor)
                if actor in self._index.failed and len(self.failures) > attempts:
                    marked.append(self.failures[-1])  # its last attempt, in its turn
                progressed = progressed or len(steps) + len(group) > adopted
            if not progressed and self.group_losses == losses:
                self._commit_group()
                if self.group_losses == losses:  # else a lost member's actor runs again
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
            if not self._resident.may_evict(self._clock(), self.max_resident, self.idle_after):
                return
            looked_at = {a for a in self._mine(self._index.recipients()) if a in self._resident}
        else:
            looked_at = self._mine(self._index.recipients())
        self._dirty = set()
        for actor in looked_at - self._index.failed:
            _, _, found = self._pending(actor)
            if found and idle.get(actor) != tuple(items[-1].id for items in found.values()):
                self._dirty.add(actor)
        self.evict_idle()

    def _pending(self, actor: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
        """``actor``'s head id, head step and what is pending for it (WIT-005).

        A head another writer moved since the routing index caught up (RUN-002) may
        have read messages the index does not know of: the index catches up first,
        after the head was read, so that the walk meets its inbox entry and nothing
        is read twice (RUN-003.3, RUN-002.3).  Should the head move yet again, the
        compare-and-swap of the step built on it loses.
        """
        last_id, last = self._head_step(actor)
        if not self._index.saw_head(actor, last_id):
            self._catch_up()
        inbox = self._entries(None if last is None else last.inbox)
        return last_id, last, self._index.pending_for(self._cache, actor, inbox)

    def _catch_up(self) -> None:
        """Bring the routing index up to date with the refs now (RUN-003.1, RUN-002.3).

        The open commit group is committed first (RUN-017.2): the index holds its
        members' provisional outboxes, which the refs do not have yet.  A lost
        member rebuilds the index from the heads already (RUN-017.4).
        """
        group = self._group
        if (group.members or group.sends is not None) and not self._commit_group():
            return
        version, swaps = self._store.refs_changed_since(self._synced)
        self._mark(self._index.refresh(self._store, self._cache, swaps))
        self._synced = version

    def _route_grouped_sends(self) -> None:
        """Route the sends waiting in the open group again, after the index caught up
        with the refs, which do not hold them yet (RUN-019.2)."""
        sends = self._group.sends
        if sends is not None and not self._index.saw_head(OUTSIDE, sends.entries.box):
            self._mark(self._index.set_outbox(OUTSIDE, sends.entries))

    def _prepare(
        self, actor: ObjectId, idle: dict[ObjectId, tuple[ObjectId, ...]] | None
    ) -> _Attempt | None:
        """What one attempt of ``actor`` starts from, or ``None`` when it has nothing to do.

        Nothing to do: nothing pending, or exactly what its last transition left
        unread (its idle snapshot, RUN-012.1).  Otherwise the actor is restored
        first if it was evicted (RUN-013.1).
        """
        last_id, last, found = self._pending(actor)
        if not found:
            return None
        snapshot = tuple([items[-1].id for items in found.values()])
        if idle is None:
            resident = self._resident.get(actor)
            waiting = None if resident is None else resident.waiting
        else:
            waiting = idle.get(actor)
        if waiting == snapshot:
            return None
        # RUN-017.3, RUN-019.3: the open group's steps (and sends) this transition is built on
        group = self._group
        grouped = group.members or group.sends is not None
        basis = group.basis((actor, *found)) if grouped else _NO_BASIS
        self._use(actor, last_id, last, "message")  # RUN-013: restored before it runs
        return _Attempt(actor, last_id, last, found, basis, snapshot)

    def _adopt(
        self,
        job: _Attempt,
        built: Assembled,
        steps: list[tuple[ObjectId, ObjectId]],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None,
    ) -> bool:
        """Adopt ``built``, then route its messages; ``False`` when it must be built again.

        RUN-001.1 … RUN-001.4, RUN-002.3, RUN-017.3, RUN-017.4: in group mode the step is
        adopted in memory and committed with its group; in step mode its objects are
        stored and its head swapped at once.  Either way its messages are routed only
        after that.  ``False``: it was built on a lost step, or another writer won
        the swap; the caller builds it again from the state as it is now.
        """
        actor = job.actor
        if self._grouped:  # RUN-017: adopted in memory, committed with its group
            if not self._group.add(actor, job.last_id, built, job.basis):
                self.conflicts += 1  # built on a lost step (RUN-017.4): run again
                return False
        else:
            try:  # RUN-001: objects first, then the head by compare-and-swap (one commit) …
                self._cache.commit_assembled(built, head_ref(actor), job.last_id)
            except RefConflict:  # RUN-002: another writer won; reload and retry from it
                self.conflicts += 1
                self._mark(self._index.load(self._store, self._cache))
                return False
            steps.append((actor, built.step_id))
        # … and only then are its messages routed.
        step = built.step
        outbox = built.outbox  # the step's mailboxes, as built: not read back
        entries = self._entries(step.outbox) if outbox is None else outbox.entries
        self._mark(self._index.set_outbox(actor, entries, built.step_id))
        if not self._read_all(built, job.found):  # else only news can be pending: dirty
            self._dirty.add(actor)
        self._remember(actor, built.step_id, step)
        last = job.last
        if step.inbox == (None if last is None else last.inbox):
            self._wait(actor, job.snapshot, idle)
        if self._group.full:
            self._commit_group()
        return True

    async def _drive(
        self,
        actor: ObjectId,
        steps: list[tuple[ObjectId, ObjectId]],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None = None,
        *,
        first: _Failed | None = None,
    ) -> None:
        """At most one adopted step of ``actor``.

        RUN-001.1, RUN-001.2, RUN-001.3, RUN-002.3, RUN-004.1, RUN-004.2, RUN-004.3,
        RUN-004.4, RUN-004.5, RUN-005.3.

        ``idle`` holds per-call idle snapshots (:meth:`run_rounds`); without it the
        snapshot kept with the resident actor is used (RUN-012).  ``first``, from
        :meth:`_drive_inline`, is a first attempt that failed already: it is counted
        as this call's first failure (RUN-004.3), not built again.
        """
        attempt = 0
        while True:
            if first is not None:
                (job, exc), first = first, None
            else:
                prepared = self._prepare(actor, idle)
                if prepared is None:
                    return
                job = prepared
                try:
                    built = await self._build(actor, job.last_id, job.last, job.found)
                except Exception as error:  # WIT-006: adopts nothing, the messages stay pending
                    exc = error
                else:
                    if built is None:  # no genesis yet: wait for what is pending to change
                        self._wait(actor, job.snapshot, idle)
                        return
                    if self._adopt(job, built, steps, idle):
                        return
                    continue
            if isinstance(exc, TimeoutError):
                exc = self._overrun(actor, job)
            self.failures.append(Failure(actor, exc))
            attempt += 1
            if attempt >= self.attempts:
                await self._mark_failed(actor, exc, attempt, job.found)
                return
            await self._sleep(self.first_backoff * 2 ** (attempt - 1))

    def _drive_inline(
        self, actor: ObjectId, steps: list[tuple[ObjectId, ObjectId]]
    ) -> bool | _Failed:
        """:meth:`_drive` without a task, for a runtime whose transitions run inline (RUN-005).

        ``True`` when done.  Otherwise the transition must go the long way, having
        adopted nothing: ``False`` when a ``nap`` needs the bounded thread
        (RUN-005.6), or the attempt and its error when it failed, for :meth:`_drive`
        to count as its first failed attempt (RUN-004.3) and retry.
        """
        while True:
            job = self._prepare(actor, None)
            if job is None:
                return True
            if _naps(job.found):
                return False
            try:
                started = time.monotonic()
                built = self._executor.build(
                    actor, job.last, job.found, last_id=job.last_id, gate=_inline_gate
                )
                self._judge_overrun(started)
            except _ToLane:  # RUN-005.7: it runs in the engine lane, from _drive
                return False
            except Exception as exc:  # WIT-006: nothing adopted; _drive records it and retries
                return job, exc
            if built is None:  # no genesis yet: wait for what is pending to change
                self._wait(actor, job.snapshot)
                return True
            if self._adopt(job, built, steps, None):
                return True

    def _commit_group(self) -> bool:
        """Commit the open group (RUN-017.2); ``False`` when a member or a send was lost.

        The adopted members join the run's steps, in group order.  A lost member's
        provisional state is undone (RUN-017.4); sends whose outbox swap lost are
        made again at once, on their own, from the winner's outbox (RUN-019.4).
        Then the routing index is rebuilt from the heads (RUN-003), which marks
        every actor with pending messages to run again (RUN-002.3), and the lost
        members' idle snapshots are forgotten.
        """
        group = self._group
        if not group.members and group.sends is None:
            return True
        adopted, lost, unsent = group.commit(self._store)
        self._sink.extend((m.actor, m.built.step_id) for m in adopted)
        if not lost and unsent is None:
            return True
        if unsent is not None:
            self.conflicts += 1  # RUN-002.4: the outside's swap lost; sent again below
            _, _, conflicts = send_from_outside(self._store, unsent.requests, unsent.objects)
            self.conflicts += conflicts
        self.conflicts += len(lost)
        self.group_losses += 1
        for member in lost:
            self._forget_adoption(member.actor)
        self._mark(self._index.load(self._store, self._cache))
        return False

    def _abandon_group(self) -> None:
        """Drop the open group unstored (an error escaped a run): nothing of it was durable."""
        for member in self._group.abandon():
            self._forget_adoption(member.actor)

    def _forget_adoption(self, actor: ObjectId) -> None:
        """Undo what a provisional adoption of ``actor``'s step left in memory (RUN-017.4)."""
        resident = self._resident.get(actor)
        if resident is not None:
            resident.waiting = None
        if self._idle_now is not None:
            self._idle_now.pop(actor, None)

    async def _build(
        self, actor: ObjectId, last_id: ObjectId | None, last: Step | None, found: Found
    ) -> Assembled | None:
        """Build one transition, bounded by ``time_limit`` (inline: see the module).

        RUN-005.1, RUN-005.3, RUN-005.7.
        """
        if self._in_lane(actor, last, found):  # Wasm or sandboxed Python: the engine lane
            work = functools.partial(self._executor.build, actor, last, found, last_id=last_id)
            return await run_in_lane(work, self.time_limit)
        if self._inline and not _naps(found):  # a nap for sleepy: bounded (RUN-005.6)
            started = time.monotonic()
            built = self._executor.build(actor, last, found, last_id=last_id)
            self._judge_overrun(started)
            return built
        build = functools.partial(self._executor.build, last_id=last_id)
        return await asyncio.wait_for(asyncio.to_thread(build, actor, last, found), self.time_limit)

    def _judge_overrun(self, started: float) -> None:
        """Judge an inline transition's overrun when it returns (RUN-005.7, RUN-005.6).

        A transition built on the event loop cannot be abandoned while it runs; one
        that took longer than ``time_limit`` still fails its attempt (``TimeoutError``,
        which :meth:`_drive` turns into the overrun's error) and adopts nothing.
        """
        if time.monotonic() - started > self.time_limit:
            raise TimeoutError

    def _in_lane(self, actor: ObjectId, last: Step | None, found: Found) -> bool:
        """Whether this transition runs in the engine lane (RUN-005.7, see the module).

        Sandboxed Python always; a Wasm Wit or an update when the lane is busy (its
        transition holds the engine's lock) or the runtime runs nothing inline.
        """
        kind = self._wit_kind(actor, last, found)
        if kind == _SANDBOX:
            return True
        return kind in (_WASM, _UPDATE) and (not self._inline or lane_busy())

    def _wit_kind(self, actor: ObjectId, last: Step | None, found: Found) -> str | None:
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

    def _read_all(self, built: Assembled, found: Found) -> bool:
        """Whether the step ``built`` read every message of ``found`` (WIT-008).

        Then what is pending for its actor now arrived after ``found`` was taken,
        and whatever brought it (a routed step, a send, a refresh) marked the
        actor dirty already: looking again at once would find nothing new.
        """
        inbox = built.inbox  # as built; else read through the cache
        if inbox is None:
            entries = self._entries(built.step.inbox)
            return all(entries.get(sender) == items[-1].id for sender, items in found.items())
        raw = raw_of(inbox.entries)  # text-form actor id → message digest (OBJ-014)
        return all(raw.get(sender[0].hex()) == items[-1].id[0] for sender, items in found.items())

    def _entries(self, mailbox: ObjectId | None) -> Mapping[ObjectId, ObjectId]:
        """The entries of mailbox ``mailbox``, read through the cache, not copied."""
        if mailbox is None:
            return _NO_ENTRIES
        obj = self._cache.get_object(mailbox)
        if not isinstance(obj, Mailbox):  # as mailbox_entries does
            return mailbox_entries(self._cache, mailbox)
        return obj.entries

    def _remember(self, actor: ObjectId, head: ObjectId | None, step: Step | None) -> None:
        """Keep ``actor``'s new head in memory, as its most recent use (RUN-012.2)."""
        resident = self._resident.get(actor)
        if resident is None:
            self._resident.keep(actor, Resident(head, step, self._clock()))
        else:
            resident.head, resident.step = head, step
            self._resident.touch(actor, self._clock())

    def _wait(
        self,
        actor: ObjectId,
        snapshot: tuple[ObjectId, ...],
        idle: dict[ObjectId, tuple[ObjectId, ...]] | None = None,
    ) -> None:
        """Remember that ``snapshot`` is pending and was not consumed (RUN-012.1)."""
        if idle is not None:
            idle[actor] = snapshot
            return
        resident = self._resident.get(actor)
        if resident is not None:
            resident.waiting = snapshot

    def _overrun(self, actor: ObjectId, job: _Attempt) -> Exception:
        """The error of an attempt that overran its bound (RUN-005.3).

        A sandboxed run the bound stopped fails ``time-limit`` (SBX-006.10), and its
        transition with that class (SBX-013.1); another kind of transition fails
        ``failed``, as any transition that raised.
        """
        if self._wit_kind(actor, job.last, job.found) == _SANDBOX:
            return TimeLimit(
                "SBX-006.10",
                f"the sandboxed run overran the transition's bound of {self.time_limit} s "
                "and was stopped (SBX-013.1)",
            )
        return TransitionTimeout(f"the transition overran {self.time_limit} s")

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
        if not self._commit_group():
            return
        error_class = error.error_class if isinstance(error, GritError) else "failed"
        record = {"actor": actor.hex(), "attempts": attempts, "error": error_class}
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        blob = Blob(data=text.encode("utf-8"), headers={"content-type": "application/json"})
        blob_id = self._store.put_object(blob)
        try:
            self._store.cas_ref(failed_ref(actor), None, blob_id)
        except RefConflict:  # already marked by another writer: its receipts went out
            self.conflicts += 1
            return
        finally:
            self._index.failed.add(actor)
        for sender in sorted(found):
            if sender != OUTSIDE:
                await self.send(sender, blob_id, {"mt": "error"})
