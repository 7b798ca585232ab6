"""Wrong adapter (open-loop, written from spec/ alone):
a run cut by max_steps leaves its group uncommitted (RUN-017.6).

RUN-017.6: a runtime that groups "MUST commit its open group before a run returns, so
every step a run reports is durable when it answers". An implementer who commits the
group when it is full, before marking an actor failed and when the run becomes
quiescent — but not on the early return when `max_steps` is reached — reports the
provisional steps as adopted while `heads/<actor>` has not moved: `rt-head` (and any
other reader of the store, or a restart) does not see a step `rt-run` acknowledged.
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
    frozenset({"RUN-017.6"}),
    "failed",
    "in group mode an rt-run that stops at max_steps reports steps whose group it never "
    "committed (heads unmoved)",
    copied_from=(("gritwit.runtime._schedule:Scheduler._rounds", "33babaa8f7ab4b07"),),
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},  # commit mode: the default, "group"
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 1},  # reports the genesis step
    {"cmd": "rt-head", "runtime": "r1", "actor": COUNTER},  # null: the step is not stored
]


async def lazy_rounds(
    self: _schedule.Scheduler,
    max_steps: int,
    steps: list[tuple[ObjectId, ObjectId]],
    marked: list[Failure],
    idle: dict[ObjectId, tuple[ObjectId, ...]],
) -> RunReport:
    """The runs' rounds, whose ``max_steps`` exit skips the group commit."""
    group = self._group
    while True:
        self._evict_between_rounds(idle)
        progressed = False
        losses = self._commits.group_losses
        for actor in sorted(self._mine(self._index.recipients()) - self._index.failed):
            if len(steps) + len(group) >= max_steps:  # the bug: reported, not committed
                self._evict_between_rounds(idle, final=True)
                provisional = [(m.actor, m.built.step_id) for m in group.members]
                return RunReport((*steps, *provisional), tuple(marked), False)
            if self._bounds.halted:  # RUN-023.3, as the reference
                self._commits.commit_group()
                self._evict_between_rounds(idle, final=True)
                return RunReport(tuple(steps), tuple(marked), False)
            if actor in self._index.failed:  # marked by another writer during the round
                continue
            adopted, attempts = len(steps) + len(group), len(self._transitions.failures)
            self._running.add(actor)
            try:
                await self._transitions.drive(actor, steps, idle)
            finally:
                self._running.discard(actor)
            if actor in self._index.failed and len(self._transitions.failures) > attempts:
                marked.append(self._transitions.failures[-1])  # its last attempt, in its turn
            progressed = progressed or len(steps) + len(group) > adopted
        if not progressed and self._commits.group_losses == losses:
            self._commits.commit_group()
            if self._commits.group_losses == losses:  # else a lost member's actor runs again
                self._evict_between_rounds(idle, final=True)
                return RunReport(tuple(steps), tuple(marked), True)


def install() -> None:
    patch(_schedule.Scheduler, "_rounds", lazy_rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
