"""Wrong adapter: an overrun ends the scheduling of the whole call (RUN-005.4).

After a transition overruns its time limit, the runtime stops starting
transitions of other actors until the next ``rt-run``, to recover from what it
takes for a stuck machine: actors whose turn comes after the overrunning one in
the round wait for no reason.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime, _transition
from gritwit.wit import TransitionTimeout
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.4"}),
    "failed",
    "after a transition overruns its time limit the runtime starts no other transition "
    "until the next rt-run: actors after it in the round wait",
    smoke=True,
)

_real_rounds = _runtime.Runtime.run_rounds
_real_drive = _transition.Transitions.drive
_stopped = [False]


async def run_rounds(self: _runtime.Runtime, max_steps: int) -> Any:
    _stopped[0] = False
    return await _real_rounds(self, max_steps)


async def drive(self: _transition.Transitions, actor: Any, *rest: Any, **kw: Any) -> None:
    if _stopped[0]:
        return  # the bug: nothing more starts in this call
    before = len(self.failures)
    await _real_drive(self, actor, *rest, **kw)
    if any(isinstance(f.error, TransitionTimeout) for f in self.failures[before:]):
        _stopped[0] = True


def install() -> None:
    patch(_runtime.Runtime, "run_rounds", run_rounds)
    patch(_transition.Transitions, "drive", drive)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
