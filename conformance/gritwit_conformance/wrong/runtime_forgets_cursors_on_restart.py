"""Wrong adapter: after a restart, outboxes are routed again from their start (RUN-007.2).

A reopened runtime computes the first transition of each actor that already
had a step as if the actor's inbox were empty: every message it read before
the restart is delivered to it a second time (once: the step it then adopts
moves its cursors to the end again).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _catchup, _runtime, _transition
from gritwit.store._refs import head_actor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-007.2", "RUN-015.1", "RUN-015.2"}),
    "failed",
    "after a restart, the first transition of each actor sees every message of its "
    "senders' outboxes again, as if its inbox were empty: messages delivered twice",
    smoke=True,
)

_real_pending = _catchup.CatchUp.pending
_real_drive = _transition.Transitions.drive
_real_run_rounds = _runtime.Runtime.run_rounds


def pending(self: _catchup.CatchUp, actor):  # type: ignore[no-untyped-def]
    last_id, last, found = _real_pending(self, actor)
    if getattr(self, "_forget", None) == actor and last is not None:
        self._forget = None  # type: ignore[attr-defined]
        found = self._index.pending_for(self._cache, actor, {})  # the bug: cursors ignored
    return last_id, last, found


async def drive(self: _transition.Transitions, actor, steps, idle=None, *, first=None):  # type: ignore[no-untyped-def]
    # the transitions part drives, its routing part reads what is pending
    if actor in self._stale:  # type: ignore[attr-defined]
        self._stale.discard(actor)  # type: ignore[attr-defined]
        self._routing._forget = actor  # type: ignore[attr-defined]
    try:
        return await _real_drive(self, actor, steps, idle, first=first)
    finally:
        self._routing._forget = None  # type: ignore[attr-defined]


async def run_rounds(self: _runtime.Runtime, max_steps: int):  # type: ignore[no-untyped-def]
    parts = self._transitions  # the actors that had a step when the runtime opened
    if not hasattr(parts, "_stale"):
        names = self._store.list_refs("heads/")
        parts._stale = {a for a in map(head_actor, names) if a is not None}  # type: ignore[attr-defined]
    return await _real_run_rounds(self, max_steps)


def install() -> None:
    patch(_catchup.CatchUp, "pending", pending)
    patch(_transition.Transitions, "drive", drive)
    patch(_runtime.Runtime, "run_rounds", run_rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
