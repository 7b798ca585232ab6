"""An outbox as a short chain of mailboxes: reading its map and building the next (WIT-009.5).

A mailbox may name a ``base`` (OBJ-013); its *map* is the base's map with its own entries
added, its own replacing the base's (OBJ-019.1).  Only a step's outbox is built with a
base, by the rule of WIT-009.5: what changed goes into a new top mailbox, which absorbs
the one below it while that one is small (at most :data:`SMALL_BASE` entries) or the
top holds at least half as many entries, and the union stays within :data:`MERGE_CAP`
entries (WIT-009.6).  So what a step adds for its outbox grows with what it changed,
not with every recipient ever written to, and the chain stays short: each level below
the top has at least about twice the entries of the one above it, or is full.

Everything here is pure: it reads through an :class:`~gritwit.wit.ObjectReader` and
returns objects; the caller stores the one new mailbox (the levels below it are stored
already, the last step's own objects).  An inbox and the outside's mailboxes are never
built here: they are one mailbox without ``base`` (WIT-008.4, RUN-003.4).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from .._errors import InvalidObject, ObjectNotFound
from .._ids import ObjectId
from .._maps import MailboxEntries, raw_of
from .._objects import GritObject, Mailbox
from ._model import ObjectReader, _setter

__all__ = [
    "MERGE_CAP",
    "NO_CHAIN",
    "SMALL_BASE",
    "OutboxChain",
    "build_outbox",
    "read_chain",
    "top_changes",
]

#: WIT-009.5: a base with at most this many own entries is always merged into the top
#: (the union cap allowing), so a map of at most this many recipients is one mailbox
#: without ``base``, byte for byte the outbox a step made before chains.
SMALL_BASE: Final = 256

#: WIT-009.6: the most entries a mailbox built by merging may hold (about 6.6 MB
#: encoded, within ENC-013's 16 MiB); a merge whose union would pass it is not made.
MERGE_CAP: Final = 65_536

_new = object.__new__
_set_entries, _set_base = _setter(Mailbox, "entries"), _setter(Mailbox, "base")


@dataclass(frozen=True, slots=True)
class OutboxChain:
    """A mailbox and the mailboxes its ``base`` chain names, top first (OBJ-019.1).

    ``ids[i]`` is the id of ``levels[i]``; ``levels[i].base`` is ``ids[i + 1]``, and the
    last level has no ``base``.  Empty for an absent outbox.  Entries are raw, as
    stored: text-form actor id (OBJ-014) → message digest.
    """

    ids: tuple[ObjectId, ...]
    levels: tuple[Mapping[str, bytes], ...]

    @property
    def top(self) -> ObjectId | None:
        """The id of the chain's top mailbox (the outbox itself); ``None`` when absent."""
        return self.ids[0] if self.ids else None

    def get(self, key: str) -> bytes | None:
        """The map's entry for ``key``, raw: found in the first level that has it (OBJ-019.1)."""
        for level in self.levels:
            found = level.get(key)
            if found is not None:
                return found
        return None

    def map(self) -> Mapping[str, bytes]:
        """The whole map, raw, in canonical key order (ENC-010).

        A chain of one level is its own entries, not copied (not to be changed).
        """
        levels = self.levels
        if len(levels) == 1:
            return levels[0]
        merged: dict[str, bytes] = {}
        for level in reversed(levels):  # bottom first: the levels above replace (OBJ-019.1)
            merged.update(level)
        return dict(sorted(merged.items()))

    def __iter__(self) -> Iterator[Mapping[str, bytes]]:
        return iter(self.levels)


#: The chain of an absent outbox.
NO_CHAIN: Final = OutboxChain((), ())


def _level(reader: ObjectReader, oid: ObjectId, what: str) -> Mailbox:
    try:
        obj: GritObject = reader.get_object(oid)
    except ObjectNotFound:
        if what == "mailbox":  # the top: the step's outbox field (RUN-010.1)
            raise
        raise ObjectNotFound("OBJ-019.2", f"{what} {oid} is absent") from None
    if not isinstance(obj, Mailbox):
        raise InvalidObject("OBJ-019.2", f"{what} {oid} is not a mailbox")
    return obj


def read_chain(reader: ObjectReader, mailbox: ObjectId | None) -> OutboxChain:
    """The chain of ``mailbox`` (absent: :data:`NO_CHAIN`), each level read once.

    A ``base`` naming an object that is not a mailbox fails ``invalid-object``, an
    absent one ``not-found`` (OBJ-019.2).  A chain cannot return to a mailbox on it:
    each names its base by the base's hash (ID-001).
    """
    if mailbox is None:
        return NO_CHAIN
    top = _level(reader, mailbox, "mailbox")
    if top.base is None:  # every inbox and every small outbox: one level
        return OutboxChain((mailbox,), (raw_of(top.entries),))
    ids, levels = [mailbox], [raw_of(top.entries)]
    base: ObjectId | None = top.base
    while base is not None:
        box = _level(reader, base, "mailbox base")
        ids.append(base)
        levels.append(raw_of(box.entries))
        base = box.base
    return OutboxChain(tuple(ids), tuple(levels))


def top_changes(chain: OutboxChain, last: OutboxChain) -> Mapping[str, bytes] | None:
    """The keys where ``chain``'s map may differ from ``last``'s, with ``chain``'s
    entries: its top level's own entries, when ``chain`` stands on ``last`` as
    :func:`build_outbox` builds it (the levels below its top are a tail of ``last``'s,
    and every level of ``last`` above that tail was merged into the top, WIT-009.5).
    Routing after a step then looks only there (WIT-010).  Empty when the two are the
    same outbox; ``None`` when ``chain`` does not stand on ``last`` (the caller compares
    the maps)."""
    if chain.top == last.top:
        return {}
    below = chain.ids[1:]
    if not chain.ids or len(below) > len(last.ids):
        return None
    if below != last.ids[len(last.ids) - len(below) :]:
        return None
    return chain.levels[0]


def _mailbox(entries: dict[str, bytes], base: ObjectId | None) -> Mailbox:
    """``Mailbox(entries=entries, base=base)`` for raw entries valid already and in
    canonical order (keys from valid mailboxes and the caller's ids, OBJ-014)."""
    box = _new(Mailbox)
    _set_entries(box, MailboxEntries._trusted(entries))
    _set_base(box, base)
    return box


def build_outbox(chain: OutboxChain, sets: Mapping[str, bytes]) -> Mailbox | None:
    """The new outbox WIT-009.5 builds over the last step's outbox ``chain``, the
    transition having set ``sets`` (raw: text-form recipient → last message's digest).

    ``None`` when no entry changes (*D* empty): the new step's outbox is then the last
    step's (its id; absent when there is none, WIT-009.1).  Else the one new mailbox to
    store: the changed entries *D* over the last outbox, merged down the chain while
    the base is small (:data:`SMALL_BASE`) or the top holds at least half as many
    entries, and the union stays within :data:`MERGE_CAP` (WIT-009.6).  Only the
    levels' own entries are counted, never the maps.

    In work linear in the entries of *D* and of the levels it merges, however deep the
    chain (WIT-009.7): the union grows in place, each merged level's keys are looked up
    once, and the result is sorted once.  Rebuilding and sorting the union at every
    level made a chain of many small levels (one an import accepts: a bundle names its
    chain, RUN-009) quadratic, minutes of CPU for one step.
    """
    changed = _changed(chain, sets)
    if not changed:
        return None
    entries = changed  # grows in place: D's own entries replace a base's (OBJ-019.1)
    levels, ids = chain.levels, chain.ids
    depth = 0  # the level C's base is: levels[depth] (none past the last)
    while depth < len(levels):
        below = levels[depth]
        if len(below) > SMALL_BASE and 2 * len(entries) < len(below):
            break
        # the union's size by the base's keys alone: |C| + those of the base C lacks
        if len(entries) + len(below) > MERGE_CAP:
            fresh = [key for key in below if key not in entries]
            if len(entries) + len(fresh) > MERGE_CAP:
                break
            for key in fresh:
                entries[key] = below[key]
        else:
            for key, value in below.items():
                entries.setdefault(key, value)
        depth += 1
    ordered = dict(sorted(entries.items())) if len(entries) > 1 else entries
    return _mailbox(ordered, ids[depth] if depth < len(ids) else None)


#: Keys a transition sets past which :func:`_changed` reads the chain's map once rather
#: than walking the levels for each key.
_WALKS: Final = 8


def _changed(chain: OutboxChain, sets: Mapping[str, bytes]) -> dict[str, bytes]:
    """The entries of ``sets`` that differ from ``chain``'s map (WIT-009.1's *D*): each key
    looked up down the levels while that costs less than reading the map once, else
    against the map, so that many keys over a deep chain cost the chain's entries, not
    their product."""
    levels = chain.levels
    if len(sets) <= _WALKS or len(levels) <= 2:
        return {key: value for key, value in sets.items() if chain.get(key) != value}
    flat: dict[str, bytes] = {}
    for level in reversed(levels):  # bottom first: the levels above replace (OBJ-019.1)
        flat.update(level)
    return {key: value for key, value in sets.items() if flat.get(key) != value}
