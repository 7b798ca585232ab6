"""Wrong adapter: routing that meets an outbox whose ``base`` is no mailbox reads the
top of the chain and skips the rest, and the run goes on (OBJ-019.3).

OBJ-019.2 says such a reader "fails with ``invalid-object``"; an implementer who read
that as the broken sender's own trouble keeps the runtime running for everyone else:
the top's entries are routed, the base's are not, and ``rt-run`` answers ``ok``, where
the run fails with ``invalid-object`` while the head holds such a chain.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._errors import InvalidObject
from gritwit._ids import ObjectId
from gritwit._objects import Mailbox
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _index
from gritwit.wit._model import ObjectReader
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime", "store"),
    frozenset({"OBJ-019.3"}),
    "failed",
    "routing reads a broken outbox chain's top and skips its base: rt-run answers ok",
)

_mailbox_map = _index.mailbox_map


def _top_only(reader: ObjectReader, mailbox: ObjectId | None) -> Mapping[ObjectId, ObjectId]:
    try:
        return _mailbox_map(reader, mailbox)
    except InvalidObject:
        top = reader.get_object(mailbox) if mailbox is not None else None
        return top.entries if isinstance(top, Mailbox) else {}  # the bug: the run goes on


def install() -> None:
    patch(_index, "mailbox_map", _top_only)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
