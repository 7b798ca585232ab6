"""Wrong adapter: an actor marked failed is remembered in memory only (RUN-004).

The failure record and ``names/failed/<actor>`` are never written, so after a
restart the failed actor is run again — and fails again, retried five times,
sending its senders a second round of error receipts.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _transition
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.7"}),
    "failed",
    "marks failed actors in memory only: after a restart they run (and fail) again",
)

_real = _transition.Transitions._mark_failed


async def in_memory_only(self: _transition.Transitions, actor, error, attempts, found) -> None:  # type: ignore[no-untyped-def]
    self._index.failed.add(actor)  # the bug: no blob, no ref, no receipts survive a restart


def install() -> None:
    patch(_transition.Transitions, "_mark_failed", in_memory_only)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
