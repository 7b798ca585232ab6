"""Group commit: the steps of several transitions in one store transaction (RUN-017).

A :class:`CommitGroup` collects built transitions — *members*, in the order the
runtime adopts them — and commits them with :meth:`CommitGroup.commit`: every
member's objects first, then each member's head swap in group order, all in one
:meth:`~gritwit.store.Store.batch` (one sync on the durable store).  Until then
the runtime treats each member as adopted in memory only (its *provisional*
head), so a later member may be built on an earlier one's step — a later step
of the same actor, or a transition reading a message an earlier member sent
(RUN-017.3).  Each member records that *basis*: the provisional steps it was
built on.

A member whose swap conflicts (another writer moved the head, RUN-002) is lost,
and so is every later member whose basis holds a lost step (RUN-017.4): it read
a message that was never sent, or continues a step that was never adopted.  The
other members commit.  Lost steps are remembered, so a transition built on one
before the commit (in a worker thread) is refused when it arrives
(:meth:`CommitGroup.add` answers ``False``).

Sends from the outside may join the group too (RUN-019, the runtime's
``send_commit="group"``): :meth:`CommitGroup.add_sends` keeps what they built —
their objects, messages and the outside's new outbox — and the commit stores it
with the members' objects and swaps each of the outside's mailboxes they touched
(``names/outside-outbox/<h>``, RUN-003.4) before any head, in the same transaction.
A member that read a message of them is *based on* the new mailboxes (their ids are
in the member's basis), so a lost swap of any of them loses it too, and the runtime
makes the sends again from the winner's mailboxes (RUN-019.4).

A group is *full* — the runtime commits it — at ``size`` members or once its
members' encoded objects reach ``max_bytes`` (RUN-017.10), so what a run holds
uncommitted is bounded in bytes whatever its actors leave behind, not only in
steps.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import NamedTuple

from .._codec import Encoded
from .._errors import RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Step
from ..store import BatchAborted, ErasedSince, Store, StoreBatch, head_ref
from ..wit import (
    OUTSIDE,
    Assembled,
    OutsideBuild,
    OutsideSend,
    SentOutbox,
    built_objects,
)
from ..wit._outside import swap_all
from ._cache import ObjectCache
from ._notes import merge

__all__ = [
    "COMMIT",
    "COMMIT_MODES",
    "GROUP_BYTES",
    "GROUP_SIZE",
    "PROTOCOL_SEND_COMMIT",
    "SEND_COMMIT",
    "SEND_COMMIT_MODES",
    "CommitGroup",
    "Committed",
    "GroupedSends",
    "Member",
    "encoded_size",
]

#: The runtime's commit modes (RUN-017.1): one transaction per group, or per step.
COMMIT_MODES = ("group", "step")
#: The default commit mode, chosen by measurement (RUN-017, rationale).
COMMIT = "group"
#: How sends from the outside are committed (RUN-019.1): each on its own, durable when
#: acknowledged, or with the open group, durable once the next run or flush returns.
SEND_COMMIT_MODES = ("own", "group")
#: The reference's default where it groups (RUN-019.1, RUN-019.2): a send joins the
#: open group, so it and the run that reads it are one commit (one sync); durable once
#: the next run or flush returns.  With ``commit="step"`` the default is ``"own"``.
SEND_COMMIT = "group"
#: The mode ``rt-open`` takes when its ``sends`` is omitted (ADP-015): each send
#: durable when acknowledged (RUN-019.1).
PROTOCOL_SEND_COMMIT = "own"
#: Most steps in one group before it is committed (RUN-017.8).
GROUP_SIZE = 256
#: Encoded bytes of a group's objects at which it is committed (RUN-017.10): 32 MiB.
GROUP_BYTES = 32 * 1024 * 1024


class Member(NamedTuple):
    """One transition of a group: its actor, the head it started from and what it built.

    A named tuple, immutable like a frozen dataclass and made at a third of its cost:
    one is made per transition.
    """

    actor: ObjectId
    expected: ObjectId | None
    built: Assembled
    #: The provisional steps (of this group) the transition was built on (RUN-017.3).
    basis: frozenset[ObjectId]


#: ``Member(actor, expected, built, basis)`` without the generated ``__new__``'s frame.
_member = functools.partial(tuple.__new__, Member)


class GroupedSends:
    """The sends from the outside that joined the open group, in order (RUN-019.2).

    ``expected``: each of the outside's mailbox refs they touched (RUN-003.4) as the
    first of them to touch it read it; ``boxes``: each such ref's mailbox as the last
    of them left it (its id and the mailbox), which the commit swaps in; ``read``: the
    outside's refs as last read (the old ref among them, RUN-003.5); ``encodings``:
    everything they built, in the order it is stored; ``entries``: the touched
    mailboxes' entries (the routing index holds them meanwhile); ``requests`` and
    ``objects``: what the caller sent, to send again should a swap lose (RUN-019.4).
    """

    __slots__ = (
        "boxes",
        "built",
        "built_boxes",
        "encodings",
        "entries",
        "expected",
        "objects",
        "read",
        "requests",
    )

    def __init__(self, entries: SentOutbox) -> None:
        self.expected: dict[str, ObjectId | None] = {}
        self.boxes: dict[str, tuple[ObjectId, Mailbox]] = {}
        #: Every mailbox id the sends built, a lost one's members' basis (RUN-019.3).
        self.built_boxes: set[ObjectId] = set()
        self.read: dict[str, ObjectId | None] = {}
        self.encodings: list[Encoded] = []
        #: The objects of ``encodings``, by id: served from memory until stored.
        self.built: dict[ObjectId, GritObject] = {}
        self.entries = entries
        self.requests: list[OutsideSend] = []
        self.objects: list[GritObject] = []

    def chained_on(self, read: dict[str, ObjectId | None]) -> dict[str, ObjectId | None]:
        """The outside's refs to build the next send on: ``read``, with the mailboxes
        these sends left in place of the refs they touched (RUN-019.2)."""
        return {**read, **{ref: box for ref, (box, _) in self.boxes.items()}}


class Committed(NamedTuple):
    """What a group commit did: members adopted and lost, in group order, and the sends
    whose outbox swap lost (``None``: none lost), to be sent again (RUN-019.4)."""

    adopted: list[Member]
    lost: list[Member]
    unsent: GroupedSends | None


#: ``Committed(adopted, lost, unsent)`` without the generated ``__new__``'s frame.
_committed = functools.partial(tuple.__new__, Committed)


class CommitGroup:
    """The open group of a runtime: members in adoption order and their provisional heads."""

    __slots__ = (
        "_cache",
        "_heads",
        "_lost",
        "bytes",
        "fresh",
        "max_bytes",
        "members",
        "noted",
        "sends",
        "size",
    )

    def __init__(
        self, cache: ObjectCache, size: int = GROUP_SIZE, max_bytes: int = GROUP_BYTES
    ) -> None:
        self._cache = cache
        #: Most members before the runtime commits the group (RUN-017.8).
        self.size = size
        #: Encoded bytes of the members' objects at which the group is full (RUN-017.10).
        self.max_bytes = max_bytes
        #: Encoded bytes of the open group's objects: what it holds uncommitted.
        self.bytes = 0
        self.members: list[Member] = []
        #: Each actor's latest provisional step in the group.
        self._heads: dict[ObjectId, tuple[ObjectId, Step]] = {}
        #: Steps of members lost at a commit (RUN-017.4), for transitions built on them.
        self._lost: set[ObjectId] = set()
        #: Sends from the outside waiting for this group's commit (RUN-019.2).
        self.sends: GroupedSends | None = None
        #: The ids the last commit stored that the store did not hold, where the store
        #: tells them (RUN-022.1); ``None`` where it does not.
        self.fresh: set[ObjectId] | None = None
        #: Each member's step → the journal parts its commit notes (:mod:`._notes`;
        #: ``None``: every part).
        self.noted: dict[ObjectId, frozenset[int] | None] = {}

    def __len__(self) -> int:
        return len(self.members)

    @property
    def full(self) -> bool:
        """Whether the group must be committed now: by count or by bytes (RUN-017.8, RUN-017.10)."""
        return len(self.members) >= self.size or self.bytes >= self.max_bytes

    def provisional(self, actor: ObjectId) -> tuple[ObjectId, Step] | None:
        """``actor``'s latest step in the group and its id, or ``None``."""
        return self._heads.get(actor)

    def basis(self, actors: Iterable[ObjectId]) -> frozenset[ObjectId]:
        """The provisional steps of ``actors`` (an actor and its senders) (RUN-017.3).

        When the outside is among them and sends joined the group, the mailboxes they
        built count as the outside's provisional step (RUN-019.3).
        """
        heads = self._heads
        based = []
        for a in actors:  # a loop: no comprehension's function made each time
            head = heads.get(a)
            if head is not None:
                based.append(head[0])
        sends = self.sends
        if sends is not None and sends.boxes and OUTSIDE in actors:
            for box, _ in sends.boxes.values():
                based.append(box)
        return frozenset(based)

    def add_sends(
        self, read: dict[str, ObjectId | None], built: OutsideBuild, requests: list[OutsideSend]
    ) -> None:
        """Let a send built on the mailboxes the group's sends left (else on ``read``, the
        outside's refs as read) join the group (RUN-019.2); its objects are served from
        memory."""
        sends = self.sends
        if sends is None:
            sends = self.sends = GroupedSends(built.entries)
        sends.read = read
        objects = built_objects(built)
        sends.encodings += built.encodings
        sends.built.update(objects)
        sends.requests += requests
        sends.objects += built.given
        for ref, box in built.boxes.items():
            if ref not in sends.expected:
                sends.expected[ref] = read.get(ref)
            sends.boxes[ref] = box
            sends.built_boxes.add(box[0])
        had, now = sends.entries, built.entries
        if had is not now:
            sends.entries = SentOutbox(
                {**had.parts, **now.parts},
                {**had.boxes, **now.boxes},
                {**had.messages, **now.messages},
            )
        self._cache.pin_objects(objects)

    def behind(
        self, swaps: Iterable[tuple[str, ObjectId | None]]
    ) -> list[tuple[str, ObjectId | None]]:
        """``swaps`` without a swap of one of the outside's mailboxes to the mailbox the
        group's sends were built on: the routing index holds their mailbox, which is
        ahead of it (RUN-019.2), and is not to be set back to it."""
        if self.sends is None:
            return list(swaps)
        expected = self.sends.expected
        kept = []
        for s in swaps:  # a loop: no comprehension's function made each time
            if s[0] not in expected or s[1] != expected[s[0]]:
                kept.append(s)
        return kept

    def add(
        self,
        actor: ObjectId,
        expected: ObjectId | None,
        built: Assembled,
        basis: frozenset[ObjectId],
    ) -> bool:
        """Add a built transition; ``False`` (nothing added) if its basis was lost (RUN-017.4)."""
        lost = self._lost
        if lost:
            if not basis.isdisjoint(lost):
                return False
            # A lost step rebuilt from the same inputs is the same step (ID-001): it is a
            # member again, and what is built on it is not lost (else the rerun spins).
            lost.discard(built.step_id)
        self.members.append(_member((actor, expected, built, basis)))
        size = 0  # encoded_size, without two calls a step; indexed, as unpacking an
        for encoded in built.encodings:  # Encoded (a tuple subclass) takes an iterator
            size += len(encoded[0])
        self.bytes += size
        self._heads[actor] = (built.step_id, built.step)
        self._cache.pin(built)  # later members read its objects before they are stored
        return True

    def commit(self, store: Store, wake: bool = True) -> Committed:
        """Commit every member: objects, then head swaps in order (RUN-017.2 … RUN-017.4).

        Sends that joined the group are stored with the members' objects and their
        outbox swapped before any head (RUN-019.3).  Returns the members adopted and
        lost, each in group order, and the sends whose swap lost.  If the store
        raises anything but a conflict, nothing of the group is kept (its
        transaction rolls back) and the group is emptied all the same, but for its
        sends, which wait for the next commit (RUN-019.5); a store that refuses the write
        for an erasure since the run's journal read (:class:`~gritwit.store.ErasedSince`,
        RUN-011.3, RUN-020.7) loses every member so, to be built again.  Where the store tells which
        objects it did not hold (:meth:`~gritwit.store.Store.reports_fresh`), their ids
        are :attr:`fresh` afterwards (RUN-022.1); else :attr:`fresh` is ``None``.
        ``wake=False``: the commit wakes no runtime waiting for swaps (RUN-020.6), where it
        is one write.
        """
        fresh: set[ObjectId] | None = set() if store.tells_fresh else None
        self.fresh = fresh
        members, self.members = self.members, []
        sends, self.sends = self.sends, None
        self._heads, self.bytes = {}, 0
        noted, self.noted = self.noted, {}
        if store.notes:  # what each head's swap notes (the store's default otherwise)
            store.note_next(_said(members, noted))
        if sends is None and len(members) == 1:
            return self._commit_one(store, members[0], fresh, wake)
        adopted: list[Member] = []
        lost: list[Member] = []
        unsent: GroupedSends | None = None
        stored = False
        try:
            if store.commits_whole and _commit_whole(
                store, members, sends, fresh, wake
            ):  # the usual case: one write (RUN-017.2)
                stored = True
                return _committed((members, [], None))
            with store.batch() as batch:
                encodings = [e for m in members for e in m.built.encodings]
                if sends is not None:
                    encodings[:0] = sends.encodings  # RUN-019.3: stored with the members'
                batch.put_encoded(encodings, **_fresh(fresh))
                gone: set[ObjectId] = set()
                if sends is not None and not _swap_outbox(batch, sends):
                    unsent = sends
                    gone |= sends.built_boxes
                swaps = _Swaps(batch)
                for member in members:
                    if not member.basis & gone and swaps.swap(member):
                        adopted.append(member)
                    else:
                        gone.add(member.built.step_id)
                        lost.append(member)
                swaps.flush_all()
            stored = True
        except (ErasedSince, BatchAborted):  # RUN-011.3, DUR-007.2: nothing stored; every
            # member is built again (a batch the server aborted at its COMMIT, too, after
            # its swaps were taken): none is adopted (RUN-017.6), and the sends wait for
            # the next commit whole rather than being sent again now (RUN-019.5)
            adopted, lost, unsent = [], members, None
            if fresh is not None:
                fresh.clear()  # nothing is new in the store: none of it is known clean
        finally:
            self._cache.release(stored=stored)
            if not stored and sends is not None:  # RUN-019.5: kept for the next commit
                self.sends = sends
                self._cache.pin_objects(sends.built)
        self._lost.update(m.built.step_id for m in lost)
        return _committed((adopted, lost, unsent))

    def _commit_one(
        self, store: Store, member: Member, fresh: set[ObjectId] | None, wake: bool
    ) -> Committed:
        """Commit a group of one as RUN-001 commits a step: its objects, then its swap.

        One :meth:`~gritwit.store.Store.put_encoded_then_cas`, one write as the batch
        would be (RUN-017.2); a conflict loses the member (RUN-017.4), its objects
        stored all the same, as in a batch.
        """
        built = member.built
        stored = False
        try:
            store.put_encoded_then_cas(
                built.encodings,
                head_ref(member.actor),
                member.expected,
                built.step_id,
                target=built.step,
                fresh=fresh,
                wake=wake,
            )
        except RefConflict:
            self._lost.add(built.step_id)
            stored = True
            return _committed(([], [member], None))
        except ErasedSince:  # RUN-011.3: nothing stored; it is built again
            self._lost.add(built.step_id)
            if fresh is not None:
                fresh.clear()  # nothing is new in the store: none of it is known clean
            return _committed(([], [member], None))
        else:
            stored = True
            return _committed(([member], [], None))
        finally:
            self._cache.release(stored=stored)

    def abandon(self) -> list[Member]:
        """Drop every member without storing anything (an error escaped the run).

        Sends that joined the group stay, for the next commit (RUN-019.5).
        """
        members, self.members = self.members, []
        self._heads, self.bytes = {}, 0
        self._cache.release(stored=False)
        if self.sends is not None:
            self._cache.pin_objects(self.sends.built)
        self._lost.update(m.built.step_id for m in members)
        self.noted = {}
        return members


def _said(
    members: list[Member], noted: dict[ObjectId, frozenset[int] | None]
) -> dict[str, tuple[ObjectId | None, frozenset[int]]]:
    """What a commit of ``members`` says each head's swap notes: the parts of all the
    actor's members (:mod:`._notes`), for its last step; none when one is unknown."""
    parts: dict[ObjectId, tuple[ObjectId, frozenset[int] | None]] = {}
    for member in members:
        actor, step = member.actor, member.built.step_id
        held = parts.get(actor)
        more = noted.get(step)
        parts[actor] = (step, more if held is None else merge(held[1], more))
    return {
        head_ref(actor): (step, known)
        for actor, (step, known) in parts.items()
        if known is not None
    }


def _fresh(fresh: set[ObjectId] | None) -> dict[str, set[ObjectId]]:
    """``fresh=`` for a store call, only where it is asked for (RUN-022.1)."""
    return {} if fresh is None else {"fresh": fresh}


def _commit_whole(
    store: Store,
    members: list[Member],
    sends: GroupedSends | None,
    fresh: set[ObjectId] | None = None,
    wake: bool = True,
) -> bool:
    """Commit the group as if every swap wins, in one write where the store can
    (:meth:`~gritwit.store.Store.commit_all`): ``True`` when it did, every member adopted
    and the sends' outbox swapped; ``False`` with nothing stored, when a swap would lose
    or the store cannot, and the caller commits a swap at a time (RUN-017.2 … RUN-017.4).

    The swaps are those the batch makes when none loses: the outbox first (RUN-019.3),
    then each actor's head once, from what its first member expected to its last
    member's step, the later members each continuing the one before (RUN-017.9).  A
    member expecting another head than its actor's earlier member left cannot win
    after it: such a group is not tried whole.
    """
    if not store.commits_whole:
        return False
    encodings: list[Encoded] = []
    for m in members:  # a loop: no comprehension's function made each time
        encodings += m.built.encodings
    swaps: list[tuple[str, ObjectId | None, ObjectId, GritObject]] = []
    if sends is not None:
        encodings[:0] = sends.encodings
        boxes = sends.boxes
        if len(boxes) == 1:  # the usual group: _outbox_swaps(sends), without its frame
            for ref, (box, mailbox) in boxes.items():
                swaps.append((ref, sends.expected[ref], box, mailbox))
        else:
            swaps += _outbox_swaps(sends)
    heads: dict[ObjectId, int] = {}
    for member in members:
        actor, built = member.actor, member.built
        at = heads.get(actor)
        if at is None:
            heads[actor] = len(swaps)
            swaps.append((head_ref(actor), member.expected, built.step_id, built.step))
            continue
        name, first, last, _ = swaps[at]
        if last != member.expected:
            return False
        swaps[at] = (name, first, built.step_id, built.step)
    return store.commit_all(encodings, swaps, fresh, wake)


def _outbox_swaps(sends: GroupedSends) -> list[tuple[str, ObjectId | None, ObjectId, GritObject]]:
    """The swaps of the outside's mailboxes the sends touched, in name order (RUN-019.3)."""
    boxes, expected = sends.boxes, sends.expected
    if len(boxes) == 1:  # the usual group: its sends touched one mailbox
        ((ref, (box, mailbox)),) = boxes.items()
        return [(ref, expected[ref], box, mailbox)]
    swaps: list[tuple[str, ObjectId | None, ObjectId, GritObject]] = []
    for ref in sorted(boxes):  # a loop: no comprehension's function made each time
        box, mailbox = boxes[ref]
        swaps.append((ref, expected[ref], box, mailbox))
    return swaps


def _swap_outbox(batch: StoreBatch, sends: GroupedSends) -> bool:
    """Swap each of the outside's mailboxes the sends touched, all or none; ``False`` when
    one lost (RUN-019.3, RUN-019.4)."""
    try:
        swap_all(batch, _outbox_swaps(sends))
    except RefConflict:
        return False
    return True


def encoded_size(built: Assembled) -> int:
    """The bytes of a transition's encoded objects: what its member holds until committed."""
    return sum([len(encoding) for encoding, _ in built.encodings])


class _Swaps:
    """The head swaps of one group commit, in group order, folded per actor (RUN-017.2, RUN-017.9).

    A member continuing its actor's step adopted earlier in the same group
    expects that very step; its swap is folded into one swap from the head the
    batch last set to the actor's latest member, made before any other swap of
    that actor's head and at the end.  Inside the batch's transaction no one
    sees a head between two of them, so the folded swaps change what is
    committed no more than doing each would.
    """

    __slots__ = ("_batch", "_folded", "_heads", "_set")

    def __init__(self, batch: StoreBatch) -> None:
        self._batch = batch
        #: Each actor's head as the members adopted so far left it, and where the batch set it.
        self._heads: dict[ObjectId, ObjectId] = {}
        self._set: dict[ObjectId, ObjectId] = {}
        #: The latest member of each actor whose swap is folded, not yet made.
        self._folded: dict[ObjectId, Member] = {}

    def swap(self, member: Member) -> bool:
        """Swap ``member``'s head, or fold it; ``False`` when it lost (RUN-017.4)."""
        actor, step_id = member.actor, member.built.step_id
        if actor in self._heads and self._heads[actor] == member.expected:
            self._heads[actor] = step_id
            self._folded[actor] = member
            return True
        self._flush(actor)
        try:
            self._batch.cas_ref(head_ref(actor), member.expected, step_id, target=member.built.step)
        except RefConflict:
            return False
        self._heads[actor] = self._set[actor] = step_id
        return True

    def _flush(self, actor: ObjectId) -> None:
        """Make ``actor``'s folded swap: from the head the batch set to its latest member."""
        member = self._folded.pop(actor, None)
        if member is not None:
            step_id = member.built.step_id
            self._batch.cas_ref(
                head_ref(actor), self._set[actor], step_id, target=member.built.step
            )
            self._set[actor] = step_id

    def flush_all(self) -> None:
        """Make every folded swap, in the order the actors' heads were first swapped."""
        for actor in list(self._folded):
            self._flush(actor)
