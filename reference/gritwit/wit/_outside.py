"""Messages from the outside (WIT-003): one chained send through ``names/outside-outbox``.

Shared by the reference executor and the runtime, so both chain outside messages
exactly alike (WIT-004) and retry a lost compare-and-swap from the winner (RUN-002).

What a send builds is not read back: the send returns the outbox's entries as a
:class:`SentOutbox`, which also names the mailbox now at the ref and holds the
messages it added, so the runtime's routing index takes them as committed state
(RUN-001.4) without a read; and the next send chains from the entries this
process wrote last (:func:`outbox_entries`) when the ref still names them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .._codec import Encoded, encode_map_with_id, encode_with_id
from .._errors import InvalidId, InvalidTransition, OutcomeUnknown, RefConflict
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import GritObject, Mailbox, Message, _required_id, mailbox_with, make_headers
from ..store import Store
from ._assemble import _mailbox_map, _message
from ._model import ObjectReader
from ._pending import mailbox_entries, mailbox_raw

__all__ = [
    "OUTSIDE_REF",
    "OutsideBuild",
    "OutsideSend",
    "SentOutbox",
    "build_outside_send",
    "built_objects",
    "outbox_entries",
    "send_from_outside",
]

#: The ref holding the outside's outbox (a mailbox), RUN-003.
OUTSIDE_REF = "names/outside-outbox"

#: ``(recipient, content, headers, signal)``
OutsideSend = tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]


class SentOutbox(dict[ObjectId, ObjectId]):
    """The outside's outbox entries after a send, with what the send built (WIT-003).

    A plain ``dict`` of the entries (recipient → last message), plus ``box``: the
    id of the mailbox the send swapped into ``names/outside-outbox`` (``None``
    when the outbox stayed empty), and ``messages``: the messages it added, by id.
    Both were stored before the swap, so they are committed state (RUN-001.4).
    """

    __slots__ = ("box", "messages")

    def __init__(
        self,
        entries: Mapping[ObjectId, ObjectId],
        box: ObjectId | None,
        messages: Mapping[ObjectId, Message],
    ) -> None:
        super().__init__(entries)
        self.box = box
        self.messages = dict(messages)


#: The outside outbox this process wrote last, by mailbox id → the mailbox and its entries.
#: An id names one mailbox (ID-001), so while ``names/outside-outbox`` holds that id these
#: are its entries, in any store; a miss (another writer moved the ref) reads the store.
_WRITTEN: dict[ObjectId, tuple[Mailbox, dict[ObjectId, ObjectId]]] = {}


def outbox_entries(reader: ObjectReader, box: ObjectId | None) -> dict[ObjectId, ObjectId]:
    """The entries of the outside's outbox ``box`` (WIT-009.1): not read back if this process
    wrote it last."""
    known = None if box is None else _WRITTEN.get(box)
    return dict(known[1]) if known is not None else mailbox_entries(reader, box)


def _outbox(
    reader: ObjectReader, box: ObjectId | None
) -> tuple[Mapping[str, bytes], dict[ObjectId, ObjectId]]:
    """The outside's outbox ``box`` as stored (raw) and as ids, a copy to change (WIT-009.1)."""
    known = None if box is None else _WRITTEN.get(box)
    if known is not None:
        return raw_of(known[0].entries), dict(known[1])
    raw = mailbox_raw(reader, box)
    trusted = ObjectId._trusted  # a valid mailbox's keys are text-form ids (OBJ-014)
    return raw, {trusted(bytes.fromhex(key)): trusted(message) for key, message in raw.items()}


def _remember(box: ObjectId, mailbox: Mailbox, entries: Mapping[ObjectId, ObjectId]) -> None:
    _WRITTEN.clear()  # one entry: the last outbox written
    _WRITTEN[box] = (mailbox, dict(entries))


def _raw_changes(latest: Mapping[ObjectId, ObjectId]) -> dict[str, bytes]:
    """``latest`` (recipient → its last message) as raw mailbox entries; each recipient the
    caller named must be an :class:`ObjectId` to be a mailbox key (OBJ-014)."""
    raw = {}
    for recipient, message in latest.items():
        if type(recipient) is not ObjectId:
            raise InvalidId("OBJ-014", "mailbox keys must be ObjectIds")
        raw[recipient.digest.hex()] = message.digest  # ID-003: the text form
    return raw


class OutsideBuild(NamedTuple):
    """A send from the outside built on an outbox, not yet stored (:func:`build_outside_send`).

    ``sent``: the message ids; ``encodings``: the given objects, the messages and the
    new outbox, in the order they are stored; ``given``: the given objects, as
    passed; ``box``: the new outbox mailbox (``None`` when nothing was sent and there
    was no outbox); ``entries``: the outbox's entries, with the messages it added.
    """

    sent: list[ObjectId]
    encodings: list[Encoded]
    given: list[GritObject]
    box: Mailbox | None
    entries: SentOutbox


#: :class:`OutsideBuild` from a tuple, without the named tuple's Python ``__new__``: the
#: send is on the hot path of every outside message.
_outside_build = functools.partial(tuple.__new__, OutsideBuild)


def built_objects(built: OutsideBuild) -> dict[ObjectId, GritObject]:
    """Every object of ``built`` by id, in the order of its encodings: what a grouped send
    serves from memory until the group stores it (RUN-019.2)."""
    objects: list[GritObject] = [*built.given, *built.entries.messages.values()]
    if built.box is not None:
        objects.append(built.box)
    return dict(zip([oid for _, oid in built.encodings], objects, strict=True))


def build_outside_send(
    reader: ObjectReader,
    old: ObjectId | None,
    sends: list[OutsideSend],
    given: list[GritObject],
) -> OutsideBuild:
    """Build ``sends`` in order on the outside's outbox ``old``, storing nothing (WIT-003).

    Every content must be readable through ``reader`` or among ``given`` (WIT-003).
    Each message is validated as built (OBJ-005, OBJ-006); the outbox is built from the
    last one's entries and the messages' ids, not validated again.
    """
    encodings = [encode_with_id(obj) for obj in given]
    ids = {oid for _, oid in encodings}
    for _, content, _, _ in sends:
        if content not in ids and not reader.has(content):
            raise InvalidTransition("WIT-003", f"content {content} is not stored")
    base, entries = _outbox(reader, old)
    latest: dict[ObjectId, ObjectId] = {}
    messages: dict[ObjectId, Message] = {}
    sent = []
    for recipient, content, headers, signal in sends:
        previous = None if signal else latest.get(recipient, entries.get(recipient))
        # Message(content=…, previous=…, headers=…)'s checks, the caller's parts only: a
        # previous message is an id this function found (OBJ-005, OBJ-006, OBJ-012)
        _required_id(content, "message content")
        message, value = _message(content, previous, make_headers(headers))
        encoding = encode_map_with_id(value)
        encodings.append(encoding)
        messages[encoding[1]] = message
        latest[recipient] = encoding[1]
        sent.append(encoding[1])
    entries.update(latest)
    mailbox = mailbox_with(base, _raw_changes(latest))
    if mailbox is None:  # nothing sent, no outbox yet: a mailbox has an entry (OBJ-013)
        return _outside_build((sent, encodings, given, None, SentOutbox(entries, old, messages)))
    box = encode_map_with_id(_mailbox_map(mailbox))  # built from valid raw entries
    encodings.append(box)
    _remember(box[1], mailbox, entries)  # the next send chains from it, stored or not
    return _outside_build((sent, encodings, given, mailbox, SentOutbox(entries, box[1], messages)))


def send_from_outside(
    store: Store, batch: Iterable[OutsideSend], objects: Iterable[GritObject] = ()
) -> tuple[list[ObjectId], SentOutbox, int]:
    """Store ``objects``, then send ``batch`` in order with one swap of the outside's outbox.

    The outside is the pseudo-actor of WIT-003; its messages chain like any sender's
    (WIT-004), built by :func:`build_outside_send`, then stored and swapped in one
    commit (RUN-001.1, RUN-002.4: a lost swap is made again from the winner's outbox).

    Returns the message ids, the outbox's new entries (a :class:`SentOutbox`) and how
    many swaps were lost to another writer (and retried from its outbox).
    """
    sends = list(batch)
    given = list(objects)
    conflicts = 0
    while True:
        old = store.get_ref(OUTSIDE_REF)
        sent, encodings, _, mailbox, entries = build_outside_send(store, old, sends, given)
        if mailbox is None:
            store.put_encoded(encodings)
            return sent, entries, conflicts
        try:  # the objects, the messages and the outbox first, then the ref: one commit
            store.put_encoded_then_cas(
                encodings, OUTSIDE_REF, old, encodings[-1][1], target=mailbox
            )
        except RefConflict:
            conflicts += 1
            continue
        except OutcomeUnknown as exc:  # name the messages, for the caller to settle (RUN-019.6)
            exc.messages = tuple(sent)
            raise
        return sent, entries, conflicts
