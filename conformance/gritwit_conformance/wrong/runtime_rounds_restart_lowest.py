"""Wrong adapter: after every adopted step the round starts over at the lowest id (RUN-018.2).

A "lowest id first" scheduler: where the rounds of ADP-014 go on to the next actor
with work, this one goes back to the first.  Two actors that keep each other busy
and sort below a third starve it: it never runs while they ping-pong.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit.wit import Failure, RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-018.2"}),
    "failed",
    "after every adopted step the round starts over at the lowest id with work: two "
    "actors that keep each other busy starve an actor whose id sorts above theirs",
    copied_from=(("gritwit.runtime._schedule:Scheduler._rounds", "33babaa8f7ab4b07"),),
)


async def rounds(
    self: _schedule.Scheduler,
    max_steps: int,
    steps: list[tuple[ObjectId, ObjectId]],
    marked: list[Failure],
    idle: dict[ObjectId, tuple[ObjectId, ...]],
) -> RunReport:
    """:meth:`Scheduler._rounds` with one ``break`` more."""
    group = self._group
    while True:
        self._evict_between_rounds(idle)
        progressed = False
        losses = self._commits.group_losses
        for actor in sorted(self._index.recipients() - self._index.failed):
            if len(steps) + len(group) >= max_steps:
                self._commits.commit_group()
            if len(steps) >= max_steps:
                self._evict_between_rounds(idle, final=True)
                return RunReport(tuple(steps), tuple(marked), False)
            if actor in self._index.failed:
                continue
            adopted, attempts = len(steps) + len(group), len(self._transitions.failures)
            self._running.add(actor)
            try:
                await self._transitions.drive(actor, steps, idle)
            finally:
                self._running.discard(actor)
            if actor in self._index.failed and len(self._transitions.failures) > attempts:
                marked.append(self._transitions.failures[-1])
            progressed = progressed or len(steps) + len(group) > adopted
            if progressed:
                break  # the bug: back to the lowest id with work
        if not progressed and self._commits.group_losses == losses:
            self._commits.commit_group()
            if self._commits.group_losses == losses:
                self._evict_between_rounds(idle, final=True)
                return RunReport(tuple(steps), tuple(marked), True)


def install() -> None:
    patch(_schedule.Scheduler, "_rounds", rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
