"""Wrong adapter: idleness is measured from when the actor became resident (RUN-012.3).

Using an actor moves it to the end of the least-recently-used order, but its
``used`` time keeps the moment it was made resident: capacity eviction still picks
the right actor, while the idle timeout evicts an actor used a moment ago because
it was created long before.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _events
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.3"}),
    "failed",
    "the idle timeout measures from when the actor became resident, not from its last "
    "use: an actor used a moment ago is evicted",
)


def use(self: _events.Residency, actor: Any, head: Any, step: Any, now: float) -> bool:
    resident = self._actors.get(actor)
    if resident is None:
        return False
    resident.head, resident.step = head, step  # the bug: ``used`` is not updated
    self._actors.move_to_end(actor)
    self._in_time_order = False
    return True


def install() -> None:
    patch(_events.Residency, "use", use)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
