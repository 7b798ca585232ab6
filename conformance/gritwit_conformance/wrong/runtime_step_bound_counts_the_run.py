"""Wrong adapter: ``max_step_bytes`` bounds what a step adds *with the run's earlier steps*
(RUN-022.2).

RUN-022.2 bounds each step's added bytes.  An implementer who keeps one running count
for the run (or the open commit group) and compares it with ``max_step_bytes`` passes
every test whose run adopts one large step, and fails the second of two steps that each
fit.  A rule that counts "per" something, tested with one of it.
"""

from __future__ import annotations

from gritwit._errors import StepTooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk, _runtime
from gritwit.wit import Assembled
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-022.2"}),
    "failed",
    "max_step_bytes bounds a step's bytes plus those of the run's earlier steps",
)


class RunWideStepBound(_disk.RunBounds):
    """The reference's bounds, whose step bound counts the run's steps before it too."""

    def bound_step(self, built: Assembled) -> None:
        super().bound_step(built)
        size = sum(len(encoded[0]) for encoded in built.encodings)
        before = self.run_bytes + self._group.bytes  # the bug: the run's bytes count too
        if before + size > self.max_step_bytes:
            raise StepTooLarge("RUN-022.3", "the run's steps would add more than max_step_bytes")


def install() -> None:
    patch(_runtime, "RunBounds", RunWideStepBound)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
