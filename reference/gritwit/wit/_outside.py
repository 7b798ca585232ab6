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

from collections.abc import Iterable, Mapping

from .._codec import Encoded, encode_with_id
from .._errors import InvalidId, InvalidTransition, RefConflict
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import GritObject, Mailbox, Message, mailbox_with
from ..store import Store
from ._model import ObjectReader
from ._pending import mailbox_entries, mailbox_raw

__all__ = ["OUTSIDE_REF", "OutsideSend", "SentOutbox", "outbox_entries", "send_from_outside"]

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


def send_from_outside(
    store: Store, batch: Iterable[OutsideSend], objects: Iterable[GritObject] = ()
) -> tuple[list[ObjectId], SentOutbox, int]:
    """Store ``objects``, then send ``batch`` in order with one swap of the outside's outbox.

    The outside is the pseudo-actor of WIT-003; its messages chain like any sender's
    (WIT-004).  Every content must be stored or among ``objects`` (WIT-003).  Each
    message is validated as built (OBJ-005, OBJ-006); the outbox is built from the
    last one's entries and the messages' ids, not validated again.

    Returns the message ids, the outbox's new entries (a :class:`SentOutbox`) and how
    many swaps were lost to another writer (and retried from its outbox).
    """
    sends = list(batch)
    encoded = [encode_with_id(obj) for obj in objects]
    given = {oid for _, oid in encoded}
    for _, content, _, _ in sends:
        if content not in given and not store.has(content):
            raise InvalidTransition("WIT-003", f"content {content} is not stored")
    conflicts = 0
    while True:
        old = store.get_ref(OUTSIDE_REF)
        base, entries = _outbox(store, old)
        latest: dict[ObjectId, ObjectId] = {}
        messages: dict[ObjectId, Message] = {}
        encodings: list[Encoded] = []
        sent = []
        for recipient, content, headers, signal in sends:
            previous = None if signal else latest.get(recipient, entries.get(recipient))
            message = Message(content=content, previous=previous, headers=headers or {})
            encoding = encode_with_id(message)
            encodings.append(encoding)
            messages[encoding[1]] = message
            latest[recipient] = encoding[1]
            sent.append(encoding[1])
        entries.update(latest)
        mailbox = mailbox_with(base, _raw_changes(latest))
        if mailbox is None:  # nothing sent, no outbox yet: a mailbox has an entry (OBJ-013)
            store.put_encoded(encoded)
            return sent, SentOutbox(entries, old, messages), conflicts
        box = encode_with_id(mailbox)
        try:  # the objects, the messages and the outbox first, then the ref: one commit
            store.put_encoded_then_cas(
                [*encoded, *encodings, box], OUTSIDE_REF, old, box[1], target=mailbox
            )
        except RefConflict:
            conflicts += 1
            continue
        _remember(box[1], mailbox, entries)
        return sent, SentOutbox(entries, box[1], messages), conflicts
