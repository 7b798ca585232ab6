"""Wrong adapter: a run starts from what its runtime knew after its last commit (RUN-020.7).

The runtime takes the routing index its last run left as the store's state now: a
later run (``rt-run``'s rounds, ADP-015) reads nothing of what other writers did
since, and answers quiescent on the work it knew of. A message another runtime
acknowledged before the run started stays pending until this runtime's index is
rebuilt (a restart), unless the actor's head moved too (a transition then catches up,
RUN-002.3), so a run that had nothing else to do answers quiescent with it pending.
Alone on its store the runtime is right: every swap since its last commit was its own.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _catchup
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-020.7"}),
    "failed",
    "a run starts from the routing index the last run left and reads nothing of what "
    "other writers did since: a message another runtime acknowledged before the run "
    "is not run by it",
    smoke=True,
)

_real_start_rounds = _catchup.CatchUp.start_rounds
#: id(routing part) of each runtime whose rounds started once (its index loaded).
_started: set[int] = set()


def start_rounds(self: _catchup.CatchUp) -> None:
    if id(self) in _started:  # the bug: what the last run left is taken as the store now
        if self._group.sends is not None:
            self._route_grouped_sends()
        return
    _started.add(id(self))
    _real_start_rounds(self)


def install() -> None:
    patch(_catchup.CatchUp, "start_rounds", start_rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
