"""Messages from the outside (WIT-003): chained sends through the outside's 16 mailboxes.

Shared by the reference executor and the runtime, so both chain outside messages
exactly alike (WIT-004) and retry a lost compare-and-swap from the winner (RUN-002).

The outside's outbox is split into 16 mailboxes, ``names/outside-outbox/<h>`` with
``<h>`` the recipient's digit (:func:`outside_ref`, RUN-003.4): the entry for a
recipient lives only in its digit's mailbox, so sends to recipients of different
digits swap different refs.  The old single ref ``names/outside-outbox`` is read,
never written: a recipient without an entry in its mailbox falls back to its entry
there (RUN-003.5).

What a send builds is not read back: the send returns the touched mailboxes'
entries as a :class:`SentOutbox`, which also names the mailboxes now at their refs
and holds the messages it added, so the runtime's routing index takes them as
committed state (RUN-001.4) without a read; and the next send chains from the
entries this process wrote last (:func:`outbox_entries`) when a ref still names them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from .._codec import Encoded, encode_map_with_id, encode_with_id
from .._errors import InvalidId, InvalidTransition, OutcomeUnknown, RefConflict
from .._ids import ObjectId
from .._maps import raw_of
from .._objects import GritObject, Mailbox, Message, _required_id, mailbox_with, make_headers
from ..store import Store, StoreBatch
from ..store._refs import OUTSIDE_OUTBOX_REF
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
    "commit_outside",
    "is_outside_ref",
    "outbox_entries",
    "outside_entries",
    "outside_ref",
    "outside_refs",
    "read_outside",
    "send_from_outside",
]

#: The outside's old single outbox ref (RUN-003.5): read as a fallback, never written; its
#: 16 mailboxes are ``<OUTSIDE_REF>/<h>`` (RUN-003.4, :func:`outside_ref`).
OUTSIDE_REF = OUTSIDE_OUTBOX_REF

_DIGITS = "0123456789abcdef"


def _mailbox_refs(base: str, digits: str) -> tuple[str, ...]:
    """The refs ``<base>/<digit>`` of the outside's mailboxes, one per digit (RUN-003.4)."""
    return tuple(f"{base}/{digit}" for digit in digits)


#: The 16 mailbox refs of the outside's, indexed by the recipient's digit (RUN-003.4): made
#: once, so that a send looks its ref up instead of formatting it.  The routing index
#: reads them (and ``_NAMES``) through this module, so that they live here only.
_REFS: tuple[str, ...] = _mailbox_refs(OUTSIDE_REF, _DIGITS)
#: Every ref of the outside's: its 16 mailboxes and its old ref (RUN-003.4, RUN-003.5).
_NAMES: frozenset[str] = frozenset((*_REFS, OUTSIDE_REF))

#: ``(recipient, content, headers, signal)``
OutsideSend = tuple[ObjectId, ObjectId, Mapping[str, str] | None, bool]


def outside_ref(recipient: ObjectId) -> str:
    """The ref of the outside's mailbox holding its entry for ``recipient`` (RUN-003.4):
    ``names/outside-outbox/<h>``, ``<h>`` the 16th hex digit of the recipient's text form
    (ID-003), the low 4 bits of its first 8 bytes read big-endian (RUN-021)."""
    return _REFS[recipient[0][7] & 15]  # recipient.digest, without the property's call


def outside_refs() -> tuple[str, ...]:
    """The 16 refs of the outside's mailboxes, in name order (RUN-003.4)."""
    return _REFS


def is_outside_ref(name: str) -> bool:
    """Whether ``name`` is one of the outside's mailboxes or its old ref (RUN-003.4, RUN-003.5)."""
    return name in _NAMES


def read_outside(
    store: Store, recipients: Iterable[ObjectId] | None = None
) -> dict[str, ObjectId | None]:
    """The targets of the outside's refs — its 16 mailboxes and its old ref — in one
    listing, the unset ones left out (RUN-003.4, RUN-003.5); or, given ``recipients``,
    only their mailboxes' refs (an unset one as ``None``), in one read where the store
    reads many refs at once (:meth:`~gritwit.store.Store.get_refs`)."""
    if recipients is None:
        listed = store.list_ref_targets(OUTSIDE_REF)
        return {name: target for name, target in listed if is_outside_ref(name)}
    names: list[str] = []
    for r in recipients:  # a loop: no comprehension's function made each send
        if type(r) is ObjectId:
            name = _REFS[r[0][7] & 15]  # outside_ref(r), without its call
            if name not in names:
                names.append(name)
    if len(names) == 1:  # the usual send: one recipient, one ref
        name = names[0]
        return {name: store.get_ref(name)}
    names.sort()
    found = store.get_refs(names) if len(names) > 1 else None
    read: dict[str, ObjectId | None] = {}
    for name in names:
        read[name] = store.get_ref(name) if found is None else found.get(name)
    return read


def _read_unseen(
    store: Store, recipients: Iterable[ObjectId], seen: Callable[[str], ObjectId | None]
) -> dict[str, ObjectId | None]:
    """:func:`read_outside` of ``recipients``, a ref ``seen`` names a mailbox for taken
    from it rather than read (RUN-020.1): one read, or none, for the rest."""
    known: dict[str, ObjectId | None] = {}
    unseen: list[ObjectId] = []
    for r in recipients:  # a loop: no comprehension's function made each send
        if type(r) is ObjectId:
            name = _REFS[r[0][7] & 15]  # outside_ref(r), without its call
            box = seen(name)
            if box is None:
                unseen.append(r)
            else:
                known[name] = box
    if unseen:
        known.update(read_outside(store, unseen))
    return known


class SentOutbox(dict[ObjectId, ObjectId]):
    """The entries of the outside's mailboxes a send touched, with what it built (WIT-003).

    A plain ``dict`` of those mailboxes' entries (recipient → last message), plus
    ``parts``: each touched mailbox's ref → its entries; ``boxes``: each touched
    mailbox's ref → the id of the mailbox the send swapped in (RUN-003.4); and
    ``messages``: the messages it added, by id.  All were stored before the swaps,
    so they are committed state (RUN-001.4).  The entries of ``parts`` are not to be
    changed: the routing index keeps them as they are.
    """

    __slots__ = ("boxes", "messages", "parts")

    def __init__(
        self,
        parts: Mapping[str, Mapping[ObjectId, ObjectId]],
        boxes: Mapping[str, ObjectId],
        messages: Mapping[ObjectId, Message],
    ) -> None:
        super().__init__()
        copies: dict[str, dict[ObjectId, ObjectId]] = {}
        for ref, part in parts.items():  # a loop: no comprehension's function made each time
            self.update(part)
            copies[ref] = dict(part)
        self.parts = copies
        self.boxes = dict(boxes)
        self.messages = dict(messages)


def _sent_outbox(
    parts: dict[str, dict[ObjectId, ObjectId]],
    boxes: dict[str, ObjectId],
    messages: dict[ObjectId, Message],
) -> SentOutbox:
    """A :class:`SentOutbox` that takes ``parts``, ``boxes`` and ``messages`` as they are,
    not copied: for :func:`build_outside_send`, whose own they are and which keeps none."""
    sent = dict.__new__(SentOutbox)
    for part in parts.values():
        sent.update(part)
    sent.parts = parts
    sent.boxes = boxes
    sent.messages = messages
    return sent


#: The outside mailboxes this process wrote last, by mailbox id → the mailbox and its
#: entries.  An id names one mailbox (ID-001), so while a ref holds that id these are its
#: entries, in any store; a miss (another writer moved the ref) reads the store.
_WRITTEN: dict[ObjectId, tuple[Mailbox, dict[ObjectId, ObjectId]]] = {}
#: Most mailboxes remembered: one per ref of the outside's, and as many again.
_WRITTEN_KEPT = 32


def outbox_entries(reader: ObjectReader, box: ObjectId | None) -> dict[ObjectId, ObjectId]:
    """The entries of the outside's mailbox ``box`` (WIT-009.1): not read back if this
    process wrote it lately."""
    known = None if box is None else _WRITTEN.get(box)
    return dict(known[1]) if known is not None else mailbox_entries(reader, box)


def outside_entries(
    reader: ObjectReader, refs: Mapping[str, ObjectId | None]
) -> dict[ObjectId, ObjectId]:
    """The outside's outbox entry for each recipient, from the targets ``refs`` of its refs
    (:func:`read_outside`): the recipient's mailbox's, else the old ref's (RUN-003.5)."""
    old = refs.get(OUTSIDE_REF)
    entries = {} if old is None else outbox_entries(reader, old)
    for name, box in sorted(refs.items()):
        if name != OUTSIDE_REF:
            entries.update(
                {r: m for r, m in outbox_entries(reader, box).items() if outside_ref(r) == name}
            )
    return entries


def _outbox(
    reader: ObjectReader, box: ObjectId | None
) -> tuple[Mapping[str, bytes], dict[ObjectId, ObjectId]]:
    """The outside's mailbox ``box`` as stored (raw) and as ids, a copy to change (WIT-009.1)."""
    known = None if box is None else _WRITTEN.get(box)
    if known is not None:
        return raw_of(known[0].entries), dict(known[1])
    raw = mailbox_raw(reader, box)
    trusted = ObjectId._trusted  # a valid mailbox's keys are text-form ids (OBJ-014)
    return raw, {trusted(bytes.fromhex(key)): trusted(message) for key, message in raw.items()}


def _remember(box: ObjectId, mailbox: Mailbox, entries: dict[ObjectId, ObjectId]) -> None:
    """Remember the mailbox ``box`` this process wrote and its ``entries``, kept as they
    are: no one changes them afterwards (those who change entries take a copy)."""
    if len(_WRITTEN) >= _WRITTEN_KEPT:
        del _WRITTEN[next(iter(_WRITTEN))]  # the oldest first
    _WRITTEN[box] = (mailbox, entries)


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
    """A send from the outside built on the outside's mailboxes, not yet stored
    (:func:`build_outside_send`).

    ``sent``: the message ids; ``encodings``: the given objects, the messages and the
    new mailboxes, in the order they are stored; ``given``: the given objects, as
    passed; ``boxes``: each touched mailbox's ref → the new mailbox's id and the
    mailbox, in ref name order (empty when nothing was sent); ``entries``: the touched
    mailboxes' entries, with the messages the send added.
    """

    sent: list[ObjectId]
    encodings: list[Encoded]
    given: list[GritObject]
    boxes: dict[str, tuple[ObjectId, Mailbox]]
    entries: SentOutbox


#: :class:`OutsideBuild` from a tuple, without the named tuple's Python ``__new__``: the
#: send is on the hot path of every outside message.
_outside_build = functools.partial(tuple.__new__, OutsideBuild)


def built_objects(built: OutsideBuild) -> dict[ObjectId, GritObject]:
    """Every object of ``built`` by id, in the order of its encodings: what a grouped send
    serves from memory until the group stores it (RUN-019.2)."""
    objects: list[GritObject] = [*built.given, *built.entries.messages.values()]
    for _, mailbox in built.boxes.values():  # loops: no comprehension's function made
        objects.append(mailbox)
    by_id = {}
    for i, encoding in enumerate(built.encodings):  # as many as objects; no zip's keywords
        by_id[encoding[1]] = objects[i]
    return by_id


def build_outside_send(
    reader: ObjectReader,
    old: Mapping[str, ObjectId | None],
    sends: list[OutsideSend],
    given: list[GritObject],
    old_ref: Callable[[], ObjectId | None] | None = None,
) -> OutsideBuild:
    """Build ``sends`` in order on the outside's mailboxes ``old``, storing nothing (WIT-003).

    ``old`` maps the outside's refs to their targets (:func:`read_outside`; a ref
    missing is unset).  Each message chains from its recipient's entry in the
    recipient's mailbox, else in the old ref's (RUN-003.5): its target from ``old``
    where it is there, else from ``old_ref()``, asked only for a recipient whose
    mailbox has no entry for it.  Every content must be
    readable through ``reader`` or among ``given`` (WIT-003).  Each message is
    validated as built (OBJ-005, OBJ-006); a mailbox is built from the entries it
    had and the messages' ids, not validated again.
    """
    encodings: list[Encoded] = []
    ids: set[ObjectId] = set()
    for obj in given:  # loops: no comprehension's function made each send
        encoding = encode_with_id(obj)
        encodings.append(encoding)
        ids.add(encoding[1])
    for _, content, _, _ in sends:
        if content not in ids and not reader.has(content):
            raise InvalidTransition("WIT-003", f"content {content} is not stored")
    # each touched mailbox's ref → its raw entries, its entries, and what the sends add
    parts: dict[
        str, tuple[Mapping[str, bytes], dict[ObjectId, ObjectId], dict[ObjectId, ObjectId]]
    ] = {}
    legacy: dict[ObjectId, ObjectId] | None = None
    messages: dict[ObjectId, Message] = {}
    sent = []
    for recipient, content, headers, signal in sends:
        if type(recipient) is not ObjectId:
            raise InvalidId("OBJ-014", "mailbox keys must be ObjectIds")
        ref = _REFS[recipient[0][7] & 15]  # outside_ref(recipient), without its call
        part = parts.get(ref)
        if part is None:
            raw, known = _outbox(reader, old.get(ref))
            part = parts[ref] = (raw, known, {})
        mine = part[2]
        previous = None
        if not signal:
            previous = mine.get(recipient, part[1].get(recipient))
            if previous is None:  # RUN-003.5: the old ref's entry, if any
                if legacy is None:
                    was = old.get(OUTSIDE_REF)
                    if OUTSIDE_REF not in old and old_ref is not None:
                        was = old_ref()
                    legacy = outbox_entries(reader, was)
                previous = legacy.get(recipient)
        # Message(content=…, previous=…, headers=…)'s checks, the caller's parts only: a
        # previous message is an id this function found (OBJ-005, OBJ-006, OBJ-012)
        _required_id(content, "message content")
        message, value = _message(content, previous, make_headers(headers))
        encoding = encode_map_with_id(value)
        encodings.append(encoding)
        messages[encoding[1]] = message
        mine[recipient] = encoding[1]
        sent.append(encoding[1])
    boxes: dict[str, tuple[ObjectId, Mailbox]] = {}
    entries: dict[str, dict[ObjectId, ObjectId]] = {}
    ids_now: dict[str, ObjectId] = {}
    for ref in parts if len(parts) == 1 else sorted(parts):
        base, known, mine = parts[ref]
        known.update(mine)
        mailbox = mailbox_with(base, _raw_changes(mine))  # one mailbox, no base (RUN-003.4)
        if mailbox is None:  # pragma: no cover - a touched mailbox has the entry it got
            continue
        box = encode_map_with_id(_mailbox_map(mailbox))  # built from valid raw entries
        encodings.append(box)
        _remember(box[1], mailbox, known)  # the next send chains from it, stored or not
        boxes[ref] = (box[1], mailbox)
        entries[ref] = known  # a copy of its own (_outbox), not changed from here on
        ids_now[ref] = box[1]
    return _outside_build((sent, encodings, given, boxes, _sent_outbox(entries, ids_now, messages)))


def commit_outside(
    store: Store,
    encodings: list[Encoded],
    old: Mapping[str, ObjectId | None],
    boxes: Mapping[str, tuple[ObjectId, Mailbox]],
) -> None:
    """Store ``encodings`` and swap each of the outside's mailboxes of ``boxes`` from its
    target in ``old`` (RUN-003.4), all in one commit or none (RUN-017.2).

    One mailbox: one :meth:`~gritwit.store.Store.put_encoded_then_cas`.  Several: one
    :meth:`~gritwit.store.Store.commit_all` where the store can, else a batch swapping
    them in name order; a swap that loses undoes the ones made before it in the batch
    and raises :class:`~gritwit.RefConflict` (RUN-002.4).
    """
    if len(boxes) == 1:
        ((ref, (box, mailbox)),) = boxes.items()
        store.put_encoded_then_cas(encodings, ref, old.get(ref), box, target=mailbox)
        return
    swaps = [(ref, old.get(ref), box, mailbox) for ref, (box, mailbox) in sorted(boxes.items())]
    if store.commit_all(encodings, swaps):
        return
    with store.batch() as batch:
        batch.put_encoded(encodings)
        swap_all(batch, swaps)


def swap_all(
    batch: StoreBatch, swaps: Sequence[tuple[str, ObjectId | None, ObjectId, GritObject]]
) -> None:
    """Make every swap of ``swaps`` in ``batch``, in order; when one loses, set back those
    made before it and raise its :class:`~gritwit.RefConflict` (RUN-002.4, RUN-019.4)."""
    made: list[tuple[str, ObjectId | None, ObjectId]] = []
    for name, expected, new, target in swaps:
        try:
            batch.cas_ref(name, expected, new, target=target)
        except RefConflict:
            for ref, was, now in reversed(made):  # in the batch: no one saw them
                batch.cas_ref(ref, now, was)
            raise
        made.append((name, expected, new))


def send_from_outside(
    store: Store,
    batch: Iterable[OutsideSend],
    objects: Iterable[GritObject] = (),
    seen: Callable[[str], ObjectId | None] | None = None,
) -> tuple[list[ObjectId], SentOutbox, int]:
    """Store ``objects``, then send ``batch`` in order with one swap of each of the
    outside's mailboxes it touches (RUN-003.4), in one commit.

    The outside is the pseudo-actor of WIT-003; its messages chain like any sender's
    (WIT-004), built by :func:`build_outside_send`, then stored and swapped in one
    commit (RUN-001.1, RUN-002.4: a lost swap is made again from the winner's mailbox).

    Returns the message ids, the touched mailboxes' new entries (a :class:`SentOutbox`)
    and how many commits were lost to another writer (and retried from its mailboxes).
    ``seen``: the mailbox the caller last saw at one of the outside's refs (``None``:
    not seen), a hint (RUN-020.1): the first attempt builds on it where it has one and
    reads only the other refs; a commit that loses reads them all again.
    """
    sends = list(batch)
    given = list(objects)
    conflicts = 0
    while True:
        recipients = [recipient for recipient, _, _, _ in sends]
        if seen is not None and conflicts == 0:
            old = _read_unseen(store, recipients, seen)
        else:
            old = read_outside(store, recipients)
        sent, encodings, _, boxes, entries = build_outside_send(
            store, old, sends, given, functools.partial(store.get_ref, OUTSIDE_REF)
        )
        if not boxes:
            store.put_encoded(encodings)
            return sent, entries, conflicts
        try:  # the objects, the messages and the mailboxes first, then the refs: one commit
            commit_outside(store, encodings, old, boxes)
        except RefConflict:
            conflicts += 1
            continue
        except OutcomeUnknown as exc:  # name the messages, for the caller to settle (RUN-019.6)
            exc.messages = tuple(sent)
            raise
        return sent, entries, conflicts
