"""Wrong adapter: a run halts on its steps' encoded bytes, not on what they add (RUN-023.3).

In group mode the open group's encoded bytes — held objects included — are taken for what
the run added: a run whose steps write again what the store holds stops before its bytes
reach ``max_run_bytes``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-023.3"}),
    "failed",
    "in group mode a run halts once its open group's encoded bytes, held objects "
    "included, reach max_run_bytes: a run whose steps write again what is stored stops "
    "before its bytes reach the bound",
)


def must_learn(self: _disk.RunBounds) -> bool:
    if self.run_bytes + self._group.bytes >= self.max_run_bytes:
        self.halted = True  # the bug: halted on an upper bound, not the count
    return False


def install() -> None:
    patch(_disk.RunBounds, "must_learn", must_learn)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
