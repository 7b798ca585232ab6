"""Which pending messages a sandboxed transition is handed: at most the input bound (SBX-010.5).

Every message handed goes into ``/input/transition.json`` as base64 (SBX-010.2), so the
host copies it at least three times (the blob, its base64, the JSON text) and the guest
reads it into its own memory.  Handing every pending message at once let what *others*
sent an actor exhaust the host and fail the actor (four messages of 16 MiB
took the host to 1.5 GB and marked the recipient failed).  So a transition is handed at
most :data:`INPUT_BYTES` of messages, each message's size judged from its data's length
and its headers before its data is encoded, and the rest stay pending for the next
transition, as a Wasm guest leaves unread what it did not mark (WASM-010): a flood is
handed over as many transitions as it needs.

A message whose own size passes the bound could never be handed whole: it is handed as
an *omitted* entry instead (SBX-010.6), small and typed, so that it neither blocks its
sender's later messages nor fails the recipient.

The order in which senders are offered rotates with the last step (SBX-010.5), so that one
sender's flood cannot hold another's messages back transition after transition.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from .._ids import ObjectId
from ..wit._model import ObjectReader, PendingMessage, get_blob

__all__ = ["INPUT_BYTES", "Handed", "entry_size", "handed", "omitted_json"]

#: The input bound: most bytes of ``messages`` objects one transition is handed (SBX-010.5).
#: The largest blob a message can carry (ENC-013: under 16 MiB of data) is 21⅓ MiB in
#: base64, so it fits with headers of up to about 2 MiB.
INPUT_BYTES: Final = 24 << 20
#: The class an omitted message is handed with (SBX-010.6).
OMITTED: Final = "too-large"
#: Strings longer than this are measured in pieces, so measuring copies at most this much.
_PIECE: Final = 1 << 20

#: A message as handed: its ``messages`` object (SBX-010.2).
Entry = dict[str, Any]
#: What builds a message's object (``_actor.message_json``, looked up at each call).
Build = Callable[[ObjectReader, ObjectId, PendingMessage], Entry]
#: The messages handed, in ``messages`` order, and how many of each sender's were handed.
Handed = tuple[tuple[Entry, ...], dict[ObjectId, int]]

# The bytes of a message's object but its headers and data: four keys, three ids.
_SKELETON: Final = len(
    json.dumps(
        {"content": "0" * 64, "data": "", "from": "0" * 64, "headers": {}, "id": "0" * 64},
        sort_keys=True,
        separators=(",", ":"),
    )
) - len('""{}')


def _text_size(text: str) -> int:
    """The bytes of ``text`` as a JSON string written as SBX-010.4 says, quotes included.

    ``json.dumps`` escapes as SBX-010.4 requires; a long text is measured in pieces of
    code points (a piece never splits a character, so the escapes add up).
    """
    if len(text) <= _PIECE:
        return len(json.dumps(text))
    return 2 + sum(
        len(json.dumps(text[at : at + _PIECE])) - 2 for at in range(0, len(text), _PIECE)
    )


def entry_size(headers: Mapping[str, str], data_bytes: int | None) -> int:
    """The bytes of a message's object in ``messages`` (SBX-010.2, SBX-010.4): its size.

    ``data_bytes`` is the length of the content's data, ``None`` when ``data`` is ``null``
    (a tree).  Computed without encoding the data: base64 of n bytes is 4·⌈n/3⌉ bytes.
    """
    size = _SKELETON + 2  # the headers' braces
    if headers:
        size += sum(_text_size(k) + 1 + _text_size(v) for k, v in headers.items())
        size += len(headers) - 1  # commas
    return size + (4 if data_bytes is None else 2 + 4 * ((data_bytes + 2) // 3))


def omitted_json(sender: ObjectId, item: PendingMessage, size: int) -> Entry:
    """The object an omitted message is handed as (SBX-010.6): ids, no headers, no data."""
    return {
        "id": item.id.hex(),
        "from": sender.hex(),
        "headers": {},
        "content": item.message.content.hex(),
        "data": None,
        "omitted": OMITTED,
        "size": size,
    }


def _size(reader: ObjectReader, item: PendingMessage) -> int:
    """A message's size (SBX-010.5), read before its data is encoded or copied further."""
    blob = get_blob(reader, item.message.content)
    return entry_size(item.message.headers, None if blob is None else len(blob.data))


def _rotated(senders: Sequence[ObjectId], start: ObjectId) -> list[ObjectId]:
    """``senders`` (ascending) from the first whose id is at least ``start``, wrapping."""
    at = next((i for i, s in enumerate(senders) if s >= start), 0)
    return [*senders[at:], *senders[:at]]


def handed(
    reader: ObjectReader,
    pending: Mapping[ObjectId, Sequence[PendingMessage]],
    start: ObjectId,
    build: Build,
    bound: int = INPUT_BYTES,
) -> Handed:
    """The messages a transition is handed, and each sender's count (SBX-010.5, SBX-010.6).

    In rounds: round k offers each sender's k-th pending message, the senders in
    ascending order of their ids' bytes from the first at least ``start`` (the last
    step's id; the actor's for a first transition), wrapping.  A message is handed when
    its size fits what ``bound`` still leaves; the first that does not ends its sender's
    part.  A message larger than ``bound`` on its own is handed as an omitted entry.
    The objects come out senders in id order, each sender's oldest first (SBX-010.2).
    """
    order = _rotated(sorted(pending), start)
    taken: dict[ObjectId, list[Entry]] = {sender: [] for sender in order}
    left = bound
    open_ = [s for s in order if pending[s]]
    k = 0
    while open_:
        still: list[ObjectId] = []
        for sender in open_:
            item = pending[sender][k]
            size = _size(reader, item)
            if size > bound:
                entry = omitted_json(sender, item, size)
                size = entry_size(entry["headers"], None) + _omitted_extra(size)
            elif size <= left:
                entry = build(reader, sender, item)
            else:
                continue  # its sender's part ends here
            if size > left:
                continue
            left -= size
            taken[sender].append(entry)
            if k + 1 < len(pending[sender]):
                still.append(sender)
        open_ = still
        k += 1
    messages = tuple(e for sender in sorted(taken) for e in taken[sender])
    return messages, {sender: len(es) for sender, es in taken.items() if es}


def _omitted_extra(size: int) -> int:
    """The bytes ``"omitted":"too-large","size":N`` and their commas add to an object."""
    return len(f',"omitted":"{OMITTED}","size":{size}')
