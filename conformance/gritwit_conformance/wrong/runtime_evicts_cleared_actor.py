"""Wrong adapter: as RUN-012.1 read before RUN-025.4,
a clear or a revert asks no run to look at the actor, so it is judged idle (RUN-025.4).

RUN-012.1 judged an actor between runs "as at the end of the last run", which left an
actor cleared since (failed then, so idle) or reverted since open to reading as idle.
This runtime clears and reverts in the store and forgets nothing of its scheduling:
``rt-evict`` archives the cleared actor, whose pending messages its next run finds
from its routing index all the same.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _index, _revert, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-025.4"}),
    "failed",
    "rt-evict archives an actor cleared (or reverted) since the last run, as idle",
)


class ForgetfulRuntime(_runtime.Runtime):
    """The reference runtime, whose clear and revert mark nothing to run."""

    def clear_failed(self, actor: ObjectId) -> bool:
        self._commits.commit_group()
        cleared = _revert.clear_failed(self._store, actor)
        if self._store.get_ref(_index.failed_ref(actor)) is None:
            self._index.failed.discard(actor)
            self._residents.forget_waiting(actor)
        return cleared

    def revert(self, actor: ObjectId, to_step: ObjectId, *, head: Any = None) -> ObjectId:
        self._commits.commit_group()
        return _revert.revert(self._store, actor, to_step, head)  # the bug: nothing marked


def install() -> None:
    import gritwit.adapter._runtime as adapter_runtime

    patch(adapter_runtime, "Runtime", ForgetfulRuntime)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
