"""Wrong adapter: a grouped send whose outbox swap lost is dropped (RUN-019.4).

With ``sends: "group"`` the group's commit swaps the outside's mailboxes its sends touched
(``names/outside-outbox/<h>``, RUN-003.4); when another
writer sent meanwhile, the swap loses, and this runtime takes the sends as committed
all the same instead of making them again from the winner's outbox: their messages are
never in the outside's chain, and their recipient never reads them.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _group
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-019.4"}),
    "failed",
    "with sends 'group', a group commit whose outbox swap lost to another writer takes "
    "the sends as committed: they are never made again, and their recipient never reads them",
)

_real_swap = _group._swap_outbox


def _swap_outbox(batch: Any, sends: Any) -> bool:
    _real_swap(batch, sends)
    return True  # the bug: a lost swap is not reported, so nothing is sent again


def install() -> None:
    patch(_group, "_swap_outbox", _swap_outbox)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
