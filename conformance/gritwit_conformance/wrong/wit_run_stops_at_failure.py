"""Wrong adapter: a failed transition stops the whole run (WIT-027.2).

``wit-run`` ends at the first failure, as if one overrunning or failing actor
blocked the runtime: the actors after it never run in that call.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.store import head_ref
from gritwit.wit import _executor
from gritwit.wit._executor import Executor, Failure, RunReport
from gritwit.wit._model import OUTSIDE
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-027.2"}),
    "failed",
    "a failed transition ends the run: the other actors stop running",
    smoke=True,
    copied_from=(("gritwit.wit._executor:Executor.run_until_quiescent", "38a7781fc83bd46a"),),
)


def stops_at_failure(self: Executor, max_steps: int = 1000) -> RunReport:
    steps: list[tuple[ObjectId, ObjectId]] = []
    failures: list[Failure] = []
    failed: set[ObjectId] = set()
    idle: dict[ObjectId, tuple[ObjectId, ...]] = {}
    while True:
        progressed = False
        recipients = {r for box in self._outboxes().values() for r in box} - {OUTSIDE}
        for actor in sorted(recipients - failed):
            if len(steps) >= max_steps:
                return RunReport(tuple(steps), tuple(failures), False)
            found = self.pending_for(actor)
            snapshot = tuple(items[-1].id for items in found.values())
            if not found or idle.get(actor) == snapshot:
                continue
            last = self.head_step(actor)
            try:
                built = self.build(actor, last, found)
                if built is None:
                    continue
                # Objects first, then the head (REF-004); encoded once, by assemble,
                # and the step is not read back.
                self._store.put_encoded_then_cas(
                    built.encodings,
                    head_ref(actor),
                    self.head(actor),
                    built.step_id,
                    target=built.step,
                )
            except Exception as exc:  # the bug: the first failure ends the run
                failures.append(Failure(actor, exc))
                return RunReport(tuple(steps), tuple(failures), True)
            steps.append((actor, built.step_id))
            progressed = True
            if built.step.inbox == (None if last is None else last.inbox):
                idle[actor] = snapshot
        if not progressed:
            return RunReport(tuple(steps), tuple(failures), True)


def install() -> None:
    patch(_executor.Executor, "run_until_quiescent", stops_at_failure)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
