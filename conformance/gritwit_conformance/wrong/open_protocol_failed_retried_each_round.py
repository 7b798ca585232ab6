"""Wrong adapter (open-loop, written from spec/ alone):
a failed actor stays a candidate, one `failures` entry per round (ADP-014).

ADP-014's `wit-run` keeps a set of failed actors for the whole call: a failed transition
is appended to `failures` once and the actor is never a candidate again in that call
(step 2 excludes "the failed actors"). An implementer who reads step d as "record the
failure and move on" drops the set: the failing actor is tried again in every round
while other actors still progress, and `failures` lists it once per round.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.wit._executor import OUTSIDE, Executor, Failure, RunReport, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-014"}),
    "failed",
    "wit-run keeps no set of failed actors: a failing actor is tried again in every "
    "round and listed in failures once per round",
    copied_from=(("gritwit.wit._executor:Executor.run_until_quiescent", "38a7781fc83bd46a"),),
)

_COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "failing"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "counter"},
    # counter 72c8…: its genesis, then an update, then an inc: three rounds with a step each
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _COUNTER,
        "mt": "update",
        "content": {"tree": {"note": {"blob": "6869"}}},
    },
    {"cmd": "wit-send", "runtime": "w1", "to": _COUNTER, "mt": "inc", "content": {"blob": ""}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
]


def _run_until_quiescent(self: Executor, max_steps: int = 1000) -> RunReport:
    """The reference's rounds, without the call's set of failed actors."""
    steps: list[Any] = []
    failures: list[Failure] = []
    idle: dict[Any, Any] = {}
    while True:
        progressed = False
        recipients = {r for box in self._outboxes().values() for r in box} - {OUTSIDE}
        for actor in sorted(recipients):
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
                self._store.put_encoded_then_cas(
                    built.encodings,
                    head_ref(actor),
                    self.head(actor),
                    built.step_id,
                    target=built.step,
                )
            except Exception as exc:
                failures.append(Failure(actor, exc))  # recorded; the actor stays a candidate
                continue
            steps.append((actor, built.step_id))
            progressed = True
            if built.step.inbox == (None if last is None else last.inbox):
                idle[actor] = snapshot
        if not progressed:
            return RunReport(tuple(steps), tuple(failures), True)


def install() -> None:
    patch(Executor, "run_until_quiescent", _run_until_quiescent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
