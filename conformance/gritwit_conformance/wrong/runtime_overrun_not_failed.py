"""Wrong adapter: an overrun is not treated as a failed transition (RUN-005.3).

When a transition overruns its time limit the runtime sets it aside to wait
for its result instead of failing it: the actor is neither retried nor marked
failed, and its messages simply stay pending.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _bound
from gritwit.wit import TransitionTimeout
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.3"}),
    "failed",
    "an overrunning transition is set aside to wait for its result instead of failing: "
    "the actor is neither retried nor marked failed",
)

_real_build = _bound.TimeBound.build


async def build(self: _bound.TimeBound, actor, last_id, last, found, turn=None):  # type: ignore[no-untyped-def]
    try:
        return await _real_build(self, actor, last_id, last, found, turn)
    except (TransitionTimeout, TimeoutError):
        return None  # the bug: "still running", as if nothing could be done yet


def install() -> None:
    patch(_bound.TimeBound, "build", build)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
