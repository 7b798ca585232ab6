"""Wrong adapter: an import resets the moved actor's inbox cursors (RUN-009.10).

The first transition of an actor after ``rt-import`` is computed as if its inbox were
empty, as an importer that rebuilds delivery state from scratch would: every message
of its senders' outboxes that it had read before the move is delivered again, once
(the step it then adopts moves the cursors to the end again).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _catchup, _transition
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.7", "RUN-009.10"}),
    "failed",
    "the first transition of an imported actor sees its inbox as empty: what it read "
    "before the move is delivered again",
)

_real_import = adapter_runtime.import_bundle
_real_pending = _catchup.CatchUp.pending
_real_drive = _transition.Transitions.drive
#: Actors imported whose first transition here has not run yet.
MOVED: set[Any] = set()


def import_bundle(store: Any, data: bytes, **options: Any) -> Any:
    actor, head = _real_import(store, data, **options)
    MOVED.add(actor)
    return actor, head


def pending(self: _catchup.CatchUp, actor: Any) -> Any:
    last_id, last, found = _real_pending(self, actor)
    if getattr(self, "_forget", None) == actor and last is not None:
        found = self._index.pending_for(self._cache, actor, {})  # the bug: cursors ignored
    return last_id, last, found


async def drive(
    self: _transition.Transitions, actor: Any, steps: Any, idle: Any = None, *, first: Any = None
) -> Any:
    # the transitions part drives, its routing part reads what is pending
    if actor in MOVED:
        MOVED.discard(actor)
        self._routing._forget = actor  # type: ignore[attr-defined]
    try:
        return await _real_drive(self, actor, steps, idle, first=first)
    finally:
        self._routing._forget = None  # type: ignore[attr-defined]


def install() -> None:
    patch(adapter_runtime, "import_bundle", import_bundle)
    patch(_catchup.CatchUp, "pending", pending)
    patch(_transition.Transitions, "drive", drive)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
