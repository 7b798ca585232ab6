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
from .._errors import InvalidTransition, RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Message
from ..store import Store
from ._model import ObjectReader
from ._pending import mailbox_entries

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


#: The outside outbox this process wrote last, by mailbox id → its entries.  An id names
#: one mailbox (ID-001), so while ``names/outside-outbox`` holds that id these are its
#: entries, in any store; a miss (another writer moved the ref) reads the store.
_WRITTEN: dict[ObjectId, dict[ObjectId, ObjectId]] = {}


def outbox_entries(reader: ObjectReader, box: ObjectId | None) -> dict[ObjectId, ObjectId]:
    """The entries of the outside's outbox ``box`` (WIT-009.1): not read back if this process
    wrote it last."""
    known = None if box is None else _WRITTEN.get(box)
    return dict(known) if known is not None else mailbox_entries(reader, box)


def _remember(box: ObjectId, entries: Mapping[ObjectId, ObjectId]) -> None:
    _WRITTEN.clear()  # one entry: the last outbox written
    _WRITTEN[box] = dict(entries)


def send_from_outside(
    store: Store, batch: Iterable[OutsideSend], objects: Iterable[GritObject] = ()
) -> tuple[list[ObjectId], SentOutbox, int]:
    """Store ``objects``, then send ``batch`` in order with one swap of the outside's outbox.

    The outside is the pseudo-actor of WIT-003; its messages chain like any sender's
    (WIT-004).  Every content must be stored or among ``objects`` (WIT-003).

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
        entries = outbox_entries(store, old)
        messages: dict[ObjectId, Message] = {}
        encodings: list[Encoded] = []
        sent = []
        for recipient, content, headers, signal in sends:
            previous = None if signal else entries.get(recipient)
            message = Message(content=content, previous=previous, headers=headers or {})
            encoding = encode_with_id(message)
            encodings.append(encoding)
            messages[encoding[1]] = message
            entries[recipient] = encoding[1]
            sent.append(encoding[1])
        if not entries:
            store.put_encoded(encoded)
            return sent, SentOutbox(entries, old, messages), conflicts
        mailbox = Mailbox(entries=entries)
        box = encode_with_id(mailbox)
        try:  # the objects, the messages and the outbox first, then the ref: one commit
            store.put_encoded_then_cas(
                [*encoded, *encodings, box], OUTSIDE_REF, old, box[1], target=mailbox
            )
        except RefConflict:
            conflicts += 1
            continue
        _remember(box[1], entries)
        return sent, SentOutbox(entries, box[1], messages), conflicts
