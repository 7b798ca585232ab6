"""Wrong adapter: a lost head swap is retried against the new head, not rebuilt (RUN-001.2).

When the compare-and-swap of ``heads/<actor>`` loses because another writer moved
the head, this runtime swaps again expecting the head it now finds, with the step
it already built: the swap no longer expects the head the transition started from,
so the winner's step is overwritten (RUN-002.2) and the transition is not run again
from it (RUN-002.3).
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import RefConflict
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import _cache
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-001.2", "RUN-002.2", "RUN-020.1"}),
    "failed",
    "a head swap that lost to another writer is retried expecting the new head, with the "
    "step already built: the winner's step is overwritten",
    smoke=True,
)

_real_commit = _cache.ObjectCache.commit_assembled


def commit_assembled(self: Any, built: Any, ref: str, expected: Any, fresh: Any = None) -> None:
    try:
        _real_commit(self, built, ref, expected, fresh)
    except RefConflict as conflict:  # the bug: expect whatever is there now
        _real_commit(self, built, ref, conflict.current, fresh)


def install() -> None:
    patch(_adapter_runtime, "COMMIT", "step")  # per-step commits, where this bug lives
    patch(_cache.ObjectCache, "commit_assembled", commit_assembled)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
