"""Entries the routing index walks: the outside's, and messages it sent held in memory.

Moved out of :mod:`._index` (for its size); the index imports them under their
old names.  :class:`OutsideEntries` is the outside's outbox over its 16 mailboxes and
the old ref (RUN-003.4, RUN-003.5); :class:`WithSent` a reader that serves the messages
the outside sent through this process from memory (never read back).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from .._ids import ObjectId
from .._maps import MailboxEntries
from .._objects import GritObject, Message
from ..wit import OUTSIDE, OUTSIDE_REF, ObjectReader, _outside

__all__ = ["OutsideEntries", "WithSent", "entry_of"]

_new_id = tuple.__new__


def entry_of(entries: Mapping[ObjectId, ObjectId], actor: ObjectId) -> ObjectId | None:
    """``entries.get(actor)``: on a mailbox's entries, a look-up of its raw map by the
    actor's text form (OBJ-014), without the mapping's wrapping of keys and values."""
    if type(entries) is MailboxEntries:
        # the outside's text form made once (it is every inbox's first sender), else made
        raw = entries._raw.get(_OUTSIDE_TEXT if actor is OUTSIDE else actor[0].hex())
        return None if raw is None else _new_id(ObjectId, (raw,))  # as ObjectId._trusted
    return entries.get(actor)


#: The text form of :data:`OUTSIDE` (ID-003): its key in an inbox (OBJ-014).
_OUTSIDE_TEXT: Final = OUTSIDE[0].hex()


class WithSent:
    """``base`` plus messages the outside sent through this process, stored already."""

    __slots__ = ("_base", "_sent")

    def __init__(self, base: ObjectReader, sent: Mapping[ObjectId, Message]) -> None:
        self._base = base
        self._sent = sent

    def get_object(self, oid: ObjectId) -> GritObject:
        found = self._sent.get(oid)
        return found if found is not None else self._base.get_object(oid)

    def has(self, oid: ObjectId) -> bool:
        return oid in self._sent or self._base.has(oid)


class OutsideEntries(Mapping[ObjectId, ObjectId]):
    """The outside's outbox entries: each recipient's from its mailbox, else from the old
    ref's (RUN-003.4, RUN-003.5), over ``parts`` (each of the outside's refs → entries)."""

    __slots__ = ("_parts",)

    def __init__(self, parts: Mapping[str, Mapping[ObjectId, ObjectId]]) -> None:
        self._parts = parts

    def get(self, key: object, default: object = None) -> ObjectId | None:  # type: ignore[override]
        if type(key) is not ObjectId:
            return None
        parts = self._parts
        part = parts.get(_outside._REFS[key[0][7] & 15])  # outside_ref(key), without its call
        if part is not None:  # entry_of(part, key), without its call: a send's part is a dict
            if type(part) is not MailboxEntries:
                found = part.get(key)
            else:
                raw = part._raw.get(key[0].hex())
                found = None if raw is None else _new_id(ObjectId, (raw,))
            if found is not None:
                return found
        old = parts.get(OUTSIDE_REF)  # RUN-003.5: else the old ref's entry
        return None if old is None else entry_of(old, key)

    def __getitem__(self, key: ObjectId) -> ObjectId:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[ObjectId]:
        seen = set()
        for part in self._parts.values():
            for recipient in part:
                if recipient not in seen and self.get(recipient) is not None:
                    seen.add(recipient)
                    yield recipient

    def __len__(self) -> int:
        return sum(1 for _ in self)
