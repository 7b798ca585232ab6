"""Wrong adapter: a revert of a failed actor asks no run to look at it (RUN-025.4).

RUN-012.1 counts an actor marked failed as idle whatever is pending for it, and RUN-024.8
keeps the mark through a revert; an implementer who let those two decide reads a failed
actor reverted and not cleared as idle at once, since no run will start it: ``rt-evict``
right after the revert archives it, where the revert, as a clear does, makes it busy
until a run has looked at it (found its mark and held it).
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _revert, _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-025.4"}),
    "failed",
    "rt-evict archives a failed actor right after its revert, before a run has held it",
)


class FailedRevertIdle(_runtime.Runtime):
    """The reference runtime, whose revert marks a failed actor for no run."""

    def revert(self, actor: ObjectId, to_step: ObjectId, *, head: Any = None) -> ObjectId:
        self._commits.commit_group()
        new_head = _revert.revert(self._store, actor, to_step, head)
        if actor not in self._index.failed:  # the bug: a failed actor is idle regardless
            self._scheduler.mark([actor])
        return new_head


def install() -> None:
    import gritwit.adapter._runtime as adapter_runtime

    patch(adapter_runtime, "Runtime", FailedRevertIdle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
