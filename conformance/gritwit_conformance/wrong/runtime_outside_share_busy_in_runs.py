"""Wrong adapter: in a run, an actor outside the share that was sent messages counts busy
(RUN-021.5).

``rt-evict`` evicts it as RUN-021.5 says, but when a run evaluates the eviction rules
(RUN-012.3) every actor outside the share that some outbox addresses is taken as busy, as
if it would run here: a run over ``max_resident`` keeps the queried actors of other shares
resident and evicts its own idle ones instead.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.5"}),
    "failed",
    "a run's eviction takes the actors outside its share that were sent messages as busy "
    "(rt-evict does not): over max_resident it evicts its own idle actors instead",
)

_real = _schedule.Scheduler.evict_idle


def evict_idle(self: Any, *, everything_idle: bool = False) -> list[Any]:
    if everything_idle or self.share is None:
        return _real(self, everything_idle=everything_idle)
    addressed = self._index.recipients()
    busy = self._dirty
    self._dirty = busy | (addressed - self.share.select(addressed))  # the bug
    try:
        return _real(self, everything_idle=everything_idle)
    finally:
        self._dirty = busy


def install() -> None:
    patch(_schedule.Scheduler, "evict_idle", evict_idle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
