"""An actor's state as the runtime reads it, and which actors stay in memory (RUN-012 … RUN-014).

:class:`ResidentActors` reads an actor's head step — from memory while its head has
not moved (RUN-012), from the open commit group while a step of it is provisional
(RUN-017.3) — answers queries (WIT-017) and failure records (RUN-004), and keeps
idle actors in memory within ``max_resident`` and ``idle_after``: evicted beyond
them (RUN-012.2, RUN-012.3), restored from their head on demand (RUN-013.1), with
the lifecycle events observers see (RUN-014).  It remembers an actor's new head
(RUN-012.2) and the idle snapshot of what it left unread (RUN-012.1).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Final

from .._ids import ObjectId
from .._objects import Blob, Mailbox, Step
from ..store import Store, head_ref
from ..wit import Executor, mailbox_entries, mailbox_map
from ._cache import ObjectCache
from ._events import (
    ARCHIVED,
    RESTORE_REQUESTED,
    RESTORED,
    EventHub,
    LifecycleEvent,
    Observer,
    Residency,
    Resident,
)
from ._group import CommitGroup
from ._index import failed_ref

__all__ = ["ResidentActors"]

_NO_ENTRIES: Mapping[ObjectId, ObjectId] = {}


class Unread:
    """No head given to :meth:`ResidentActors.head_step`: it reads the head ref."""


#: The one :class:`Unread`.
UNREAD: Final = Unread()


class ResidentActors:
    """Reading actors' heads, and keeping idle actors in memory or evicting them (RUN-012).

    A part the runtime holds: it owns the resident actors (:class:`Residency`), the
    observers of their lifecycle (:class:`EventHub`), the clock and the two bounds
    ``max_resident`` and ``idle_after``; it reads the store, the cache, the executor
    and the open commit group, which it is given.  What the scheduler has running or
    marked to run (never evicted) is passed to :meth:`evict_idle`.
    """

    __slots__ = (
        "_cache",
        "_clock",
        "_events",
        "_executor",
        "_group",
        "_resident",
        "_store",
        "idle_after",
        "max_resident",
    )

    def __init__(
        self,
        store: Store,
        cache: ObjectCache,
        executor: Executor,
        group: CommitGroup,
        *,
        clock: Callable[[], float],
        max_resident: int | None,
        idle_after: float | None,
    ) -> None:
        self._store = store
        self._cache = cache
        self._executor = executor
        self._group = group
        self._clock = clock
        #: Most idle actors kept in memory (``None``: no limit) (RUN-012).
        self.max_resident = max_resident
        #: Seconds after which an idle actor is evicted (``None``: never) (RUN-012).
        self.idle_after = idle_after
        self._resident = Residency()
        self._events = EventHub()

    # --- reading state -------------------------------------------------------------------

    def head(self, actor: ObjectId) -> ObjectId | None:
        """The id of ``actor``'s last step, or ``None``."""
        return self._store.get_ref(head_ref(actor))

    def head_step(
        self, actor: ObjectId, read: ObjectId | Unread | None = UNREAD
    ) -> tuple[ObjectId | None, Step | None]:
        """``actor``'s head step, from memory while its head has not moved (RUN-012).

        The head ref is read every time, so another writer's step is seen at once
        (RUN-002); the step object is read again only when the head moved.  This
        neither restores nor marks the actor used.  A step of the open commit group
        is the actor's head for the runtime (RUN-017.3), not read from the store.
        ``read``, when given, is the head as a read of many heads at once found it (a
        transition's hint, RUN-020.1): it is not read again.
        """
        if self._group.members:
            provisional = self._group.provisional(actor)
            if provisional is not None:
                return provisional
        # the head ref, as self.head(actor) reads it (one frame less)
        oid = self._store.get_ref(head_ref(actor)) if isinstance(read, Unread) else read
        resident = self._resident.get(actor)
        if resident is not None and resident.head == oid:
            return oid, resident.step
        obj = None if oid is None else self._cache.get_object(oid)
        step = obj if isinstance(obj, Step) else None
        if resident is not None:
            resident.head, resident.step = oid, step
        return oid, step

    def use(self, actor: ObjectId, head: ObjectId | None, step: Step | None, why: str) -> None:
        """Mark ``actor`` used; restore it from its head first if it is not resident (RUN-013.1).

        ``restore-requested`` precedes the restore and ``restored`` follows it
        (RUN-014.2); an actor without a head has nothing to restore and emits nothing.
        """
        if self._resident.use(actor, head, step, self._clock()):  # resident: as _remember
            return
        if head is not None:
            self.emit(RESTORE_REQUESTED, actor, why)
        self.remember(actor, head, step)
        if head is not None:
            self.emit(RESTORED, actor)

    def query(self, actor: ObjectId, name: str) -> Blob:
        """Run query ``name`` against ``actor``'s head (WIT-017), restoring it first (RUN-013.1)."""
        head, step = self.head_step(actor)
        if head is not None:
            self.use(actor, head, step, "query")
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

    @property
    def resident_count(self) -> int:
        """How many actors' state is in memory (RUN-012)."""
        return len(self._resident)

    def emit(self, kind: str, actor: ObjectId, reason: str | None = None) -> None:
        self._events.emit(LifecycleEvent(kind, actor, reason))

    def evict_idle(
        self, running: set[ObjectId], dirty: set[ObjectId], *, everything_idle: bool = False
    ) -> list[ObjectId]:
        """Evict idle actors past ``idle_after``, then beyond ``max_resident``.

        RUN-012.2, RUN-012.3.

        Only an actor with no transition running (``running``), none to start
        (``dirty``) and no message left pending is evicted.  ``everything_idle``
        evicts every idle actor as if the idle timeout had passed for all
        (``rt-evict``, ADP-015).  Returns the evicted actors, in eviction order.
        """
        evicted: list[ObjectId] = []
        now = self._clock()
        if not everything_idle and not self._resident.may_evict(
            now, self.max_resident, self.idle_after
        ):
            return evicted
        # An idle snapshot keeps an actor with a step resident: evicted, it would be lost,
        # and a look at the actor again (a reload of the routing index marks every
        # recipient) could adopt a step the resident actor would not have (RUN-012.5).
        # An actor without a step loses nothing by it: a look again finds no genesis and
        # adopts nothing, so its snapshot is no reason to stay (RUN-012.10).
        candidates = [
            (actor, r)
            for actor, r in self._resident.oldest_first()
            if actor not in running and actor not in dirty and (r.waiting is None or r.head is None)
        ]
        for actor, r in candidates:
            if everything_idle or (self.idle_after is not None and now - r.used >= self.idle_after):
                self.archive(actor, "idle", evicted)
        if self.max_resident is not None:
            for actor, _ in candidates:
                if len(self._resident) <= self.max_resident:
                    break
                if actor in self._resident:
                    self.archive(actor, "capacity", evicted)
        return evicted

    def archive(self, actor: ObjectId, reason: str, evicted: list[ObjectId]) -> None:
        self._resident.drop(actor)  # RUN-014.3: the event follows the state change
        evicted.append(actor)
        self.emit(ARCHIVED, actor, reason)

    def failed(self, actor: ObjectId) -> dict[str, object] | None:
        """The failure record of ``actor`` if it is marked failed (RUN-004), else ``None``."""
        target = self._store.get_ref(failed_ref(actor))
        blob = None if target is None else self._store.get_object(target)
        if not isinstance(blob, Blob):
            return None
        record: dict[str, object] = json.loads(blob.data)
        return record

    def entries(self, mailbox: ObjectId | None) -> Mapping[ObjectId, ObjectId]:
        """The entries of mailbox ``mailbox``, read through the cache, not copied."""
        if mailbox is None:
            return _NO_ENTRIES
        obj = self._cache.get_object(mailbox)
        if type(obj) is Mailbox and obj.base is None:  # the usual: one mailbox
            return obj.entries
        if not isinstance(obj, Mailbox):  # as mailbox_entries does
            return mailbox_entries(self._cache, mailbox)
        return mailbox_map(self._cache, mailbox)  # an outbox's chain: its map (OBJ-019.1)

    def remember(self, actor: ObjectId, head: ObjectId | None, step: Step | None) -> None:
        """Keep ``actor``'s new head in memory, as its most recent use (RUN-012.2)."""
        now = self._clock()
        if not self._resident.use(actor, head, step, now):
            self._resident.keep(actor, Resident(head, step, now))

    def wait(
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

    def waiting(self, actor: ObjectId) -> tuple[ObjectId, ...] | None:
        """The idle snapshot kept with resident ``actor``, if any (RUN-012.1)."""
        resident = self._resident.get(actor)
        return None if resident is None else resident.waiting

    def forget_waiting(self, actor: ObjectId) -> None:
        """Forget resident ``actor``'s idle snapshot: a lost adoption left it (RUN-017.4)."""
        resident = self._resident.get(actor)
        if resident is not None:
            resident.waiting = None

    def may_evict(self) -> bool:
        """Whether an eviction may be due now (:meth:`Residency.may_evict`, RUN-012.2)."""
        return self._resident.may_evict(self._clock(), self.max_resident, self.idle_after)
