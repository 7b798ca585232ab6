"""Where messages are pending, derived from committed heads alone (RUN-001, RUN-003).

:class:`RoutingIndex` holds every sender's outbox entries — each head's outbox
plus the outside's (``names/outside-outbox``) — and, for each recipient, the
senders with an entry for it.  It is rebuilt from the store by :meth:`load` and
updated only from committed state (a head that moved, the outside ref that
moved), so it never holds a message that was not adopted.

:meth:`refresh` brings a loaded index up to date with what other writers
committed since: it lists the refs and re-reads only the outboxes whose head
(or outside ref) moved to a step the index has not seen, so it ends in exactly
the state :meth:`load` would build, at the cost of the changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._errors import InvalidId
from .._ids import ObjectId
from .._objects import Step
from ..store import Store
from ..store._refs import HEADS_PREFIX
from ..wit import OUTSIDE, OUTSIDE_REF, ObjectReader, PendingMessage, mailbox_entries, pending

__all__ = ["FAILED_PREFIX", "RoutingIndex", "failed_ref"]

#: Refs marking failed actors (RUN-004): ``names/failed/<text-form actor id>``.
FAILED_PREFIX = "names/failed/"


def failed_ref(actor: ObjectId) -> str:
    """The ref that marks ``actor`` failed (RUN-004.4)."""
    return FAILED_PREFIX + actor.hex()


def _failed_actors(store: Store) -> set[ObjectId]:
    """The actors marked failed; a ``names/failed/…`` ref not named by an actor id marks none."""
    failed: set[ObjectId] = set()
    for name in store.list_refs(FAILED_PREFIX):
        try:
            failed.add(ObjectId.from_hex(name[len(FAILED_PREFIX) :]))
        except InvalidId:
            continue
    return failed


class RoutingIndex:
    """Every sender's committed outbox entries, by sender and by recipient."""

    __slots__ = ("_heads", "_outboxes", "_senders", "failed")

    def __init__(self) -> None:
        self._outboxes: dict[ObjectId, dict[ObjectId, ObjectId]] = {}
        self._senders: dict[ObjectId, set[ObjectId]] = {}
        #: The ref target each outbox was read from (for ``OUTSIDE``: its ref's).
        self._heads: dict[ObjectId, ObjectId | None] = {}
        self.failed: set[ObjectId] = set()

    def load(self, store: Store, reader: ObjectReader | None = None) -> set[ObjectId]:
        """Rebuild from the heads and the outside's outbox (RUN-003.1); returns every recipient.

        ``reader`` (default: ``store``) is what objects are read through.
        """
        self._outboxes.clear()
        self._senders.clear()
        self._heads.clear()
        self.failed = set()
        self.refresh(store, reader)
        return set(self._senders) - {OUTSIDE}

    def refresh(self, store: Store, reader: ObjectReader | None = None) -> set[ObjectId]:
        """Catch up with the refs as they are now; returns the actors to look at (RUN-003.1).

        Routing follows committed heads only (RUN-001.4).

        Those are the recipients whose entry changed, every actor whose head moved
        or vanished, and every actor no longer marked failed.
        """
        objects: ObjectReader = store if reader is None else reader
        touched: set[ObjectId] = set()
        outside = store.get_ref(OUTSIDE_REF)
        if OUTSIDE not in self._heads or self._heads[OUTSIDE] != outside:
            touched.update(self.set_outbox(OUTSIDE, mailbox_entries(objects, outside), outside))
        seen: set[ObjectId] = {OUTSIDE}
        for name, target in store.list_ref_targets(HEADS_PREFIX):
            actor = ObjectId.from_hex(name[len(HEADS_PREFIX) :])
            seen.add(actor)
            if actor in self._heads and self._heads[actor] == target:
                continue
            step = objects.get_object(target)
            if isinstance(step, Step):  # REF-002: a step of ``actor``
                touched.update(
                    self.set_outbox(actor, mailbox_entries(objects, step.outbox), target)
                )
                touched.add(actor)
        for gone in [actor for actor in self._heads if actor not in seen]:
            touched.update(self.set_outbox(gone, {}))  # its entries are no longer committed
            self._outboxes.pop(gone)
            touched.add(gone)
        failed = _failed_actors(store)
        touched |= self.failed - failed
        self.failed = failed
        touched.discard(OUTSIDE)
        return touched

    def recipients(self) -> set[ObjectId]:
        """Every actor some committed outbox entry is addressed to (ADP-014's candidates)."""
        return set(self._senders) - {OUTSIDE}

    def set_outbox(
        self, sender: ObjectId, entries: Mapping[ObjectId, ObjectId], head: ObjectId | None = None
    ) -> list[ObjectId]:
        """Record ``sender``'s committed outbox, read from ``head`` (the outside: from its ref).

        Returns the recipients whose entry changed.  Without ``head`` the sender's
        outbox is re-read by the next :meth:`refresh`.
        """
        before = self._outboxes.get(sender, {})
        changed = [r for r, m in entries.items() if before.get(r) != m]
        for recipient in changed:
            self._senders.setdefault(recipient, set()).add(sender)
        dropped = [r for r in before if r not in entries]
        for recipient in dropped:
            senders = self._senders[recipient]
            senders.discard(sender)
            if not senders:
                del self._senders[recipient]
        changed += dropped
        self._outboxes[sender] = dict(entries)
        if head is None:
            self._heads.pop(sender, None)
        else:
            self._heads[sender] = head
        return changed

    def pending_for(
        self, store: ObjectReader, actor: ObjectId, inbox: Mapping[ObjectId, ObjectId]
    ) -> dict[ObjectId, tuple[PendingMessage, ...]]:
        """Everything pending for ``actor`` given its ``inbox``, senders in id order (WIT-005)."""
        found: dict[ObjectId, tuple[PendingMessage, ...]] = {}
        for sender in sorted(self._senders.get(actor, ())):
            entry = self._outboxes.get(sender, {}).get(actor)
            items = pending(store, entry, inbox.get(sender)) if entry is not None else []
            if items:
                found[sender] = tuple(items)
        return found
