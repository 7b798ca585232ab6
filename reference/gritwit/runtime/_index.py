"""Where messages are pending, derived from committed heads alone (RUN-001, RUN-003).

:class:`RoutingIndex` holds every sender's outbox entries — each head's outbox
plus the outside's (``names/outside-outbox``) — and, for each recipient, the
senders with an entry for it.  It is rebuilt from the store by :meth:`load` and
updated only from committed state (a head that moved, the outside ref that
moved), so it never holds a message that was not adopted.
"""

from __future__ import annotations

from .._ids import ObjectId
from .._objects import Step
from ..store import Store
from ..wit import OUTSIDE, OUTSIDE_REF, PendingMessage, mailbox_entries, pending

__all__ = ["FAILED_PREFIX", "RoutingIndex", "failed_ref"]

#: Refs marking failed actors (RUN-004): ``names/failed/<text-form actor id>``.
FAILED_PREFIX = "names/failed/"


def failed_ref(actor: ObjectId) -> str:
    """The ref that marks ``actor`` failed (RUN-004)."""
    return FAILED_PREFIX + actor.hex()


class RoutingIndex:
    """Every sender's committed outbox entries, by sender and by recipient."""

    __slots__ = ("_outboxes", "_senders", "failed")

    def __init__(self) -> None:
        self._outboxes: dict[ObjectId, dict[ObjectId, ObjectId]] = {}
        self._senders: dict[ObjectId, set[ObjectId]] = {}
        self.failed: set[ObjectId] = set()

    def load(self, store: Store) -> set[ObjectId]:
        """Rebuild from the heads and the outside's outbox (RUN-003); returns every recipient."""
        self._outboxes.clear()
        self._senders.clear()
        self.set_outbox(OUTSIDE, mailbox_entries(store, store.get_ref(OUTSIDE_REF)))
        for name in store.list_refs("heads/"):
            target = store.get_ref(name)
            step = None if target is None else store.get_object(target)
            if isinstance(step, Step):
                self.set_outbox(step.actor, mailbox_entries(store, step.outbox))
        self.failed = {
            ObjectId.from_hex(name[len(FAILED_PREFIX) :]) for name in store.list_refs(FAILED_PREFIX)
        }
        return set(self._senders) - {OUTSIDE}

    def set_outbox(self, sender: ObjectId, entries: dict[ObjectId, ObjectId]) -> list[ObjectId]:
        """Record ``sender``'s committed outbox; returns the recipients whose entry changed."""
        before = self._outboxes.get(sender, {})
        changed = [r for r, m in entries.items() if before.get(r) != m]
        for recipient in changed:
            self._senders.setdefault(recipient, set()).add(sender)
        self._outboxes[sender] = dict(entries)
        return changed

    def pending_for(
        self, store: Store, actor: ObjectId, inbox: dict[ObjectId, ObjectId]
    ) -> dict[ObjectId, tuple[PendingMessage, ...]]:
        """Everything pending for ``actor`` given its ``inbox``, senders in id order (WIT-005)."""
        found: dict[ObjectId, tuple[PendingMessage, ...]] = {}
        for sender in sorted(self._senders.get(actor, ())):
            entry = self._outboxes.get(sender, {}).get(actor)
            items = pending(store, entry, inbox.get(sender)) if entry is not None else []
            if items:
                found[sender] = tuple(items)
        return found
