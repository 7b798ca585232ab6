"""Wrong adapter: a restore emits ``restored`` before ``restore-requested`` (RUN-014).

The two events of a restore are swapped: an observer sees an actor restored
before anyone asked for it.  Step ids are unaffected; only the events differ.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import RESTORE_REQUESTED, RESTORED, _resident
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-014.2"}),
    "failed",
    "emits restored before restore-requested for every restore",
)

_real_emit = _resident.ResidentActors.emit
#: id(a runtime's residents) → its held restore-requested event: (actor, reason).
_held: dict[int, Any] = {}


def swapped(self: _resident.ResidentActors, kind: str, actor, reason=None) -> None:  # type: ignore[no-untyped-def]
    if kind == RESTORE_REQUESTED:
        _held[id(self)] = (actor, reason)
        return
    _real_emit(self, kind, actor, reason)
    if kind == RESTORED and _held.get(id(self)) is not None:
        held_actor, held_reason = _held.pop(id(self))
        _real_emit(self, RESTORE_REQUESTED, held_actor, held_reason)


def install() -> None:
    patch(_resident.ResidentActors, "emit", swapped)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
