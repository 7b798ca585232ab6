"""Which messages are pending, found by walking chains (WIT-004, WIT-005, WIT-010.1).

Nothing here stores anything: the sender's outbox entry and the recipient's
inbox entry, both parts of committed steps, determine exactly what is unread.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._errors import InvalidTransition
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Mailbox, Message, Step
from ._model import ObjectReader, PendingMessage, pending_message

__all__ = ["mailbox_entries", "mailbox_raw", "pending", "routed"]


def mailbox_raw(reader: ObjectReader, mailbox: ObjectId | None) -> Mapping[str, bytes]:
    """The entries of the mailbox ``mailbox`` as stored: text-form actor id → message digest.

    Empty when absent (WIT-008.1, WIT-009.1).  The map is the mailbox's own, valid
    (OBJ-013, OBJ-014) and in canonical order (ENC-010); it is not to be changed.
    """
    if mailbox is None:
        return {}
    obj = reader.get_object(mailbox)
    if not isinstance(obj, Mailbox):
        raise InvalidTransition("WIT-008.1", f"{mailbox} is not a mailbox")
    return raw_of(obj.entries)


def mailbox_entries(reader: ObjectReader, mailbox: ObjectId | None) -> dict[ObjectId, ObjectId]:
    """The entries of the mailbox ``mailbox`` (empty when absent; WIT-008.1, WIT-009.1)."""
    trusted = ObjectId._trusted  # a valid mailbox's keys are text-form ids (OBJ-014)
    return {
        trusted(bytes.fromhex(actor)): trusted(message)
        for actor, message in mailbox_raw(reader, mailbox).items()
    }


def pending(
    reader: ObjectReader, outbox_entry: ObjectId | None, inbox_entry: ObjectId | None
) -> list[PendingMessage]:
    """The messages pending from a sender to a recipient, oldest first (WIT-005).

    Walks from the sender's outbox entry back through ``previous``, stopping
    before ``inbox_entry`` (the last message the recipient read from the sender)
    or after a message without ``previous`` — a signal or the first of a queue.
    """
    found: list[PendingMessage] = []
    current = outbox_entry
    while current is not None and current != inbox_entry:
        message = reader.get_object(current)
        if not isinstance(message, Message):
            raise InvalidTransition("WIT-005", f"{current} in a message chain is not a message")
        found.append(pending_message(current, message))
        current = message.previous
    found.reverse()
    return found


def routed(
    reader: ObjectReader,
    step: Step,
    last_step: Step | None,
    inboxes: Mapping[ObjectId, Mapping[ObjectId, ObjectId]],
) -> dict[ObjectId, list[PendingMessage]]:
    """The messages to route after ``step`` (WIT-010.1, WIT-010.2).

    For each recipient whose outbox entry ``step`` changed from ``last_step``,
    the messages pending from ``step.actor`` to it; ``inboxes`` gives each
    recipient's current inbox entries (absent: nothing read yet).
    """
    before = mailbox_entries(reader, None if last_step is None else last_step.outbox)
    after = mailbox_entries(reader, step.outbox)
    result: dict[ObjectId, list[PendingMessage]] = {}
    for recipient in sorted(after):
        if before.get(recipient) == after[recipient]:
            continue
        read = inboxes.get(recipient, {}).get(step.actor)
        result[recipient] = pending(reader, after[recipient], read)
    return result
