"""Wrong adapter: ``heads/<actor>`` may point at a step of another actor (REF-002).

The head-target check still insists on a step but compares the step's actor
with itself.
"""

from __future__ import annotations

from gritwit import GritObject, ObjectId, Step
from gritwit.adapter import ReferenceAdapter
from gritwit.store import _batch, _refs, _store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-002.1", "REF-002.2"}),
    "failed",
    "a heads/<actor> ref may point at a step of another actor",
)


def lax_check_head_target(name: str, actor: ObjectId, target: GritObject) -> None:
    owner = target.actor if isinstance(target, Step) else actor  # the bug: any actor's step
    _refs.check_head_target(name, owner, target)


def install() -> None:
    patch(_store, "check_head_target", lax_check_head_target)
    patch(_batch, "check_head_target", lax_check_head_target)  # a batch's swaps


if __name__ == "__main__":
    run(ReferenceAdapter, install)
