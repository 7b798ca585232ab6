"""Wrong adapter: a run checks its bound after adopting a step, not before (RUN-018.1).

The rounds test ``len(steps) > max_steps`` where they must test ``>=``: every run
stopped by its bound adopts ``max_steps + 1`` steps, one more than its caller allowed.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit.wit import RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-018.1"}),
    "failed",
    "a run checks its bound after adopting a step, not before: every run stopped by "
    "max_steps adopts one step more",
)

_real = _runtime.Runtime.run_rounds


async def one_step_over(self: _runtime.Runtime, max_steps: int) -> RunReport:
    return await _real(self, max_steps + 1)  # the bug: off by one


def install() -> None:
    patch(_runtime.Runtime, "run_rounds", one_step_over)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
