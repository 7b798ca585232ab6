"""Messages from the outside (WIT-003): one chained send through ``names/outside-outbox``.

Shared by the reference executor and the runtime, so both chain outside messages
exactly alike (WIT-004) and retry a lost compare-and-swap from the winner (RUN-002).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._codec import encode_with_id
from .._errors import InvalidTransition, RefConflict
from .._ids import ObjectId
from .._objects import GritObject, Mailbox, Message
from ..store import Store
from ._pending import mailbox_entries

__all__ = ["OUTSIDE_REF", "OutsideSend", "send_from_outside"]

#: The ref holding the outside's outbox (a mailbox), RUN-003.
OUTSIDE_REF = "names/outside-outbox"

#: ``(recipient, content, headers, signal)``
OutsideSend = tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]


def send_from_outside(
    store: Store, batch: Iterable[OutsideSend], objects: Iterable[GritObject] = ()
) -> tuple[list[ObjectId], dict[ObjectId, ObjectId], int]:
    """Store ``objects``, then send ``batch`` in order with one swap of the outside's outbox.

    The outside is the pseudo-actor of WIT-003; its messages chain like any sender's
    (WIT-004).

    Returns the message ids, the outbox's new entries and how many swaps were lost
    to another writer (and retried from its outbox).
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
        entries = mailbox_entries(store, old)
        sent = []
        messages = []
        for recipient, content, headers, signal in sends:
            previous = None if signal else entries.get(recipient)
            message = encode_with_id(
                Message(content=content, previous=previous, headers=headers or {})
            )
            messages.append(message)
            entries[recipient] = message[1]
            sent.append(message[1])
        if not entries:
            store.put_encoded(encoded)
            return sent, entries, conflicts
        mailbox = Mailbox(entries=entries)
        box = encode_with_id(mailbox)
        try:  # the objects, the messages and the outbox first, then the ref: one commit
            store.put_encoded_then_cas(
                [*encoded, *messages, box], OUTSIDE_REF, old, box[1], target=mailbox
            )
        except RefConflict:
            conflicts += 1
            continue
        return sent, entries, conflicts
