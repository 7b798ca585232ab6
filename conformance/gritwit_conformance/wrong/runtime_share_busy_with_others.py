"""Wrong adapter: a run counts the other shares' pending messages as its work (RUN-021.4).

The runtime given a share runs only its actors, but answers ``rt-run`` quiescent only
when nothing at all is pending, in any share: a message waiting for an actor of
another share makes every run answer ``quiescent: false``, as if the run had stopped
at its bound with work left, though it could do nothing more.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.4"}),
    "failed",
    "a runtime given a share runs only its actors, but answers rt-run quiescent false "
    "while a message waits for an actor of another share",
    smoke=True,
)

_real_run_rounds = _runtime.Runtime.run_rounds


async def run_rounds(self: _runtime.Runtime, max_steps: int) -> Any:
    report = await _real_run_rounds(self, max_steps)
    if self.share is None or not report.quiescent:
        return report
    for actor in self._index.recipients() - self._index.failed:
        if not self.share.owns(actor) and self._routing.pending(actor)[2]:
            return replace(report, quiescent=False)  # the bug: another share's work counts
    return report


def install() -> None:
    patch(_runtime.Runtime, "run_rounds", run_rounds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
