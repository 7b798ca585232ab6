"""Wrong adapter: of several ids of the wrong kind, ``rt-import`` reports the first met in
OBJ-020.1's order of fields, a step's before its outbox's ``base`` (OBJ-020.2), as a
walk from the head meets them, where the refusal reports the one naming the first object
in id order: a bundle whose inbox and whose outbox's base both name blobs is refused
naming the inbox (OBJ-020.2) even when the base's blob has the lower id (OBJ-019.2).
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._errors import InvalidObject
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _bundle, _kinds
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"OBJ-020.2"}),
    "failed",
    "rt-import's refusal of two wrong-kind ids names the first field in walk order, "
    "not the first named object in id order",
)


def _walk_order(found: Mapping[ObjectId, GritObject | None]) -> None:
    wrong = _kinds.wrong_kinds(found, _kinds.KIND_RULES)
    if wrong:  # the bug: by field, not by the named id
        first = min(wrong, key=lambda w: _kinds.KIND_RULES.index(w.rule))
        raise InvalidObject(first.rule.requirement, first.detail)


def install() -> None:
    patch(_bundle, "check_kinds", _walk_order)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
