"""Wrong adapter: an evicted image actor comes back as a fresh instance (WASM-029.1).

The host keeps a resident image actor's live state with its in-memory record and
treats the core's ``image`` entry as a copy for others to read: when it restores an
actor it evicted (RUN-013), the next step instantiates the module anew (start
function included, WASM-025.7) instead of restoring the image from the core.
Restarts and imports are handled right; only eviction loses the image.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit_conformance.wrong import WrongAdapter, _fresh_image, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WASM-029.1", "RUN-012.5"}),
    "failed",
    "an evicted image actor's next step instantiates the module anew instead of restoring "
    "the image from its core; restarts and imports are right",
    smoke=True,
)

_real_evict = _schedule.Scheduler.evict_idle


def install() -> None:
    fresh = _fresh_image.install()

    def evict_idle(self: _schedule.Scheduler, *, everything_idle: bool = False) -> list[Any]:
        evicted = _real_evict(self, everything_idle=everything_idle)
        fresh.update(evicted)
        return evicted

    patch(_schedule.Scheduler, "evict_idle", evict_idle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
