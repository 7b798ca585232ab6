"""What moved since a catch-up, read ahead, and skimmed where it sent nothing (RUN-003.1).

A runtime catching up with the refs (RUN-003.1, RUN-020.5) reads the new head step of
every actor another writer moved, then its outbox, then the newest messages in it.
With shares (RUN-021), most of those heads are other runtimes' actors, and most of
their steps sent nothing: each is read and decoded only to learn that its outbox did
not change (measured: about 2,500 objects decoded a round against 300 own
transitions, 4 runtimes on independent counters).

:func:`read_moved` reads those steps a page at a time (the runtime cache's
``prefetch_skimming``), and *skims* each one the index holds an outbox id for: it
takes the step's ``actor`` and ``outbox`` from its bytes by their place in the one
canonical encoding (:func:`step_outbox`; ENC-014, OBJ-015), without decoding it, and
when they are the head's actor and the outbox id the index holds, the step is neither
decoded nor kept, and its outbox and messages are not read: the index only records the
new head (:meth:`~gritwit.runtime._index.RoutingIndex.refresh`).

That is exact.  The bytes were re-hashed by the store on their way here (STO-004.1,
ID-001), so they are the step the ref names; objects are immutable and named by
their hash (ID-001), so an outbox id the index held names the same entries now
(OBJ-019, WIT-009.5), and the full path would have found no recipient whose entry
changed: it would record the new head and mark the actor, which is all the skim does.
Anything else — bytes that are not exactly a canonical step, another actor, another
outbox, an actor whose outbox id the index does not hold, or one of the runtime's own
actors (``ours``: it will read the step to run it, and keeps it cached) — takes the
full path.

The routing index skims only on a server's store (DUR-005.4), where a read is a round
trip and other runtimes move heads; a local store's steps are read as they come, each
compared with the outbox id held before its outbox is read.  The instruction gate's
``counter`` (one runtime, SQLite) stays at main's count: 661,396 instructions per
operation against 661,891 on 2026-11-28.  A capped run of four runtimes of disjoint
shares on PostgreSQL: the runtimes' CPU per transition 0.237 -> 0.207 ms (the guide's
*Skimming what moved*).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

from .._ids import ID_LENGTH, ObjectId
from .._objects import GritObject, Mailbox, Message, Step
from ..store._refs import HEADS_PREFIX, head_actor
from ..wit import OUTSIDE, ObjectReader
from ..wit._outside import is_outside_ref

__all__ = ["read_moved", "step_outbox"]

#: A step's first keys in canonical order (ENC-010: shorter keys first, then bytewise):
#: ``core`` and the head of its 32-byte id, ``type: step``, ``actor`` and its id's head.
_CORE: Final = b"\x64core\x58\x20"
_TYPE: Final = b"\x64type\x64step"
_ACTOR: Final = b"\x65actor\x58\x20"
#: The optional keys after them, in canonical order, each with its id's head (OBJ-015).
_INBOX: Final = b"\x65inbox\x58\x20"
_OUTBOX: Final = b"\x66outbox\x58\x20"
_PREVIOUS: Final = b"\x68previous\x58\x20"
#: Not an outbox id: an actor whose outbox id the index does not hold.
_UNSET: Final = ObjectId(bytes(ID_LENGTH))
_AFTER_ACTOR: Final = 1 + len(_CORE) + ID_LENGTH + len(_TYPE) + len(_ACTOR)


def step_outbox(data: bytes) -> tuple[bytes, bytes | None] | None:
    """The ``actor`` and ``outbox`` digests (``None``: no outbox) of ``data`` when it is
    exactly the canonical encoding of a step (ENC-014.1, OBJ-015), else ``None``.

    Walks the map by structure: a map of 3 to 6 keys, ``core``, ``type: step``,
    ``actor``, then any of ``inbox``, ``outbox``, ``previous`` in that order, each id a
    32-byte byte string, and nothing after.  Every such byte string decodes to a step
    (any 32 bytes are an id, OBJ-005) and no other bytes are a canonical step, so an
    answer here is what :func:`gritwit.decode_object` would give, at the cost of a few
    slice comparisons."""
    size = len(data)
    if size < _AFTER_ACTOR + ID_LENGTH or not 0xA3 <= data[0] <= 0xA6:
        return None
    if not (
        data.startswith(_CORE, 1)
        and data.startswith(_TYPE, 1 + len(_CORE) + ID_LENGTH)
        and data.startswith(_ACTOR, _AFTER_ACTOR - len(_ACTOR))
    ):
        return None
    actor = data[_AFTER_ACTOR : _AFTER_ACTOR + ID_LENGTH]
    at, keys, outbox = _AFTER_ACTOR + ID_LENGTH, 3, None
    for key in (_INBOX, _OUTBOX, _PREVIOUS):
        if data.startswith(key, at):
            start = at + len(key)
            at = start + ID_LENGTH
            if at > size:
                return None
            if key is _OUTBOX:
                outbox = data[start:at]
            keys += 1
    if at != size or keys != data[0] - 0xA0:
        return None
    return actor, outbox


def read_moved(
    objects: ObjectReader,
    swaps: Mapping[str, ObjectId | None] | None,
    *,
    heads: Mapping[ObjectId, ObjectId | None],
    outbox_at: Mapping[ObjectId, ObjectId | None],
    outside_at: Mapping[str, ObjectId | None],
    outboxes: Mapping[ObjectId, Mapping[ObjectId, ObjectId]],
    sent: Mapping[ObjectId, Message],
    ours: Callable[[Iterable[ObjectId]], Iterable[ObjectId]] | None,
) -> dict[ObjectId, ObjectId]:
    """Read what ``swaps`` moved ahead, where ``objects`` can (the runtime's cache), and
    return the head steps skimmed (see the module): each one's id → its actor.

    ``heads``, ``outbox_at``, ``outside_at`` and ``outboxes`` are the index's: each
    actor's head, the outbox id of the heads whose outbox id it holds, each of the
    outside's refs' mailbox, and each sender's entries; ``sent`` the messages held in
    memory.  On a server's store (DUR-005.4) the steps not skimmed, then their
    outboxes, then each entry's newest message where it changed, are read a page at a
    time, so that catching up with many moved heads is a few reads, not two per head;
    on a local store only the skimmable steps are read here, the rest as they come.
    With ``ours``, only the messages for those actors are read ahead: a runtime walks
    no other actor's (RUN-021.1); the outside's sends to every share's counters cost
    a runtime of 4 shares about 0.4 s of 3.6 s uncapped in a profile before."""
    skimming = getattr(objects, "prefetch_skimming", None)
    prefetch = getattr(objects, "prefetch", None)
    remote = getattr(objects, "remote", None)
    if skimming is None or prefetch is None or remote is None or not swaps:
        return {}
    steps: dict[ObjectId, ObjectId] = {}  # only what the index does not hold already
    for name, target in swaps.items():
        if target is not None and name.startswith(HEADS_PREFIX):
            actor = head_actor(name)
            if actor is not None and heads.get(actor) != target:
                steps[target] = actor
    held = {target: actor for target, actor in steps.items() if actor in outbox_at}
    if held and ours is not None:
        own = set(ours(held.values()))
        held = {target: actor for target, actor in held.items() if actor not in own}
    skimmed: dict[ObjectId, ObjectId] = {}

    def skim(oid: ObjectId, data: bytes) -> bool:
        actor = held.get(oid)
        if actor is None:
            return False
        found = step_outbox(data)
        if found is None or found[0] != actor[0]:
            return False
        box = outbox_at[actor]
        if found[1] != (None if box is None else box[0]):
            return False
        skimmed[oid] = actor
        return True

    if not remote():  # a local store's reads cost no round trip: the rest as they come
        if held:
            skimming(held, skim)
        return skimmed
    found: dict[ObjectId, GritObject] = skimming(steps, skim)
    senders = {  # a step kept already whose outbox the index holds adds no read
        s.outbox: s.actor
        for s in found.values()
        if isinstance(s, Step) and s.outbox and outbox_at.get(s.actor, _UNSET) != s.outbox
    }
    for name, outside in swaps.items():
        if outside is not None and is_outside_ref(name) and outside_at.get(name) != outside:
            senders[outside] = OUTSIDE
    prefetch(senders)
    # each entry's newest message where it changed: what a recipient's walk reads first
    # (WIT-005), the messages before it being read by earlier catch-ups
    # (WIT-009.5: a step's changed entries are among its outbox's own, the top of its
    # chain; what an older step changed, under it, is read when walked)
    news: list[tuple[ObjectId, ObjectId]] = []
    empty: Mapping[ObjectId, ObjectId] = {}
    for box, sender in senders.items():
        before = outboxes.get(sender, empty)
        top = objects.get_object(box)
        if isinstance(top, Mailbox):
            news += [
                (r, m)
                for r, m in top.entries.items()
                if before.get(r) != m and m not in sent  # the sent are held in memory
            ]
    if news and ours is not None:  # only the runtime's own actors' messages are walked
        own = set(ours({r for r, _ in news}))
        news = [(r, m) for r, m in news if r in own]
    prefetch([m for _, m in news])
    return skimmed
