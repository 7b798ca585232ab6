"""Wrong adapter (open-loop, written from spec/ alone): `ref-cas` compares the expected value
before it checks the new target, so `ref-conflict` beats `not-found` and `invalid-ref-target`
(REF-007.1).

REF-007.1 fixes the order: the name, then that the new target is present (REF-003), then a
head's target (REF-002), and only then the swap (REF-004).  An implementer who writes the
compare-and-swap as "read the ref; if it is not `expected`, conflict; else validate `new` and
write" — the natural shape of a CAS loop — reports `ref-conflict` (with `current`) for a swap
that breaks both rules, where the spec wants the target's class.
"""

from __future__ import annotations

from gritwit._errors import RefConflict
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.store import Store, check_ref_name
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.1"}),
    "failed",
    "ref-cas compares expected before checking the target: ref-conflict wins over "
    "not-found and invalid-ref-target",
)

_EMPTY_BLOB = "a2646461746140647479706564626c6f62"
_EMPTY_BLOB_ID = "1d135ad531cfc97d965a0db1ecf1861fe523ccc8dd25083ef3a24ee0aac3f548"
_ABSENT = "55" * 32
_ACTOR = "66" * 32

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "store-open", "kind": "memory"},
    {"cmd": "put", "store": "s1", "bytes": _EMPTY_BLOB},
    # a ref that does not exist, a wrong `expected` and an absent target: not-found
    {"cmd": "ref-cas", "store": "s1", "name": "names/a", "expected": _ABSENT, "new": _ABSENT},
    # a head, a wrong `expected` and a blob as target: invalid-ref-target
    {
        "cmd": "ref-cas",
        "store": "s1",
        "name": "heads/" + _ACTOR,
        "expected": _EMPTY_BLOB_ID,
        "new": _EMPTY_BLOB_ID,
    },
]

_reference_cas_ref = Store.cas_ref


def _cas_ref(
    self: Store,
    name: str,
    expected: ObjectId | None,
    new: ObjectId | None,
    *,
    target: GritObject | None = None,
) -> None:
    """Name, then the comparison with ``expected``, then the reference's checks and swap."""
    check_ref_name(name)
    current = self.backend.get_ref(name)
    if current != expected:
        raise RefConflict("REF-004.3", f"{name} is {current}, not {expected}", current=current)
    _reference_cas_ref(self, name, expected, new, target=target)


def install() -> None:
    patch(Store, "cas_ref", _cas_ref)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
