"""Wrong adapter: a committed group's steps are reported in actor order (RUN-017.1).

The group keeps its members keyed by actor id and reports them so: an actor's two
steps of one group come out together and ahead of actors adopted before them, so
``rt-run`` lists other steps, in another order, than per-step commits would.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _group
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-017.1"}),
    "failed",
    "a committed group's steps are reported in actor order, not adoption order",
)

_real = _group.CommitGroup.commit


def by_actor(self: _group.CommitGroup, store: Store, wake: bool = True) -> Any:
    adopted, lost, unsent = _real(self, store, wake)
    by_id = sorted(adopted, key=lambda m: m.actor.digest)  # the bug: actor order
    return _group.Committed(by_id, lost, unsent)


def install() -> None:
    patch(_group.CommitGroup, "commit", by_actor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
