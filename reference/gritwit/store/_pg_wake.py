"""Wake-ups that carry what moved (RUN-020.8, RUN-020.9): the payload of a PostgreSQL
store's notification, and how a receiver chains payloads onto its last journal read.

A writer's wake-up (:mod:`._pg_commit`) names, for each part of the refs its commit
swapped (DUR-005.5), the part's version before and after the commit and the swaps
journaled there between, in their order: exactly the rows a journal read after the
version before would find (:mod:`._pg_ahead`).  The server fills in the versions, in
the commit's transaction, which holds the parts' rows (a session setting,
``gritwit.wake``, that the wake-up statement after the ``COMMIT`` sends); the client
writes the rest (:func:`bodies`).  The text, ASCII since ref names are (REF-001)::

    gw1
    p <part> <before> <after>
    <name> <new target's hex, or - when deleted>[ <its outbox's hex>]
    ...
    o <an object's bytes in base64>
    ...

The outbox, where the writer stored the new target (a step) in the same commit, is a
hint: the receiver reads the steps and their outboxes in one read (what a journal read
brings along, :mod:`._pg_ahead`), and a wrong hint costs a few bytes, never an answer.
So are the objects (``o`` lines, :func:`carryable`): the steps, mailboxes and messages
the commit stored, as many as fit, which the receiver then need not read at all; only
objects never erased are carried (RUN-011.6), and the store re-hashes what it serves.

A payload PostgreSQL would refuse (:data:`LIMIT` bytes or more) is not made: the
wake-up is then empty, as a batch's is, and an empty or unreadable payload tells a
receiver to read the journal (RUN-020.9).  A receiver chains what it gathered onto the
version it last read (:func:`chain`): per part, segments from exactly that version on,
one after another; a segment already read is skipped (its own commits' wake-ups, read
along with each commit, RUN-020.7), and any gap — a wake-up lost with its writer, or
still on its way — answers ``None``: read the journal.  Nothing is read twice, since a
segment is the rows of one commit, which a journal read's snapshot holds all or none of.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .._ids import ObjectId
from ._pg_ahead import keepable

__all__ = [
    "HEADER",
    "LIMIT",
    "QUIET",
    "Segment",
    "bodies",
    "carryable",
    "chain",
    "decode",
    "outbox_of",
    "positions",
]

#: The first line of a payload of this form (a later form names another).
HEADER: Final = "gw1"
#: The first line of a *quiet* payload: its commit made work for no other runtime (a
#: run's group commit whose new messages are all for its own share, RUN-020.6), so it
#: wakes no one, but tells receivers what moved, so that their chains have no gap.
QUIET: Final = "gw1q"
#: PostgreSQL refuses a payload of 8000 bytes or more (its ``NOTIFY`` limit, less one).
LIMIT: Final = 7999
#: The most a part's line adds: ``\np `` and three numbers of at most 20 digits.
_PART_LINE: Final = 3 + 3 * 21
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,254}")
_HEX: Final = re.compile(r"[0-9a-f]{64}")
_NUMBER: Final = re.compile(r"0|[1-9][0-9]{0,18}")
#: ``outbox`` as a canonical CBOR text string, then the head of a 32-byte byte string.
_OUTBOX_KEY: Final = b"\x66outbox\x58\x20"


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """The swaps one commit journaled in one part: its version went ``before`` → ``after``."""

    part: int
    before: int
    after: int
    swaps: tuple[tuple[str, ObjectId | None], ...]
    #: The outboxes the writer named beside its new targets (hints, in no order).
    outboxes: tuple[ObjectId, ...] = ()
    #: From a quiet payload: no work for other runtimes, it wakes no one.
    quiet: bool = False
    #: The objects the payload carried (on its first segment only; hints).
    objects: tuple[bytes, ...] = ()


def carryable(data: bytes) -> bool:
    """Whether a wake-up may carry ``data``: a step, a mailbox or a message, by its first
    bytes (never erased, RUN-011.6; :func:`._pg_ahead.keepable`)."""
    return keepable(data)


def outbox_of(data: bytes) -> ObjectId | None:
    """The id after the first ``outbox`` key in ``data`` (a step's outbox, a hint)."""
    at = data.find(_OUTBOX_KEY)
    if at < 0 or len(data) < at + len(_OUTBOX_KEY) + 32:
        return None
    start = at + len(_OUTBOX_KEY)
    return ObjectId(data[start : start + 32])


def bodies(
    swaps: Sequence[tuple[bytes, ObjectId | None, int]],
    outboxes: dict[bytes, ObjectId],
    carry: Iterable[bytes] = (),
) -> tuple[dict[int, str], str] | None:
    """The lines of each part's swaps (``swaps``: name, new target, part, in the commit's
    order; ``outboxes``: a new target's outbox, by its digest), what the server puts after
    that part's line, and the lines of as many objects of ``carry`` as fit after them;
    ``None`` when the swaps alone could reach :data:`LIMIT` bytes (the wake-up is then
    empty, RUN-020.8)."""
    lines: dict[int, list[str]] = {}
    for name, new, part in swaps:
        target = "-" if new is None else new.digest.hex()
        outbox = None if new is None else outboxes.get(new.digest)
        more = "" if outbox is None else " " + outbox.digest.hex()
        lines.setdefault(part, []).append(f"\n{name.decode('ascii')} {target}{more}")
    made = {part: "".join(text) for part, text in lines.items()}
    size = len(QUIET) + sum(_PART_LINE + len(text) for text in made.values())
    if size >= LIMIT:
        return None
    tail = []
    for data in carry:
        length = 3 + 4 * ((len(data) + 2) // 3)  # "\no " and the base64, before encoding
        if size + length < LIMIT:  # (a group commit stores far more than fits)
            tail.append("\no " + base64.b64encode(data).decode("ascii"))
            size += length
        elif LIMIT - size < 80:
            break  # no object fits in what is left
    return made, "".join(tail)


def positions(payload: str, parts: int) -> tuple[bool, list[tuple[int, int]]] | None:
    """Whether ``payload`` is quiet, and each part it names with its version after, read
    from its part lines alone (what a waiter needs to tell news, :func:`decode` left for
    the catch-up); ``None`` when it is not of this form or a part line is malformed."""
    head, _, rest = payload.partition("\n")
    if head not in (HEADER, QUIET):
        return None
    found = []
    for line in rest.split("\n") if rest else ():
        if line[:2] == "p ":
            fields = line.split(" ")
            if len(fields) != 4 or not all(_NUMBER.fullmatch(n) for n in fields[1:]):
                return None
            if int(fields[1]) >= parts:
                return None
            found.append((int(fields[1]), int(fields[3])))
    return head == QUIET, found


def decode(payload: str, parts: int) -> tuple[Segment, ...] | None:
    """The segments of ``payload``, or ``None`` when it tells nothing readable: empty (a
    writer that did not say what moved), another form, or malformed (RUN-020.9).  A part
    must be below ``parts``, each segment must hold as many swaps as its versions moved."""
    lines = payload.split("\n")
    if lines[0] not in (HEADER, QUIET):
        return None
    quiet = lines[0] == QUIET
    segments: list[Segment] = []
    objects: list[bytes] = []
    at = 1
    while at < len(lines):
        if lines[at].startswith("o "):  # the objects carried, after every part's lines
            try:
                objects.append(base64.b64decode(lines[at][2:], validate=True))
            except binascii.Error:
                return None
            at += 1
            continue
        if objects:
            return None
        head = lines[at].split(" ")
        if len(head) != 4 or head[0] != "p" or not all(_NUMBER.fullmatch(n) for n in head[1:]):
            return None
        part, before, after = (int(n) for n in head[1:])
        if part >= parts or after <= before:
            return None
        body = lines[at + 1 : at + 1 + after - before]
        if len(body) != after - before:
            return None
        swaps = []
        outboxes: list[ObjectId] = []
        for line in body:
            name, target, *more = line.split(" ")
            if not _NAME.fullmatch(name) or not (target == "-" or _HEX.fullmatch(target)):
                return None
            if more and (len(more) > 1 or not _HEX.fullmatch(more[0])):
                return None
            swaps.append((name, None if target == "-" else ObjectId.from_hex(target)))
            outboxes += (ObjectId.from_hex(hint) for hint in more)
        segments.append(
            Segment(
                part=part,
                before=before,
                after=after,
                swaps=tuple(swaps),
                outboxes=tuple(outboxes),
                quiet=quiet,
            )
        )
        at += 1 + len(body)
    if objects and segments:
        segments[0] = dataclasses.replace(segments[0], objects=tuple(objects))
    return tuple(segments)


def chain(
    version: Sequence[int], segments: Iterable[Segment]
) -> tuple[tuple[int, ...], list[tuple[str, ObjectId | None]]] | None:
    """What ``segments`` tell a reader at ``version`` (a version per part): the version
    they bring it to and the swaps since, part after part, each part's in order, as a
    journal read answers (:mod:`._pg_ahead`); ``None`` at a gap, or a segment that
    overlaps what was read without being within it (never, from a writer that keeps
    :mod:`._pg_commit`'s order): the reader reads the journal (RUN-020.9)."""
    now = list(version)
    by_part: dict[int, list[Segment]] = {}
    for segment in segments:
        if segment.part >= len(now):
            return None
        by_part.setdefault(segment.part, []).append(segment)
    swaps: list[tuple[str, ObjectId | None]] = []
    for part in sorted(by_part):
        for segment in sorted(by_part[part], key=lambda s: s.before):
            if segment.after <= now[part]:
                continue  # read already (this process's own commit, a repeat)
            if segment.before != now[part]:  # a gap, or within what was read: read the journal
                return None
            swaps.extend(segment.swaps)
            now[part] = segment.after
    return tuple(now), swaps
