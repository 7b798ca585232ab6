"""Wrong adapter: a lost compare-and-swap on a head is taken as adopted (RUN-002.3).

When another writer moved ``heads/<actor>`` first, the swap fails; this runtime
catches the conflict inside its commit and goes on as if its step were the head:
it reports and routes a step that was never adopted, and does not run the
transition again from the winner's step.
"""

from __future__ import annotations

import contextlib
from typing import Any

from gritwit._errors import RefConflict
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import _cache
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-002.3"}),
    "failed",
    "a head swap that lost to another writer is taken as adopted: the step is reported and "
    "routed, and the transition is not run again from the winner's step",
    smoke=True,
)

_real_commit = _cache.ObjectCache.commit_assembled


def commit_assembled(self: Any, built: Any, ref: str, expected: Any, fresh: Any = None) -> None:
    with contextlib.suppress(RefConflict):  # the bug: "someone else wrote it; fine"
        _real_commit(self, built, ref, expected, fresh)


def install() -> None:
    patch(_adapter_runtime, "COMMIT", "step")  # per-step commits, where this bug lives
    patch(_cache.ObjectCache, "commit_assembled", commit_assembled)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
