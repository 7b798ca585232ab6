"""Wrong adapter: for the idle timeout, an actor outside the share sent messages counts busy.

RUN-021.5 counts an actor outside the runtime's share as idle whatever is pending for
it, so that it is evicted "by the same rules as any idle actor". This runtime applies
that to ``rt-evict`` and to the capacity rule, but its idle-timeout pass (RUN-012.3)
takes every actor outside the share that some outbox addresses as busy, as if it would
run here: an actor of another share that a query made resident and that was sent a
message is never evicted for the timeout, only for capacity.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _schedule
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.5"}),
    "failed",
    "a run's idle-timeout pass takes the actors outside its share that were sent messages "
    "as busy (the capacity rule and rt-evict do not): they are never evicted for the timeout",
)

_real = _schedule.Scheduler.evict_idle


def evict_idle(self: Any, *, everything_idle: bool = False) -> list[Any]:
    residents = self._residents
    if everything_idle or self.share is None or residents.idle_after is None:
        return _real(self, everything_idle=everything_idle)
    addressed = self._index.recipients()
    busy, bound = self._dirty, residents.max_resident
    evicted: list[Any] = []
    try:  # the idle rule first, with the bug; then the capacity rule as the reference's
        self._dirty = busy | (addressed - self.share.select(addressed))
        residents.max_resident = None
        evicted += _real(self)
        self._dirty, residents.max_resident = busy, bound
        timeout, residents.idle_after = residents.idle_after, None
        try:
            evicted += _real(self)
        finally:
            residents.idle_after = timeout
    finally:
        self._dirty, residents.max_resident = busy, bound
    return evicted


def install() -> None:
    patch(_schedule.Scheduler, "evict_idle", evict_idle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
