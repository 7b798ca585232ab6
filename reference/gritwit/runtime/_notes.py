"""The journal parts a runtime's commit notes, and the parts a share reads (RUN-020.7, RUN-021).

A store that journals *notes* (PostgreSQL: :mod:`gritwit.store._pg_notes`) repeats a
head's swap in the journal part of each recipient whose outbox entry the step changed,
so that a runtime of a share reads its own parts only.  The writer says which parts:
:func:`outbox_parts` gives them from what the transition built — the top of its outbox
chain holds every entry the step changed (WIT-009.5), and a step that kept its outbox
changed none; an outbox of one mailbox, rebuilt whole, is compared with the last one —
or ``None`` when it cannot tell (a mailbox rebuilt over a chain, or an outbox its maker
did not name): the store then notes every part, as it does for
any write a runtime does not describe (a revert, a clear, a fork, an import, an
erasure).

:func:`share_parts` is what a runtime reads: the parts ``p`` with ``p % n == k`` for a
share ``k/n`` with ``n`` dividing 16 (the 16th hex digit of an actor's id is its part,
and its first 8 bytes modulo such an ``n`` are that digit modulo ``n``, RUN-021), or
every part (``None``): without a share, with another ``n``, or once the runtime knows
an actor placed by key in its share whose id is in another share's parts (RUN-021.6):
notes follow ids, so such an actor's senders are followed by reading every part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Mailbox, Step
from ..store import JOURNAL_PARTS as PARTS
from ..wit import ObjectReader
from ..wit._assemble import Assembled
from ._share import Share

__all__ = ["outbox_parts", "share_parts", "said_for"]

_NONE: Final[frozenset[int]] = frozenset()


def part(actor: ObjectId) -> int:
    """The journal part of ``actor``'s refs: its id's 16th hex digit."""
    return actor[0][7] & 15


def outbox_parts(
    built: Assembled, last: Step | None, reader: ObjectReader
) -> frozenset[int] | None:
    """The parts of the recipients whose outbox entry ``built`` changed over ``last``
    (``None``: it cannot tell, every part is noted).  A chain's new top holds exactly the
    entries its step changed (WIT-009.5); an outbox of one mailbox, as a small outbox is
    rebuilt whole, is compared with the last one (through ``reader``, which the
    transition read it through, so it is held)."""
    outbox = built.outbox
    before = None if last is None else last.outbox
    if outbox is None:
        return _NONE if built.step.outbox == before else None
    if outbox.base is not None or before is None:
        return frozenset(part(recipient) for recipient in outbox.entries)
    old = reader.get_object(before)
    if type(old) is not Mailbox or old.base is not None:  # rebuilt over a chain: unknown
        return None
    was, now = raw_of(old.entries), raw_of(outbox.entries)
    changed = {key for key, message in now.items() if was.get(key) != message}
    changed.update(key for key in was if key not in now)
    return frozenset(int(key[15], 16) for key in changed)


def merge(held: frozenset[int] | None, more: frozenset[int] | None) -> frozenset[int] | None:
    """The parts of two steps of one actor committed as one swap (``None`` absorbs)."""
    if held is None or more is None:
        return None
    return held | more


def said_for(
    swaps: Iterable[tuple[str, ObjectId | None, ObjectId]],
    parts: Mapping[ObjectId, frozenset[int] | None],
) -> dict[str, tuple[ObjectId | None, frozenset[int]]]:
    """What a commit of ``swaps`` (name, expected, new step) says it notes: each swap
    whose new step ``parts`` knows the parts of (:func:`outbox_parts`)."""
    said: dict[str, tuple[ObjectId | None, frozenset[int]]] = {}
    for name, _, new in swaps:
        known = parts.get(new)
        if known is not None:
            said[name] = (new, known)
    return said


def share_parts(share: Share | None, placed: Mapping[ObjectId, ObjectId]) -> frozenset[int] | None:
    """The journal parts a runtime of ``share`` reads (``None``: every part), knowing the
    placement keys ``placed`` (actor → key, RUN-021.6)."""
    if share is None or PARTS % share.n:
        return None
    n, k = share.n, share.k
    for actor, key in placed.items():
        if part(key) % n == k and part(actor) % n != k:
            return None  # placed here from another share's parts: read them all
    return frozenset(p for p in range(PARTS) if p % n == k)
