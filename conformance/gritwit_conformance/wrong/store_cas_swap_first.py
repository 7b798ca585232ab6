"""Wrong adapter: ``cas`` compares the expected value before checking a head's target (REF-007.1).

Every check is made, but the swap's comparison comes first: a ``heads/`` ref
set to a blob while holding another value than ``expected`` reports
``ref-conflict`` instead of ``invalid-ref-target``.
"""

from __future__ import annotations

from gritwit import ObjectId, RefConflict
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.store import _store
from gritwit.store._refs import check_ref_name
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.1"}),
    "failed",
    "cas compares the expected value before checking a heads/ ref's target",
    smoke=True,
)

_original = _store.Store.cas_ref


def swap_first(
    self: _store.Store,
    name: str,
    expected: ObjectId | None,
    new: ObjectId | None,
    *,
    target: GritObject | None = None,
) -> None:
    check_ref_name(name)
    current = self.backend.get_ref(name)
    if current != expected:  # the bug: compared before the target is checked
        raise RefConflict("REF-004.3", f"{name} is {current}, not {expected}", current=current)
    _original(self, name, expected, new, target=target)


def install() -> None:
    patch(_store.Store, "cas_ref", swap_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
