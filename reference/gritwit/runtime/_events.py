"""Eviction and lifecycle events of the reference runtime (RUN-012 … RUN-014).

* :class:`LifecycleEvent` — what an observer sees: ``archived`` (reason
  ``capacity`` or ``idle``), ``restore-requested`` (reason ``message`` or
  ``query``) and ``restored``;
* :class:`EventHub` — the subscribers; an observer's error is counted and
  ignored, never propagated into a transition (RUN-014);
* :class:`Residency` — the actors whose head the runtime keeps in memory, in
  least-recently-used order, with the time each was last used (RUN-012).

Nothing here touches the store: events are not persisted and residency is a
cache of what the heads already say.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .._ids import ObjectId
from .._objects import Step

__all__ = [
    "ARCHIVED",
    "IDLE_AFTER",
    "MAX_RESIDENT",
    "RESTORED",
    "RESTORE_REQUESTED",
    "EventHub",
    "LifecycleEvent",
    "Observer",
    "Residency",
    "Resident",
]

#: Default most actors kept resident before the least recently used idle ones are evicted.
MAX_RESIDENT = 10_000
#: Default seconds after which an idle resident actor is evicted (RUN-012.4).
IDLE_AFTER = 300.0

#: Event kinds (RUN-014).
ARCHIVED = "archived"
RESTORE_REQUESTED = "restore-requested"
RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class LifecycleEvent:
    """One lifecycle event (RUN-014): ``kind``, the actor, and a reason or ``None``."""

    kind: str
    actor: ObjectId
    reason: str | None = None


Observer = Callable[[LifecycleEvent], object]


class EventHub:
    """Subscribers of lifecycle events; their errors are ignored (RUN-014.1, RUN-014.5)."""

    __slots__ = ("_observers", "observer_errors")

    def __init__(self) -> None:
        self._observers: list[Observer] = []
        #: How many times an observer raised (the error itself is dropped).
        self.observer_errors = 0

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every later event; returns a function that unsubscribes."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def emit(self, event: LifecycleEvent) -> None:
        """Deliver ``event`` to every observer, in subscription order."""
        for observer in tuple(self._observers):
            try:
                observer(event)
            except Exception:  # RUN-014.5: an observer cannot affect the runtime
                self.observer_errors += 1


@dataclass(slots=True)
class Resident:
    """What the runtime keeps in memory for one actor (RUN-012)."""

    head: ObjectId | None
    step: Step | None
    used: float
    #: Pending messages the last transition left unconsumed (so the actor is not idle).
    waiting: tuple[ObjectId, ...] | None = None


class Residency:
    """Resident actors in least-recently-used order (RUN-012.2).

    While every record is kept or touched with a time no earlier than the last
    one (a monotonic clock), the order is also the order of ``used`` times, and
    :meth:`may_evict` answers from the oldest record alone.
    """

    __slots__ = ("_actors", "_floor", "_in_time_order", "_latest")

    def __init__(self) -> None:
        self._actors: OrderedDict[ObjectId, Resident] = OrderedDict()
        self._latest: float | None = None
        self._in_time_order = True
        #: The oldest record's ``used`` when :meth:`may_evict` last read it: while in time
        #: order no record is used earlier (a later first record, or one kept since, was
        #: used no earlier), so an idle test it answers needs no look at the records.
        self._floor: float | None = None

    def _placed_last(self, used: float) -> None:
        if self._latest is not None and used < self._latest:
            self._in_time_order = False  # a clock that went back: no shortcut any more
        self._latest = used

    def __len__(self) -> int:
        return len(self._actors)

    def __contains__(self, actor: object) -> bool:
        return actor in self._actors

    def get(self, actor: ObjectId) -> Resident | None:
        """The resident record of ``actor``, or ``None`` if it is not resident."""
        return self._actors.get(actor)

    def keep(self, actor: ObjectId, resident: Resident) -> None:
        """Make ``actor`` resident (or replace its record) as the most recently used."""
        self._actors[actor] = resident
        self._actors.move_to_end(actor)
        self._placed_last(resident.used)

    def use(self, actor: ObjectId, head: ObjectId | None, step: Step | None, now: float) -> bool:
        """Set resident ``actor``'s head and step and record it used at ``now``, moved last
        in the least-recently-used order (RUN-012.2), in one call; ``False`` (nothing
        changed) when it is not resident."""
        resident = self._actors.get(actor)
        if resident is None:
            return False
        resident.head, resident.step, resident.used = head, step, now
        self._actors.move_to_end(actor)
        if self._latest is not None and now < self._latest:
            self._in_time_order = False  # as _placed_last: a clock that went back
        self._latest = now
        return True

    def drop(self, actor: ObjectId) -> None:
        """Forget ``actor``'s in-memory state (the store is untouched)."""
        self._actors.pop(actor, None)

    def may_evict(self, now: float, max_resident: int | None, idle_after: float | None) -> bool:
        """``False`` only when no resident actor is over capacity or idle at ``now``.

        RUN-012.2, RUN-012.3.

        A quick test before :meth:`oldest_first`: the capacity rule needs more than
        ``max_resident`` actors, and the idle rule an actor used ``idle_after`` ago,
        which in time order is the oldest one if any.
        """
        if max_resident is not None and len(self._actors) > max_resident:
            return True
        if idle_after is None or not self._actors:
            return False
        if not self._in_time_order:
            return True
        floor = self._floor  # no record older than it: none idle while it is recent enough
        if floor is not None and now - floor < idle_after:
            return False  # without iterating the OrderedDict (~1.3k instructions)
        for oldest in self._actors.values():  # the first: next(iter(…)) without two calls
            self._floor = oldest.used
            return now - oldest.used >= idle_after
        return False

    def oldest_first(self) -> Iterator[tuple[ObjectId, Resident]]:
        """Every resident actor, least recently used first (a snapshot)."""
        return iter(list(self._actors.items()))
