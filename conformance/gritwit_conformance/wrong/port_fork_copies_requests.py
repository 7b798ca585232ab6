"""Wrong adapter: a fork copies the parent's requests (PORT-007.3).

A fork's first step keeps the outbox of the parent's step (the fault of
``open_runtime_fork_keeps_outbox``): every request the parent sent is pending for the
port again from the child, and the port sends it a second time.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong.open_runtime_fork_keeps_outbox import install

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-007.3"}),
    "failed",
    "a fork's child keeps the parent's outbox: the parent's requests are sent again",
)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
