"""Wrong adapter (open-loop, written from spec/ alone):
fork validates `state` before it reads `at_step` (RUN-008.9).

RUN-008.9 fixes the order of fork's checks: `at_step` present (`not-found`), a step of
`actor` (`invalid-ref-target`), then `state` not naming `fork` (`invalid-object`), then
the child's head unset — "so a `state` naming `fork` with an absent `at_step` is
`not-found`". An implementer who validates the arguments before touching the store (the
usual request-validation habit) answers `invalid-object` for that request.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._errors import InvalidObject
from gritwit._ids import ObjectId
from gritwit._objects import GritObject
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import fork
from gritwit.runtime._fork import FORK_ENTRY
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-008.9"}),
    "failed",
    "rt-fork refuses a state naming fork (invalid-object) before it finds the step absent "
    "(not-found)",
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"
ABSENT = "11" * 32

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},
    # an absent step and a state naming "fork": not-found in the reference
    {"cmd": "rt-fork", "runtime": "r1", "actor": COUNTER, "step": ABSENT, "state": {"fork": "00"}},
]


def wrong_fork(
    store: Store,
    actor: ObjectId,
    at_step: ObjectId,
    new_actor_state: Mapping[str, GritObject] | None = None,
) -> ObjectId:
    if FORK_ENTRY in (new_actor_state or {}):  # the bug: the arguments first, the store after
        raise InvalidObject("RUN-008.3", f"the entry {FORK_ENTRY!r} is set by fork itself")
    return fork(store, actor, at_step, new_actor_state)


def install() -> None:
    patch(adapter_runtime, "fork", wrong_fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
