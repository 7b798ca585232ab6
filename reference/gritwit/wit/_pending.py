"""Which messages are pending, found by walking chains (WIT-004, WIT-005, WIT-010.1).

Nothing here stores anything: the sender's outbox entry and the recipient's
inbox entry, both parts of committed steps, determine exactly what is unread.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._errors import InvalidTransition
from .._ids import ObjectId
from .._maps import MailboxEntries, raw_of
from .._objects import Mailbox, Message, Step
from ._model import ObjectReader, PendingMessage, pending_message
from ._outbox import read_chain, top_changes

__all__ = ["mailbox_entries", "mailbox_map", "mailbox_raw", "pending", "routed"]


def mailbox_raw(reader: ObjectReader, mailbox: ObjectId | None) -> Mapping[str, bytes]:
    """The map of the mailbox ``mailbox`` (OBJ-019.1) as stored: text-form actor id →
    message digest.

    Empty when absent (WIT-008.1, WIT-009.1).  A mailbox without ``base`` (every inbox,
    every outbox of at most 256 recipients) is its own entries, valid (OBJ-013, OBJ-014)
    and in canonical order (ENC-010), not copied: not to be changed.  One with ``base``
    is its chain's map, made once per call (WIT-009.5).
    """
    if mailbox is None:
        return {}
    obj = reader.get_object(mailbox)
    if type(obj) is Mailbox and obj.base is None:  # without isinstance's call: the usual
        return raw_of(obj.entries)
    if not isinstance(obj, Mailbox):
        raise InvalidTransition("WIT-008.1", f"{mailbox} is not a mailbox")
    return read_chain(reader, mailbox).map()


def mailbox_map(reader: ObjectReader, mailbox: ObjectId | None) -> Mapping[ObjectId, ObjectId]:
    """The map of the mailbox ``mailbox`` (OBJ-019.1) as a read-only mapping, not copied
    when it has no ``base``: the mailbox's own entries (empty when absent)."""
    if mailbox is None:
        return {}
    obj = reader.get_object(mailbox)
    if isinstance(obj, Mailbox) and obj.base is None:
        return obj.entries
    return MailboxEntries._trusted(dict(mailbox_raw(reader, mailbox)))


def mailbox_entries(reader: ObjectReader, mailbox: ObjectId | None) -> dict[ObjectId, ObjectId]:
    """The map of the mailbox ``mailbox`` (OBJ-019.1), following ``base`` (empty when
    absent; WIT-008.1, WIT-009.1)."""
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
    after_chain = read_chain(reader, step.outbox)
    before_chain = read_chain(reader, None if last_step is None else last_step.outbox)
    top = top_changes(after_chain, before_chain)  # WIT-009.5: only the top can have changed
    after = after_chain.map() if top is None else top
    result: dict[ObjectId, list[PendingMessage]] = {}
    for key in sorted(after):
        message = after[key]
        if before_chain.get(key) == message:
            continue
        recipient = ObjectId._trusted(bytes.fromhex(key))
        read = inboxes.get(recipient, {}).get(step.actor)
        result[recipient] = pending(reader, ObjectId._trusted(message), read)
    return result
