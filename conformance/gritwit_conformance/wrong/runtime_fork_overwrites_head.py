"""Wrong adapter: a fork sets the child's head whatever it was (RUN-008.6).

``fork`` writes ``heads/<child>`` unconditionally instead of by compare-and-swap
from unset: forking the same step with the same state twice succeeds twice
(and would replace any history the child had made meanwhile).
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _fork
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-008.6"}),
    "failed",
    "fork sets the child's head whatever it was instead of by compare-and-swap from "
    "unset: forking the same step with the same state twice succeeds",
    smoke=True,
)


class _Overwriting:
    """``store`` with ``cas_ref`` that ignores what it expects."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def cas_ref(self, name: str, expected: ObjectId | None, new: ObjectId) -> None:
        current = self._store.get_ref(name)
        self._store.cas_ref(name, current, new)  # the bug: whatever the head was


_real_fork = _fork.fork


def fork(store, actor, at_step, new_actor_state=None):  # type: ignore[no-untyped-def]
    return _real_fork(_Overwriting(store), actor, at_step, new_actor_state)


def install() -> None:
    patch(adapter_runtime, "fork", fork)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
