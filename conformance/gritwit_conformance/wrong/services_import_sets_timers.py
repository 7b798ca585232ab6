"""Wrong adapter: an import leaves the timer party's cursor alone (TIM-007.3, ADP-023.5).

``rt-import`` moves the actor's head and nothing else, as RUN-009.12 says of refs, and
forgets that the timer party must take the moved actor's requests as read: the importing
store's timer service then reads every request the actor ever sent, and sets again
timers that fired or stay pending in the store it came from.
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
    ("services",),
    frozenset({"TIM-007.3", "ADP-023.5"}),
    "failed",
    "an import sets no cursor of the timer party: the actor's old requests are set again",
)


def absorb_import(store: Store, actor: ObjectId, head: Step) -> None:
    return None  # the bug: nothing taken as read


def install() -> None:
    patch(adapter_runtime, "absorb_import", absorb_import)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
