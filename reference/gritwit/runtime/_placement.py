"""Placement: which share an actor is in, by a key chosen at its genesis (RUN-021.6 … RUN-021.10).

An actor's *placement key* is its own id (RUN-021's division as it was), unless the
store holds a *placement record* for it: the ref ``names/placement/<actor>``, whose
target is a genesis message carrying the header ``placement`` (RUN-021.7).  The key is
then the id that header names.  A runtime learns records as it learns every other
ref, from the journal of swaps or a listing (:class:`~._index.RoutingIndex` keeps
them), so deciding "is this actor mine" is a dictionary look-up, never a read of the
genesis; the genesis is read once, by the runtime that would start the actor's first
transition, to write the record (:func:`genesis_of`, RUN-021.8).

The functions here are pure (the record's name, the header's key, the genesis a first
transition would run with, the share of a key) but :func:`record_placement`, which
writes a record by compare-and-swap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from .._errors import InvalidId, RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Message
from ..store import Store
from ..store._refs import PLACEMENT_PREFIX, placement_actor, placement_ref
from ..wit import ObjectReader, PendingMessage
from ._share import Share

__all__ = [
    "PLACEMENT_HEADER",
    "PLACEMENT_PREFIX",
    "PlacementRecords",
    "genesis_of",
    "header_key",
    "placed_in",
    "placement_ref",
    "record_key",
    "record_placement",
    "select_placed",
]

#: The genesis message's header naming the placement key (RUN-021.7): an id's text form.
PLACEMENT_HEADER: Final = "placement"


def header_key(message: Message) -> ObjectId | None:
    """The key a genesis message's ``placement`` header names; ``None`` when it has none,
    or one that is not the text form of an id (RUN-021.7: such a header places nothing)."""
    text = message.headers.get(PLACEMENT_HEADER)
    if text is None:
        return None
    try:
        return ObjectId.from_hex(text)
    except InvalidId:
        return None


def record_key(target: GritObject) -> ObjectId | None:
    """The key a placement record's target gives (RUN-021.7): its ``placement`` header
    when it is a genesis message with a well-formed one, else none (the actor's own id)."""
    if not isinstance(target, Message) or target.headers.get("mt") != "genesis":
        return None
    return header_key(target)


def genesis_of(
    actor: ObjectId, found: Mapping[ObjectId, tuple[PendingMessage, ...]]
) -> PendingMessage | None:
    """The genesis message that places a new actor (RUN-021.8): of the senders with a
    genesis message pending for ``actor`` whose content is ``actor`` (WIT-012.1), the
    least sender id (the outside first), and that sender's first such message."""
    for sender in sorted(found):
        for item in found[sender]:
            if item.mt == "genesis" and item.message.content == actor:
                return item
    return None


def placed_in(share: Share, placed: Mapping[ObjectId, ObjectId], actor: ObjectId) -> bool:
    """Whether ``actor`` is in ``share``: its placement key's (RUN-021.6), its id without a
    record in ``placed`` (actor → key)."""
    return share.owns(placed.get(actor, actor))


def select_placed(
    share: Share, placed: Mapping[ObjectId, ObjectId], actors: Iterable[ObjectId]
) -> set[ObjectId]:
    """The actors of ``actors`` in ``share`` by their placement keys (RUN-021.6)."""
    if not placed:
        return share.select(actors)
    return {actor for actor in actors if share.owns(placed.get(actor, actor))}


class PlacementRecords:
    """The placement records as a runtime last read them (RUN-021.7): each actor's key.

    Kept by the routing index, caught up from the same journal of swaps or listing as
    the heads, so no record costs a read of its own but its target's, once: a record's
    target is an object, and an object never changes, so its key is kept by target.
    """

    __slots__ = ("_at", "_keys", "placed")

    def __init__(self) -> None:
        #: Each placed actor → its placement key (RUN-021.6): what the share is read from.
        self.placed: dict[ObjectId, ObjectId] = {}
        #: Each recorded actor → its record's target.
        self._at: dict[ObjectId, ObjectId] = {}
        #: Each target read → the key it gives (``None``: none, the actor's own id).
        self._keys: dict[ObjectId, ObjectId | None] = {}

    def clear(self) -> None:
        """Forget the records (the index is rebuilt); the targets' keys stay known."""
        self.placed.clear()
        self._at.clear()

    def key_of(self, objects: ObjectReader, target: ObjectId) -> ObjectId | None:
        """The key record target ``target`` gives (RUN-021.7), read once."""
        if target in self._keys:
            return self._keys[target]
        key = record_key(objects.get_object(target))
        self._keys[target] = key
        return key

    def swapped(self, objects: ObjectReader, name: str, target: ObjectId | None) -> ObjectId | None:
        """Ref ``name``, a record, is at ``target`` now; returns its actor when its key
        changed (it is to be looked at again), else ``None``."""
        actor = placement_actor(name)
        if actor is None:  # names no actor: places none
            return None
        if self._at.get(actor) == target:
            return None
        before = self.placed.get(actor)
        if target is None:
            self._at.pop(actor, None)
            self.placed.pop(actor, None)
        else:
            self._at[actor] = target
            key = self.key_of(objects, target)
            if key is None:
                self.placed.pop(actor, None)
            else:
                self.placed[actor] = key
        return actor if self.placed.get(actor) != before else None

    def listed(self, objects: ObjectReader, refs: Iterable[tuple[str, ObjectId]]) -> set[ObjectId]:
        """The records are exactly ``refs`` (a listing of the prefix); returns the actors
        whose key changed."""
        touched: set[ObjectId] = set()
        seen: set[ObjectId] = set()
        for name, target in refs:
            actor = self.swapped(objects, name, target)
            if actor is not None:
                touched.add(actor)
            placed = placement_actor(name)
            if placed is not None:
                seen.add(placed)
        for gone in [actor for actor in self._at if actor not in seen]:
            if self.swapped(objects, placement_ref(gone), None) is not None:
                touched.add(gone)
        return touched

    def note(self, actor: ObjectId, target: ObjectId, key: ObjectId | None) -> None:
        """This runtime wrote (or read) ``actor``'s record at ``target``, giving ``key``."""
        self._keys[target] = key
        self._at[actor] = target
        if key is None:
            self.placed.pop(actor, None)
        else:
            self.placed[actor] = key


def record_placement(
    store: Store, records: PlacementRecords, actor: ObjectId, genesis: PendingMessage
) -> None:
    """Record ``actor``'s placement from ``genesis`` before its first transition (RUN-021.8).

    The record's target is the genesis message, or the record of the actor its header
    names when that one has a record: a chain resolves to its root as the record is
    written, once, and no later record of the named actor moves this one (RUN-021.7).
    A compare-and-swap from none (REF-004): a conflict means another writer recorded
    first, and that record stands.
    """
    named = header_key(genesis.message)
    if named is None:  # pragma: no cover - the caller places only a well-formed header
        return
    target, key = genesis.id, named
    root = store.get_ref(placement_ref(named))
    if root is not None:
        root_key = records.key_of(store, root)
        if root_key is not None:
            target, key = root, root_key
    try:
        store.cas_ref(placement_ref(actor), None, target)
    except RefConflict:  # another writer's record stands: read as every runtime reads it
        now = store.get_ref(placement_ref(actor))
        if now is None:  # removed meanwhile (a writer outside RUN-021.8): its own id
            return
        records.note(actor, now, records.key_of(store, now))
        return
    records.note(actor, target, key)
