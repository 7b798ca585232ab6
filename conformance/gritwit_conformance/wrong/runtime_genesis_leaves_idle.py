"""Wrong adapter: a genesis sent through the runtime does not make its recipient busy (RUN-012.9).

RUN-012.9 counts every message sent through the runtime since its last run, the genesis
message of ``rt-genesis`` as much as an ``rt-send``.  An implementer who marks only the
recipients of ``rt-send`` (a genesis "creates" an actor, so nothing is thought to wait)
lets ``rt-evict`` archive a resident actor a second genesis was just sent to: its next
run still reads the genesis (the rounds take every recipient), but the eviction was of
a busy actor.
"""

from __future__ import annotations

from collections.abc import Iterable

from gritwit._ids import ObjectId
from gritwit._objects import GritObject, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.9"}),
    "failed",
    "rt-evict archives a resident actor a genesis was sent to since the last run",
)


class GenesisMarksNothing(_runtime.Runtime):
    """The reference runtime, whose genesis leaves its recipient as it was for eviction."""

    async def genesis(
        self, core: Tree, objects: Iterable[GritObject] = (), *, placement: ObjectId | None = None
    ) -> ObjectId:
        dirty = self._scheduler._dirty
        was_busy = {*dirty}
        actor = await super().genesis(core, objects, placement=placement)
        if actor not in was_busy:
            self._scheduler._dirty.discard(actor)  # the bug: a genesis asks no run to look
        return actor


def install() -> None:
    import gritwit.adapter._runtime as adapter_runtime

    patch(adapter_runtime, "Runtime", GenesisMarksNothing)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
