"""Where messages are pending, derived from committed heads alone (RUN-001, RUN-003).

:class:`RoutingIndex` holds every sender's outbox entries — each head's outbox
plus the outside's (its 16 mailboxes ``names/outside-outbox/<h>``, falling back to the
old ref ``names/outside-outbox``: RUN-003.4, RUN-003.5) — and, for each recipient, the
senders with an entry for it.  It is rebuilt from the store by :meth:`load` and
updated only from committed state (a head that moved, the outside ref that
moved), so it never holds a message that was not adopted.

:meth:`refresh` brings a loaded index up to date with what other writers
committed since: it lists the refs and re-reads only the outboxes whose head
(or outside ref) moved to a step the index has not seen, so it ends in exactly
the state :meth:`load` would build, at the cost of the changes.

What is pending for an actor is its senders' entries here walked back to the
inbox of its head (WIT-005), a head read afresh before each transition: that is
exact only while the index is at least as new as what the head read.  A head
another writer moved since the index caught up (:meth:`saw_head` is false) makes
the runtime catch up first, or it would read messages twice (RUN-003.3, RUN-002.3).

For the same reason a catch-up that lists the refs reads the heads first, all in
one read (the backend's ``list_refs``, one snapshot), and the outside's ref after
them (the outside's refs in one read too).  Every message a listed head read was in
its sender's outbox when that head was committed, before the listing, so the outbox
read after holds it or a message sent after it (WIT-004): a head the index saw is
never newer than the outbox it holds.  Read the other way round, another writer could
send to an actor and adopt a step reading that send between the two reads:
the index would hold the head, :meth:`saw_head` would say so, and the walk from the older
outbox entry would never meet the head's inbox entry — it would deliver the whole
chain again, under a compare-and-swap that succeeds.

What the outside sends through this process is not read back (this process made it): the
runtime hands :meth:`set_outbox` the :class:`~gritwit.wit._outside.SentOutbox` of
the send, which names the mailboxes now at the outside's refs it touched and holds
the messages it added, all committed before the swaps returned (RUN-001.4).  The
index then knows those refs' targets, and walks those messages from memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from .._errors import InvalidId
from .._ids import ObjectId
from .._maps import MailboxEntries, raw_of
from .._objects import Mailbox, Message, Step
from ..store import Store
from ..store._refs import _ACTORS, FAILED_PREFIX, HEADS_PREFIX, failed_actor, failed_ref, head_actor
from ..wit import (
    OUTSIDE,
    ObjectReader,
    PendingMessage,
    _outside,
    mailbox_map,
    pending,
)
from ..wit._outside import SentOutbox, outbox_entries, read_outside
from ._moved import read_moved
from ._outside_entries import OutsideEntries as _OutsideEntries
from ._outside_entries import WithSent as _WithSent
from ._outside_entries import entry_of as _get
from ._parties import SERVICE_PARTIES
from ._placement import PLACEMENT_PREFIX, PlacementRecords

__all__ = ["FAILED_PREFIX", "RoutingIndex", "failed_ref"]

#: Most messages sent from the outside kept to be walked from memory; the oldest go first.
SENT_KEPT: Final = 4096

#: Which of some actors the runtime runs (``None``: none named): their steps are kept.
_Ours = Callable[[Iterable[ObjectId]], Iterable[ObjectId]] | None
#: No head step skimmed.
_NOTHING: Final[Mapping[ObjectId, ObjectId]] = {}
#: Not an outbox id (the default of :meth:`RoutingIndex.set_outbox`'s): unknown.
_UNSET: Final = ObjectId(bytes(32))

#: Recipients no run takes as candidates: the outside (WIT-003) and the service parties
#: (TIM-001.3).
_NOT_RUN: Final = frozenset({OUTSIDE, *SERVICE_PARTIES})


def _failed_actors(store: Store) -> set[ObjectId]:
    """The actors marked failed; a ``names/failed/…`` ref not named by an actor id marks none."""
    failed: set[ObjectId] = set()
    for name in store.list_refs(FAILED_PREFIX):
        marked = failed_actor(name)
        if marked is not None:
            failed.add(marked)
    return failed


_NO_ENTRIES: Mapping[ObjectId, ObjectId] = MailboxEntries._trusted({})
_new_id = tuple.__new__


def _actor(key: str) -> ObjectId:
    """The actor id of a validated mailbox's text-form key (OBJ-014)."""
    return _new_id(ObjectId, (bytes.fromhex(key),))  # as ObjectId._trusted


def _differences(
    before: Mapping[ObjectId, ObjectId], after: Mapping[ObjectId, ObjectId]
) -> tuple[list[ObjectId], list[ObjectId]]:
    """The recipients whose entry ``after`` changed or added, and those it dropped.

    Two mailboxes' entries are compared as their CBOR-level dicts (text-form key →
    digest), so only the recipients that differ are made ids.
    """
    if before is after:  # the same entries (a step that sent nothing new): nothing differs
        return [], []
    if type(before) is MailboxEntries and type(after) is MailboxEntries:
        old, new = before._raw, after._raw
        changed = []
        for r, m in new.items():  # a loop: no comprehension's function made each time
            if old.get(r) != m:
                changed.append(_new_id(ObjectId, (bytes.fromhex(r),)))  # as _actor(r)
        if old.keys() <= new.keys():  # an outbox that only grew or moved: nothing dropped
            return changed, []
        return changed, [_actor(r) for r in old if r not in new]
    moved: list[ObjectId] = []
    for recipient, message in after.items():  # loops: no comprehension's function made
        if before.get(recipient) != message:
            moved.append(recipient)
    dropped: list[ObjectId] = []
    for recipient in before:
        if recipient not in after:
            dropped.append(recipient)
    return moved, dropped


class RoutingIndex:
    """Every sender's committed outbox entries, by sender and by recipient."""

    __slots__ = (
        "_heads",
        "_outbox_at",
        "_outboxes",
        "_outside",
        "_outside_at_",
        "_senders",
        "_sent",
        "_skimmed",
        "_with_sent",
        "failed",
        "placements",
    )

    def __init__(self) -> None:
        #: Each of the outside's refs (RUN-003.4, RUN-003.5) → its mailbox's entries.
        self._outside: dict[str, Mapping[ObjectId, ObjectId]] = {}
        #: Each of the outside's refs → the target its entries were read from.
        self._outside_at_: dict[str, ObjectId | None] = {}
        self._outboxes: dict[ObjectId, Mapping[ObjectId, ObjectId]] = {
            OUTSIDE: _OutsideEntries(self._outside)
        }
        self._senders: dict[ObjectId, set[ObjectId]] = {}
        #: The ref target each outbox was read from (for ``OUTSIDE``: its ref's).
        self._heads: dict[ObjectId, ObjectId | None] = {}
        #: The outbox id each head in ``_heads`` names, where known: a moved head
        #: naming it changes no entry (ids name contents, OBJ-019).
        self._outbox_at: dict[ObjectId, ObjectId | None] = {}
        #: The head steps the running :meth:`refresh` skimmed: id -> actor (:mod:`._moved`).
        self._skimmed: Mapping[ObjectId, ObjectId] = _NOTHING
        #: Messages the outside sent through :meth:`set_outbox`, by id (at most ``SENT_KEPT``).
        self._sent: OrderedDict[ObjectId, Message] = OrderedDict()
        #: ``_sent`` over the last reader :meth:`pending_for` was given (``_sent`` is
        #: never replaced, only changed: one view serves every call with that reader).
        self._with_sent: _WithSent | None = None
        self.failed: set[ObjectId] = set()
        #: The placement records, each actor's key (RUN-021.6, RUN-021.7).
        self.placements = PlacementRecords()

    def load(self, store: Store, reader: ObjectReader | None = None) -> set[ObjectId]:
        """Rebuild from the heads and the outside's outbox (RUN-003.1); returns every recipient.

        ``reader`` (default: ``store``) is what objects are read through.
        """
        self._outboxes.clear()
        self._outside.clear()
        self._outside_at_.clear()
        self._outboxes[OUTSIDE] = _OutsideEntries(self._outside)
        self._senders.clear()
        self._heads.clear()
        self._outbox_at.clear()
        self.failed = set()
        self.placements.clear()
        self.refresh(store, reader)
        return set(self._senders) - _NOT_RUN

    def refresh(
        self,
        store: Store,
        reader: ObjectReader | None = None,
        swaps: Iterable[tuple[str, ObjectId | None]] | None = None,
        ours: _Ours = None,
    ) -> set[ObjectId]:
        """Catch up with the refs as they are now; returns the actors to look at (RUN-003.1).

        Routing follows committed heads only (RUN-001.4).

        Those are the recipients whose entry changed, every actor whose head moved
        or vanished, and every actor no longer marked failed.  ``swaps``, when the
        store knows them (:meth:`~gritwit.store.Store.refs_changed_since`), are the
        refs swapped since the index last caught up, with their new targets: only
        they are looked at, so a run costs what moved, not the number of actors.
        Without them every ref is listed: the heads first, in one read, then the
        outside's ref, so that no head is newer than the outside's outbox the index
        holds (see the module; RUN-003.1, RUN-002.3, RUN-007.2).  A moved head whose
        step keeps the outbox the index holds is recorded without decoding the step
        unless ``ours`` (which of some actors the runtime runs) names its actor
        (:mod:`._moved`).
        """
        objects: ObjectReader = store if reader is None else reader
        touched: set[ObjectId] = set()
        moved = None if swaps is None else dict(swaps)
        if store.is_remote:  # a local store's steps are read as they come (_head_at)
            self._skimmed = self._read_moved(objects, moved, ours)
        if moved is None:
            # The heads in one read, and only then the outside's ref: never the other
            # way round, or a head could have read sends the outbox read lacks (RUN-002.3).
            heads = store.list_ref_targets(HEADS_PREFIX)
            outside = read_outside(store)
            if store.is_remote:
                self._skimmed = self._read_moved(objects, dict(heads), ours)
            seen: set[ObjectId] = {OUTSIDE}
            for name, target in heads:
                actor = ObjectId.from_hex(name[len(HEADS_PREFIX) :])
                seen.add(actor)
                self._head_at(objects, actor, target, touched)
            for gone in [actor for actor in self._heads if actor not in seen]:
                self._head_at(objects, gone, None, touched)
            for ref in sorted({*outside, *self._outside_at_}):
                self._outside_part_at(objects, ref, outside.get(ref), touched)
            failed = _failed_actors(store)
            # RUN-021.7: the records listed as the failed marks are, after the heads
            touched |= self.placements.listed(objects, store.list_ref_targets(PLACEMENT_PREFIX))
        else:
            failed = set(self.failed)
            held, outside_at = self._heads, self._outside_at_
            # each ref once, in the order first swapped, at its latest target
            for name, now in moved.items():
                # a ref the index holds at ``now`` already (the runtime's own commits, a
                # send's mailbox) changes nothing: _ref_at's no-ops, without its frames
                if name in _outside._NAMES:
                    if name in outside_at and outside_at[name] == now:
                        continue
                else:
                    parsed = _ACTORS.get(name)  # a heads/ name parsed before (head_actor's)
                    # (None: not parsed, or no actor; ``now`` None: the head gone, not a no-op)
                    if now is not None and parsed in held and held[parsed] == now:
                        continue
                self._ref_at(objects, name, now, touched, failed)
        touched |= self.failed - failed
        self.failed = failed
        touched.discard(OUTSIDE)
        self._skimmed = _NOTHING
        return touched

    def _read_moved(
        self, objects: ObjectReader, swaps: dict[str, ObjectId | None] | None, ours: _Ours
    ) -> Mapping[ObjectId, ObjectId]:
        """Read what ``swaps`` moved ahead, and the head steps skimmed (:mod:`._moved`)."""
        return read_moved(
            objects, swaps, heads=self._heads, outbox_at=self._outbox_at,
            outside_at=self._outside_at_, outboxes=self._outboxes, sent=self._sent, ours=ours,
        )  # fmt: skip

    def _ref_at(
        self,
        objects: ObjectReader,
        name: str,
        target: ObjectId | None,
        touched: set[ObjectId],
        failed: set[ObjectId],
    ) -> None:
        """Catch up with ref ``name``, swapped to ``target`` since (see :meth:`refresh`)."""
        if name in _outside._NAMES:  # is_outside_ref(name), without its call
            self._outside_part_at(objects, name, target, touched)
            return
        if name.startswith(FAILED_PREFIX):
            marked = failed_actor(name)
            if marked is None:  # names no actor: marks none
                return
            if target is None:
                failed.discard(marked)
            else:
                failed.add(marked)
            return
        if name.startswith(PLACEMENT_PREFIX):  # RUN-021.7: a record, each actor's key
            placed = self.placements.swapped(objects, name, target)
            if placed is not None:
                touched.add(placed)
            return
        try:
            actor = head_actor(name)  # None: another names/ ref, routing nothing
        except InvalidId:  # names no actor: moves none
            return
        if actor is not None:
            self._head_at(objects, actor, target, touched)

    def _outside_part_at(
        self, objects: ObjectReader, ref: str, target: ObjectId | None, touched: set[ObjectId]
    ) -> None:
        """The outside's mailbox ``ref`` is ``target`` now (RUN-003.1, RUN-003.4)."""
        if ref not in self._outside_at_ or self._outside_at_[ref] != target:
            entries = outbox_entries(objects, target)
            touched.update(self._set_outside(ref, entries, target))

    def _set_outside(
        self,
        ref: str,
        entries: Mapping[ObjectId, ObjectId],
        target: ObjectId | None,
        kept: bool = False,
    ) -> list[ObjectId]:
        """Record the outside's mailbox ``ref`` read from ``target`` (``None``: unset);
        returns the recipients whose entry may have changed (RUN-003.4, RUN-003.5).

        ``entries`` are copied unless they are a mailbox's or ``kept`` (a
        :class:`SentOutbox`'s part, which no one changes)."""
        before = self._outside.get(ref, _NO_ENTRIES)
        changed, dropped = _differences(before, entries)
        if target is None:
            self._outside.pop(ref, None)
            self._outside_at_.pop(ref, None)
        else:
            kept = kept or type(entries) is MailboxEntries
            self._outside[ref] = entries if kept else dict(entries)
            self._outside_at_[ref] = target
        for recipient in changed:
            self._senders.setdefault(recipient, set()).add(OUTSIDE)
        for recipient in dropped:
            # no entry left for it, the old ref's neither
            if self._outboxes[OUTSIDE].get(recipient) is None:
                senders = self._senders.get(recipient)
                if senders is not None:
                    senders.discard(OUTSIDE)
                    if not senders:
                        del self._senders[recipient]
        return changed + dropped

    def outside_seen(self, ref: str) -> ObjectId | None:
        """The mailbox the index last saw at the outside's ``ref`` (``None``: unset or not
        seen): a hint, never the ref (RUN-020.1, RUN-003.4)."""
        return self._outside_at_.get(ref)

    def saw_outside(self, boxes: Mapping[str, ObjectId]) -> bool:
        """Whether each of the outside's refs of ``boxes`` names its mailbox there as the
        index last caught up with the refs (RUN-003.4)."""
        at = self._outside_at_
        for ref, box in boxes.items():  # noqa: SIM110 - a loop: no generator each time
            if at.get(ref) != box:
                return False
        return True

    def _head_at(
        self,
        objects: ObjectReader,
        actor: ObjectId,
        target: ObjectId | None,
        touched: set[ObjectId],
    ) -> None:
        """``actor``'s head is ``target`` now (``None``: gone); its committed outbox follows."""
        if target is None:
            if actor in self._heads:  # its entries are no longer committed
                touched.update(self.set_outbox(actor, {}))
                self._outboxes.pop(actor)
                touched.add(actor)
            return
        if actor in self._heads and self._heads[actor] == target:
            return
        if self._skimmed.get(target) == actor:  # the outbox held: no entry changed (OBJ-019)
            self._heads[actor] = target
            touched.add(actor)
            return
        step = objects.get_object(target)
        if isinstance(step, Step):  # REF-002: a step of ``actor``
            box = step.outbox
            if step.actor == actor and self._outbox_at.get(actor, _UNSET) == box:
                self._heads[actor] = target  # as skimmed: the outbox held (OBJ-019)
            else:
                touched.update(self.set_outbox(actor, mailbox_map(objects, box), target, box))
            touched.add(actor)

    def saw_head(self, actor: ObjectId, head: ObjectId | None) -> bool:
        """Whether ``head`` is ``actor``'s head as the index last caught up with it.

        :meth:`pending_for` is exact only for such a head (RUN-003.3, WIT-005): every
        message it read was in its sender's outbox when the index caught up, so the
        walk from the index's entry meets the head's inbox entry.  A head another
        writer moved since (RUN-002) may have read messages newer than the entry the
        index holds; the walk from that entry back would then never meet the inbox
        entry and would deliver the whole chain again, under a compare-and-swap that
        succeeds.  The caller first catches up (:meth:`refresh`, after reading the
        head) when this is false.
        """
        return self._heads.get(actor) == head

    def known_heads(self, actors: list[ObjectId]) -> dict[ObjectId, ObjectId | None]:
        """The heads of those of ``actors`` whose head the index holds, as it last caught
        up with the refs (committed heads only, RUN-001.4)."""
        heads = self._heads
        return {actor: heads[actor] for actor in actors if actor in heads}

    def recipients(self) -> set[ObjectId]:
        """Every actor some committed outbox entry is addressed to (ADP-014's candidates):
        never the outside, nor a service party, whose steps its service writes (TIM-001.3)."""
        return set(self._senders) - _NOT_RUN

    def set_outbox(
        self, sender: ObjectId, entries: Mapping[ObjectId, ObjectId], head: ObjectId | None = None,
        outbox: ObjectId | None = _UNSET,
    ) -> list[ObjectId]:  # fmt: skip
        """Record ``sender``'s committed outbox, read from ``head`` (the outside: from its ref).

        Returns the recipients whose entry changed.  Without ``head`` the sender's
        outbox is re-read by the next :meth:`refresh`, unless ``entries`` is the
        :class:`SentOutbox` of a send: then its mailbox is the head, and its
        messages are kept to be walked from memory.  ``outbox``: the id of the mailbox
        ``entries`` are the map of (``None``: none), where known (to skim by).
        """
        if sender == OUTSIDE:  # its mailboxes, one ref each (RUN-003.4)
            if not isinstance(entries, SentOutbox):
                raise TypeError("the outside's outbox is set from a send's SentOutbox")
            sent = self._sent  # _keep_sent(entries.messages), without its frame
            sent.update(entries.messages)
            while len(sent) > SENT_KEPT:
                sent.popitem(last=False)
            moved: list[ObjectId] = []
            for ref, part in entries.parts.items():
                moved += self._set_outside(ref, part, entries.boxes.get(ref), True)
            return moved
        if isinstance(entries, SentOutbox):  # pragma: no cover - the outside's alone
            self._keep_sent(entries.messages)
        before = self._outboxes.get(sender, _NO_ENTRIES)
        changed, dropped = _differences(before, entries)
        for recipient in changed:
            self._senders.setdefault(recipient, set()).add(sender)
        for recipient in dropped:
            senders = self._senders[recipient]
            senders.discard(sender)
            if not senders:
                del self._senders[recipient]
        changed += dropped
        # a mailbox's entries are immutable: kept as they are; anything else is copied
        self._outboxes[sender] = entries if type(entries) is MailboxEntries else dict(entries)
        if head is None:
            self._heads.pop(sender, None)
        else:
            self._heads[sender] = head
        if head is None or outbox is _UNSET:
            self._outbox_at.pop(sender, None)
        else:
            self._outbox_at[sender] = outbox
        return changed

    def set_outbox_over(
        self, sender: ObjectId, last: ObjectId | None, head: ObjectId, outbox: ObjectId | None,
        top: Mailbox | None, objects: ObjectReader,
    ) -> list[ObjectId]:  # fmt: skip
        """:meth:`set_outbox` for ``sender``'s step ``head`` built on ``last``, its outbox
        ``outbox`` the chain's new top ``top`` (``None``: the last outbox, unchanged).  Only
        the top's own entries can differ from ``last``'s map (WIT-009.5): when the index
        holds that map only they are compared, else the map is read whole."""
        held = self._outboxes.get(sender)
        if last is None or self._heads.get(sender) != last or type(held) is not MailboxEntries:
            return self.set_outbox(sender, mailbox_map(objects, outbox), head, outbox)
        self._heads[sender] = head
        self._outbox_at[sender] = outbox
        if top is None:  # nothing changed (WIT-009.1)
            return []
        old, new = held._raw, raw_of(top.entries)
        changed = [_actor(r) for r, m in new.items() if old.get(r) != m]
        for recipient in changed:
            self._senders.setdefault(recipient, set()).add(sender)
        self._outboxes[sender] = MailboxEntries._trusted({**old, **new})
        return changed

    def _keep_sent(self, messages: Mapping[ObjectId, Message]) -> None:
        sent = self._sent
        sent.update(messages)
        while len(sent) > SENT_KEPT:
            sent.popitem(last=False)

    def pending_for(
        self, store: ObjectReader, actor: ObjectId, inbox: Mapping[ObjectId, ObjectId]
    ) -> dict[ObjectId, tuple[PendingMessage, ...]]:
        """Everything pending for ``actor`` given its ``inbox``, senders in id order (WIT-005).

        ``inbox`` must be that of a head the index saw (:meth:`saw_head`), or read
        before the index last caught up: else a message could be read twice
        (RUN-003.3, RUN-002.3).
        """
        found: dict[ObjectId, tuple[PendingMessage, ...]] = {}
        key = None  # the actor's text form, its key in an outbox (OBJ-014): made when needed
        raw_inbox = inbox._raw if type(inbox) is MailboxEntries else None
        entry: ObjectId | None
        senders = self._senders.get(actor, ())
        for sender in sorted(senders) if len(senders) > 1 else senders:
            box = self._outboxes.get(sender, _NO_ENTRIES)
            if type(box) is MailboxEntries and raw_inbox is not None:
                if key is None:
                    key = actor[0].hex()
                # _get twice, on the raw maps, without its frames (as ObjectId._trusted)
                sent, seen = box._raw.get(key), raw_inbox.get(sender[0].hex())
                if sent is None or sent == seen:  # nothing sent, or all of it read
                    continue
                entry = _new_id(ObjectId, (sent,))
                read = None if seen is None else _new_id(ObjectId, (seen,))
            else:  # the outside's entries looked up without _get's frame around theirs
                entry = box.get(actor) if type(box) is _OutsideEntries else _get(box, actor)
                read = _get(inbox, sender)
                if entry is None or entry == read:  # nothing sent, or all of it read
                    continue
            reader: ObjectReader = store
            if sender == OUTSIDE and self._sent:  # one _WithSent per reader, not one a call
                view = self._with_sent
                if view is None or view._base is not store:
                    view = self._with_sent = _WithSent(store, self._sent)
                reader = view
            items = pending(reader, entry, read)
            if items:
                found[sender] = tuple(items)
        return found
