"""Wrong adapter (open-loop, written from spec/ alone): deleting a `heads/` ref is refused as
`invalid-ref-target` (REF-007.5).

REF-002.1 says a `heads/<actor>` ref MUST point at a step of that actor.  An implementer who
reads it as an invariant of the ref rather than a check of a swap's target applies it to a
swap to *none* as well: a head that points at nothing points at no step of its actor, so the
delete fails `invalid-ref-target` (after the name check, in REF-007.1's place for the target
rule).  REF-007.5 says a delete has no target and only the swap itself is checked; `names/`
refs, which have no target rule, are still deleted.
"""

from __future__ import annotations

from gritwit._codec import encode_with_id
from gritwit._errors import InvalidRefTarget
from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Step
from gritwit.adapter import ReferenceAdapter
from gritwit.store import Store, check_ref_name
from gritwit.store._refs import head_actor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.5"}),
    "failed",
    "a swap of a heads/ ref to none (a delete) fails invalid-ref-target: REF-002 is applied "
    "to a delete",
)

_ACTOR = ObjectId(b"\x77" * 32)
_STEP, _STEP_ID = encode_with_id(Step(actor=_ACTOR, core=ObjectId(b"\x88" * 32)))
_HEAD = "heads/" + _ACTOR.hex()

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "store-open", "kind": "memory"},
    {"cmd": "put", "store": "s1", "bytes": _STEP.hex()},
    {"cmd": "ref-cas", "store": "s1", "name": _HEAD, "expected": None, "new": _STEP_ID.hex()},
    {"cmd": "ref-cas", "store": "s1", "name": _HEAD, "expected": _STEP_ID.hex(), "new": None},
    {"cmd": "ref-get", "store": "s1", "name": _HEAD},
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
    """The reference swap, with REF-002 applied to a delete of a head."""
    check_ref_name(name)
    if new is None and head_actor(name) is not None:
        raise InvalidRefTarget("REF-002.2", f"{name} must point at a step of its actor")
    _reference_cas_ref(self, name, expected, new, target=target)


def install() -> None:
    patch(Store, "cas_ref", _cas_ref)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
