"""Wrong adapter: an import leaves the actor's port requests pending (PORT-007.5, ADP-024.4).

``rt-import`` moves the actor's head without a port step that reads its requests: the
importing store's port finds every request the actor ever sent pending, and sends again
requests answered long ago in the store the bundle came from.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-007.5", "ADP-024.4"}),
    "failed",
    "an import does not take the actor's port requests as read: they are sent again",
)


def absorb_port_import(store: Store, actor: ObjectId, head: Step) -> None:
    return None  # the bug: no port step reads the imported requests


def install() -> None:
    patch(adapter_runtime, "absorb_port_import", absorb_port_import)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
