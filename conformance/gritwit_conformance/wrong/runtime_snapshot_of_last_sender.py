"""Wrong adapter: an actor's idle snapshot compares only its last sender's last message
(RUN-012.1).

RUN-012.1 counts an actor idle when the last pending message of *each* sender is the
one its attempt saw (ADP-014 step 2b: the list, one id per sender).  An implementer who
keeps "the last message it saw" as one id, the last of that list, passes every test of
one sender, and calls an actor idle when a sender ordered before its last one sent it
something new.  A rule that counts "per" something, tested with one of it.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _schedule
from gritwit.wit import RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-012.1"}),
    "failed",
    "an idle snapshot compares only the last sender's last pending message",
)


class _LastOnly(tuple[ObjectId, ...]):
    """A snapshot equal to any list that ends in the same message (the bug)."""

    __hash__ = tuple.__hash__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, tuple) and tuple(other[-1:]) == tuple(self[-1:])

    def __ne__(self, other: object) -> bool:
        return not self == other


class LastSenderOnly(dict[ObjectId, tuple[ObjectId, ...]]):
    """A run's idle snapshots, each read back as its last sender's message alone."""

    def get(self, key: ObjectId, default: Any = None) -> Any:
        found = super().get(key)
        return default if found is None else _LastOnly(found)


class OneIdSnapshots(_schedule.Scheduler):
    """The reference's scheduler, whose run keeps its snapshots in :class:`LastSenderOnly`."""

    async def _rounds(
        self,
        max_steps: int,
        steps: list[tuple[ObjectId, ObjectId]],
        marked: list[Any],
        idle: dict[ObjectId, tuple[ObjectId, ...]],
    ) -> RunReport:
        lax = LastSenderOnly(idle)
        self._commits.begin(steps, lax)
        return await super()._rounds(max_steps, steps, marked, lax)


def install() -> None:
    patch(_runtime, "Scheduler", OneIdSnapshots)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
