"""The door through which a runtime service writes its party's steps (TIM-001.4).

A service party's step is adopted as a transition's step in step mode: its objects
stored, then its head swapped (RUN-001), and only then its messages routed, so that a
recipient never sees a message of a step that was not adopted.  :class:`ServiceDoor`
is that path, made by :meth:`Runtime.service_door` from the runtime's parts, so that a
service (the timers, a later port) needs no part of the runtime but these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .._ids import ObjectId
from .._objects import Step
from ..store import Store, head_ref
from ..wit import Assembled, ObjectReader, mailbox_map
from ._attempt import Found
from ._cache import ObjectCache
from ._index import RoutingIndex
from ._notes import outbox_parts
from ._seams import Marks, Routing

__all__ = ["ServiceDoor"]


@dataclass(frozen=True, slots=True)
class ServiceDoor:
    """What a runtime service reads and writes through (TIM-001.4)."""

    store: Store
    cache: ObjectCache
    routing: Routing
    index: RoutingIndex
    marks: Marks
    #: Commits the runtime's open group, so that the heads a service reads are committed.
    commit: Callable[[], object]

    @property
    def reader(self) -> ObjectReader:
        """Objects, through the runtime's cache."""
        return self.cache

    def pending(self, party: ObjectId) -> tuple[ObjectId | None, Step | None, Found]:
        """``party``'s head id, head step and what is pending for it (WIT-005)."""
        return self.routing.pending(party)

    def ours(self, actors: Iterable[ObjectId]) -> Iterable[ObjectId]:
        """Those of ``actors`` this runtime's share holds (RUN-021.1, TIM-006.3)."""
        return self.marks.ours(actors)

    def adopt(self, built: Assembled, last_id: ObjectId | None) -> None:
        """Store ``built``, swap the party's head from ``last_id`` (RUN-001), then route
        its messages; raises :class:`~gritwit.RefConflict` when another writer won."""
        party = built.step.actor
        if self.store.notes:  # the journal parts its commit notes (._notes)
            last = None
            if last_id is not None:
                found = self.cache.get_object(last_id)
                last = found if isinstance(found, Step) else None
            parts = outbox_parts(built, last, self.cache)
            if parts is not None:  # else it cannot tell, and every part is noted
                self.store.note_next({head_ref(party): (built.step_id, parts)})
        self.cache.commit_assembled(built, head_ref(party), last_id)
        step = built.step
        moved = self.index.set_outbox(
            party, mailbox_map(self.cache, step.outbox), built.step_id, step.outbox
        )
        if moved:
            self.marks.mark_sent(moved)
