"""Wrong adapter: a restore emits ``restored`` before ``restore-requested`` (RUN-014).

The two events of a restore are swapped: an observer sees an actor restored
before anyone asked for it.  Step ids are unaffected; only the events differ.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import RESTORE_REQUESTED, RESTORED, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-014.2"}),
    "failed",
    "emits restored before restore-requested for every restore",
)

_real_emit = _runtime.Runtime._emit


def swapped(self: _runtime.Runtime, kind: str, actor, reason=None) -> None:  # type: ignore[no-untyped-def]
    if kind == RESTORE_REQUESTED:
        self._held = (actor, reason)  # type: ignore[attr-defined]
        return
    _real_emit(self, kind, actor, reason)
    if kind == RESTORED and getattr(self, "_held", None) is not None:
        held_actor, held_reason = self._held  # type: ignore[attr-defined]
        self._held = None  # type: ignore[attr-defined]
        _real_emit(self, RESTORE_REQUESTED, held_actor, held_reason)


def install() -> None:
    patch(_runtime.Runtime, "_emit", swapped)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
