"""Wrong adapter: a transition sees only the oldest pending message of each sender (RUN-006.2).

Instead of everything pending when it starts, each transition is handed one
message per sender; the rest wait for later transitions.  Every count still
comes out right, but the steps (and so their ids) are not the reference
executor's under the same schedule.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _catchup
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-006.2", "RUN-006.3"}),
    "failed",
    "hands each transition only the oldest pending message of each sender instead of "
    "everything pending when it starts: counts agree, step ids do not",
    smoke=True,
)

_real_pending = _catchup.CatchUp.pending


def pending(self: _catchup.CatchUp, actor):  # type: ignore[no-untyped-def]
    last_id, last, found = _real_pending(self, actor)
    return last_id, last, {sender: items[:1] for sender, items in found.items()}


def install() -> None:
    patch(_catchup.CatchUp, "pending", pending)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
